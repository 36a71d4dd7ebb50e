package mix

import "testing"

func vibeWith(f func(*Vibe)) Vibe {
	v := DefaultVibe()
	f(&v)
	return v
}

func dir(d EnergyDirection) *EnergyDirection { return &d }

// §5.3 #10–12 and extras: folding a played track into the vibe. previous
// is the history before the track, newest first.
func TestUpdateVibeFromTrack(t *testing.T) {
	e := func(x float64) PlayedTrack { return played("p", fp(120), fp(x)) }
	hist := func(energies ...float64) []PlayedTrack {
		var h []PlayedTrack
		for _, x := range energies {
			h = append(h, played("h", fp(120), fp(x)))
		}
		return h
	}
	for _, c := range []struct {
		name     string
		vibe     Vibe
		played   PlayedTrack
		previous []PlayedTrack
		level    float64
		dir      EnergyDirection
		rng      BPMRange
	}{
		{"#10", DefaultVibe(), played("p", fp(130), fp(0.9)), nil, 6, Steady, BPMRange{80, 140}},
		{"#11 building", vibeWith(func(v *Vibe) { v.BPMRange = BPMRange{100, 140} }), e(0.9), hist(0.5, 0.7), 6, Building, BPMRange{100, 140}},
		{"#12 winding down", vibeWith(func(v *Vibe) { v.EnergyLevel = 8; v.BPMRange = BPMRange{100, 140} }),
			played("p", fp(90), fp(0.3)), hist(0.9, 0.6), 7, WindingDown, BPMRange{90, 140}},
		{"energy 0.95", DefaultVibe(), e(0.95), nil, 7, Steady, BPMRange{80, 140}},
		{"energy 0.05", DefaultVibe(), e(0.05), nil, 4, Steady, BPMRange{80, 140}},
		{"energy 0", DefaultVibe(), e(0), nil, 4, Steady, BPMRange{80, 140}},
		{"diff 0.09999999999999998 is steady", DefaultVibe(), e(0.7), hist(0.5, 0.6), 6, Steady, BPMRange{80, 140}},
		{"diff 0.15 is building", DefaultVibe(), e(0.7), hist(0.5, 0.55), 6, Building, BPMRange{80, 140}},
		{"bpm 250 caps at 220", DefaultVibe(), played("p", fp(250), nil), nil, 5, Steady, BPMRange{80, 220}},
		{"bpm 10 floors at 20", DefaultVibe(), played("p", fp(10), nil), nil, 5, Steady, BPMRange{20, 140}},
		// The reference reset the direction to steady whenever an energy
		// was missing (§6 #6); we keep the listener's direction.
		{"null energy keeps direction", vibeWith(func(v *Vibe) { v.EnergyDirection = Building }), played("p", nil, nil), hist(0.5, 0.6), 5, Building, BPMRange{80, 140}},
		{"null among three keeps direction", vibeWith(func(v *Vibe) { v.EnergyDirection = WindingDown }), e(0.9),
			[]PlayedTrack{played("h", nil, nil), played("h", nil, fp(0.1))}, 6, WindingDown, BPMRange{80, 140}},
		{"null among three, steady stays steady", DefaultVibe(), e(0.9), []PlayedTrack{played("h", nil, fp(0.5)), played("h", nil, nil)}, 6, Steady, BPMRange{80, 140}},
	} {
		got := UpdateVibeFromTrack(c.vibe, c.played, c.previous)
		if got.EnergyLevel != c.level || got.EnergyDirection != c.dir || got.BPMRange != c.rng {
			t.Errorf("%s: got level %v dir %s range %+v", c.name, got.EnergyLevel, got.EnergyDirection, got.BPMRange)
		}
	}
}

// §5.3 #13–17 and extras.
func TestBlendVibes(t *testing.T) {
	lvl := func(l float64) Vibe { return vibeWith(func(v *Vibe) { v.EnergyLevel = l }) }
	for _, c := range []struct {
		name  string
		cur   Vibe
		patch VibePatch
		w     float64
		check func(Vibe) bool
	}{
		{"#13 6 with 9", lvl(6), VibePatch{EnergyLevel: fp(9)}, DefaultBlendWeight, func(v Vibe) bool { return v.EnergyLevel == 7 }},
		{"#14 weight 0.5", lvl(5), VibePatch{EnergyLevel: fp(10)}, 0.5, func(v Vibe) bool { return v.EnergyLevel == 8 }},
		{"5 with 9", lvl(5), VibePatch{EnergyLevel: fp(9)}, DefaultBlendWeight, func(v Vibe) bool { return v.EnergyLevel == 6 }},
		{"5 with 8", lvl(5), VibePatch{EnergyLevel: fp(8)}, DefaultBlendWeight, func(v Vibe) bool { return v.EnergyLevel == 6 }},
		{"weight 1 replaces level", lvl(5), VibePatch{EnergyLevel: fp(9)}, 1, func(v Vibe) bool { return v.EnergyLevel == 9 }},
		{"#15 moods add", vibeWith(func(v *Vibe) { v.Mood = []string{"energetic", "uplifting"} }), VibePatch{Mood: []string{"happy", "groovy"}}, DefaultBlendWeight,
			func(v Vibe) bool { return eq(v.Mood, []string{"energetic", "uplifting", "happy", "groovy"}) }},
		{"#16 moods cap 5", vibeWith(func(v *Vibe) { v.Mood = []string{"energetic", "uplifting", "happy", "groovy"} }), VibePatch{Mood: []string{"chill", "relaxed", "mellow"}}, DefaultBlendWeight,
			func(v Vibe) bool { return eq(v.Mood, []string{"energetic", "uplifting", "happy", "groovy", "chill"}) }},
		{"#17 genres add", vibeWith(func(v *Vibe) { v.Genres = []string{"house", "techno"} }), VibePatch{Genres: []string{"electronic", "dance"}}, DefaultBlendWeight,
			func(v Vibe) bool { return len(v.Genres) == 4 }},
		{"direction replaced", DefaultVibe(), VibePatch{EnergyDirection: dir(Building)}, DefaultBlendWeight, func(v Vibe) bool { return v.EnergyDirection == Building }},
		{"invalid direction ignored", DefaultVibe(), VibePatch{EnergyDirection: dir("sideways")}, 1, func(v Vibe) bool { return v.EnergyDirection == Steady }},
		// The reference only widened the BPM window, so a narrower one
		// could never be set (§6 #7); weight 1 now replaces it.
		{"weight 1 narrows bpm", DefaultVibe(), VibePatch{BPMRange: &BPMRange{100, 130}}, 1, func(v Vibe) bool { return v.BPMRange == BPMRange{100, 130} }},
		{"out-of-range bpm clamped", DefaultVibe(), VibePatch{BPMRange: &BPMRange{10, 300}}, 1, func(v Vibe) bool { return v.BPMRange == BPMRange{20, 220} }},
		{"partial weight interpolates bpm", DefaultVibe(), VibePatch{BPMRange: &BPMRange{10, 300}}, DefaultBlendWeight, func(v Vibe) bool { return v.BPMRange == BPMRange{62, 164} }},
		{"inverted bpm ordered", DefaultVibe(), VibePatch{BPMRange: &BPMRange{130, 100}}, 1, func(v Vibe) bool { return v.BPMRange == BPMRange{100, 130} }},
		{"era widens", DefaultVibe(), VibePatch{Era: &Era{1980, 1990}}, DefaultBlendWeight, func(v Vibe) bool { return v.Era == Era{1980, 2025} }},
		{"empty patch", lvl(7), VibePatch{}, 1, func(v Vibe) bool { return vibeEqual(v, lvl(7)) }},
	} {
		got := BlendVibes(c.cur, c.patch, c.w)
		if !c.check(got) || got.Validate() != nil {
			t.Errorf("%s: got %+v", c.name, got)
		}
	}
}

func TestBlendDoesNotAlias(t *testing.T) {
	cur := vibeWith(func(v *Vibe) { v.Genres = []string{"a"} })
	out := BlendVibes(cur, VibePatch{Genres: []string{"b"}}, 1)
	out.Genres[0] = "x"
	if cur.Genres[0] != "a" {
		t.Error("blend aliases the input")
	}
}

func TestVibeText(t *testing.T) {
	v := vibeWith(func(v *Vibe) { v.Genres = []string{"indie pop"}; v.EnergyLevel = 6; v.BPMRange = BPMRange{95, 128} })
	if got := v.Summary(); got != "Energy: 6/10 (steady), BPM: 95-128, Genres: indie pop" {
		t.Errorf("summary %q", got)
	}
	if got := DefaultVibe().Summary(); got != "Energy: 5/10 (steady), BPM: 80-140, Genres: any" {
		t.Errorf("summary %q", got)
	}
	want := "Genres: indie pop\nEnergy: medium (6/10, steady)\nBPM range: 95-128\nEra: 2000-2025"
	if got := v.Describe(); got != want {
		t.Errorf("describe %q", got)
	}
	for _, c := range []struct {
		l    float64
		want string
	}{{3, "low/chill"}, {6, "medium"}, {7, "high/intense"}} {
		if energyLabel(c.l) != c.want {
			t.Errorf("label %v", c.l)
		}
	}
}

func TestBlendKeepsExistingTags(t *testing.T) {
	cur := vibeWith(func(v *Vibe) { v.Genres = []string{"a", "b", "c", "d", "e", "f", "g"} })
	got := BlendVibes(cur, VibePatch{Genres: []string{"h"}}, DefaultBlendWeight)
	if !eq(got.Genres, cur.Genres) {
		t.Errorf("genres %v", got.Genres)
	}
}
