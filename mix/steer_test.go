package mix

import (
	"errors"
	"strings"
	"testing"
)

// steerVibe is the reference vibe-steering test vibe.
func steerVibe() Vibe {
	return Vibe{BPMRange: BPMRange{110, 130}, EnergyDirection: Steady, EnergyLevel: 6, Era: Era{2010, 2020},
		Genres: []string{"indie rock", "alt pop"}, Mood: []string{"upbeat"}}
}

// §5.4 #1–4.
func TestClampEnergyLevel(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{-5, 1}, {0, 1}, {0.5, 1}, {11, 10}, {15, 10}, {100, 10}, {1, 1}, {5, 5}, {10, 10}, {5.4, 5}, {5.5, 6}, {5.6, 6},
	} {
		if got := ClampEnergyLevel(c.in); got != c.want {
			t.Errorf("ClampEnergyLevel(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// §5.4 #5–9 and the extra vectors. The reference matched substrings in
// both directions, so single letters and blanks picked presets (§6 #22);
// those now match nothing.
func TestFindPreset(t *testing.T) {
	for _, c := range []struct{ in, want, ref string }{
		{"more energy", "more energy", ""}, {"MORE ENERGY", "more energy", ""}, {"More Energy", "more energy", ""},
		{"  more energy  ", "more energy", ""},
		{"make it more energy please", "more energy", ""}, {"lets go retro baby", "go retro", ""},
		{"quantum vibe shift", "", ""}, {"xyz123", "", ""},
		{"chill", "chill out", ""}, {"chill vibes please", "chill vibes", ""}, {"energy", "more energy", ""},
		{"lets chill out", "chill out", ""}, {"more energy!", "more energy", ""},
		{"z", "", ""}, {"x", "", ""}, {"calm it down", "", ""}, {"wind down", "", ""},
		{"up", "", "pump it up"}, {"s", "", "80s vibes"}, {"i", "", "80s vibes"}, {"a", "", "90s throwback"},
		{"go", "", "go retro"}, {" ", "", "80s vibes"}, {"", "", ""}, {"mode", "", "party mode"},
		{"retro", "go retro", ""}, {"chill outside", "", "chill out"},
	} {
		p, ok := FindPreset(c.in)
		if p.Name != c.want || ok != (c.want != "") {
			t.Errorf("FindPreset(%q) = %q,%v, want %q (reference %q)", c.in, p.Name, ok, c.want, c.ref)
		}
	}
	for _, p := range Presets() {
		if got, ok := FindPreset(p.Name); !ok || got.Name != p.Name {
			t.Errorf("key %q matched %q", p.Name, got.Name)
		}
	}
	if len(Presets()) != 14 {
		t.Errorf("%d presets", len(Presets()))
	}
}

// §5.4 #10–20 and extras.
func TestApplyAdjustment(t *testing.T) {
	for _, c := range []struct {
		name  string
		adj   Adjustment
		check func(Vibe) bool
	}{
		{"#10 +2", Adjustment{EnergyChange: fp(2)}, func(v Vibe) bool { return v.EnergyLevel == 8 }},
		{"#11 -3", Adjustment{EnergyChange: fp(-3)}, func(v Vibe) bool { return v.EnergyLevel == 3 }},
		{"#12 +10", Adjustment{EnergyChange: fp(10)}, func(v Vibe) bool { return v.EnergyLevel == 10 }},
		{"#12 -10", Adjustment{EnergyChange: fp(-10)}, func(v Vibe) bool { return v.EnergyLevel == 1 }},
		{"+7", Adjustment{EnergyChange: fp(7)}, func(v Vibe) bool { return v.EnergyLevel == 10 }},
		{"+1", Adjustment{EnergyChange: fp(1)}, func(v Vibe) bool { return v.EnergyLevel == 7 }},
		{"+9", Adjustment{EnergyChange: fp(9)}, func(v Vibe) bool { return v.EnergyLevel == 10 }},
		{"-9", Adjustment{EnergyChange: fp(-9)}, func(v Vibe) bool { return v.EnergyLevel == 1 }},
		{"+9.5", Adjustment{EnergyChange: fp(9.5)}, func(v Vibe) bool { return v.EnergyLevel == 10 }},
		{"absolute 3", Adjustment{EnergyLevel: fp(3)}, func(v Vibe) bool { return v.EnergyLevel == 3 }},
		{"absolute then relative", Adjustment{EnergyLevel: fp(3), EnergyChange: fp(2)}, func(v Vibe) bool { return v.EnergyLevel == 5 }},
		{"#13 direction", Adjustment{EnergyDirection: WindingDown}, func(v Vibe) bool { return v.EnergyDirection == WindingDown }},
		{"#14 era", Adjustment{Era: &Era{1980, 1989}}, func(v Vibe) bool { return v.Era == Era{1980, 1989} }},
		{"#15 bpm", Adjustment{BPMRange: &BPMRange{60, 100}}, func(v Vibe) bool { return v.BPMRange == BPMRange{60, 100} }},
		{"#16 genres merged", Adjustment{Genres: []string{"synthpop", "indie rock", "new wave"}},
			func(v Vibe) bool { return eq(v.Genres, []string{"indie rock", "alt pop", "synthpop", "new wave"}) }},
		{"#17 moods merged", Adjustment{Mood: []string{"upbeat", "energetic", "nostalgic"}}, func(v Vibe) bool { return len(v.Mood) == 3 }},
		{"#18 all", Adjustment{EnergyDirection: Building, EnergyChange: fp(2), Era: &Era{1980, 1989}, Genres: []string{"synthpop"}, Mood: []string{"nostalgic"}},
			func(v Vibe) bool {
				return v.EnergyLevel == 8 && v.EnergyDirection == Building && v.Era == Era{1980, 1989} &&
					eq(v.Genres, []string{"indie rock", "alt pop", "synthpop"}) && eq(v.Mood, []string{"upbeat", "nostalgic"})
			}},
		{"#19 others unchanged", Adjustment{EnergyChange: fp(1)}, func(v Vibe) bool {
			w := steerVibe()
			w.EnergyLevel = 7
			return vibeEqual(v, w)
		}},
		{"#20 empty", Adjustment{}, func(v Vibe) bool { return vibeEqual(v, steerVibe()) }},
		{"empty genres keep", Adjustment{Genres: []string{}}, func(v Vibe) bool { return eq(v.Genres, steerVibe().Genres) }},
		{"era clamped and ordered", Adjustment{Era: &Era{2200, 1800}}, func(v Vibe) bool { return v.Era == Era{1900, 2100} }},
		{"genre cap keeps newest", Adjustment{Genres: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}}, func(v Vibe) bool {
			return len(v.Genres) == MaxVibeTags && v.Genres[0] == "alt pop" && v.Genres[9] == "i"
		}},
	} {
		got := ApplyAdjustment(steerVibe(), c.adj)
		if !c.check(got) || got.Validate() != nil {
			t.Errorf("%s: got %+v", c.name, got)
		}
	}
}

// §5.4 #21–22 and #33–37, plus the full preset outputs.
func TestSteerWithPreset(t *testing.T) {
	for _, c := range []struct {
		in    string
		check func(Vibe) bool
	}{
		{"more energy", func(v Vibe) bool { return v.EnergyLevel == 8 && v.EnergyDirection == Building }},
		{"lets chill out", func(v Vibe) bool { return v.EnergyLevel == 4 && v.EnergyDirection == WindingDown }},
		{"chill out", func(v Vibe) bool { return v.EnergyLevel == 4 && v.EnergyDirection == WindingDown }},
		{"80s vibes", func(v Vibe) bool {
			return v.Era == Era{1980, 1989} && eq(v.Genres, []string{"indie rock", "alt pop", "synthpop", "new wave"})
		}},
		{"party mode", func(v Vibe) bool {
			return v.EnergyLevel == 9 && v.EnergyDirection == Building && eq(v.Mood, []string{"upbeat", "energetic"})
		}},
		{"late night", func(v Vibe) bool {
			return v.EnergyLevel == 5 && v.EnergyDirection == WindingDown && eq(v.Mood, []string{"upbeat", "mellow", "atmospheric"})
		}},
		{"speed it up", func(v Vibe) bool { return v.EnergyLevel == 8 && v.BPMRange == BPMRange{120, 160} }},
		{"slow it down", func(v Vibe) bool { return v.EnergyLevel == 4 && v.BPMRange == BPMRange{60, 100} }},
		{"pump it up", func(v Vibe) bool {
			return v.EnergyLevel == 9 && v.EnergyDirection == Building && eq(v.Mood, []string{"upbeat", "energetic", "intense"})
		}},
		{"indie mood", func(v Vibe) bool {
			return eq(v.Genres, []string{"indie rock", "alt pop", "indie", "alternative"}) && eq(v.Mood, []string{"upbeat", "introspective"})
		}},
	} {
		got, _, ok := SteerWithPreset(steerVibe(), c.in, DefaultIntensity)
		if !ok || !c.check(got) {
			t.Errorf("%q: ok %v got %+v", c.in, ok, got)
		}
	}
	v, changes, ok := SteerWithPreset(steerVibe(), "quantum vibe shift", DefaultIntensity)
	if ok || !vibeEqual(v, steerVibe()) || len(changes) != 0 {
		t.Error("unmatched text changed the vibe")
	}
}

// intensity scales a preset's energy change (the reference ignored it).
func TestSteerIntensity(t *testing.T) {
	for _, c := range []struct {
		intensity int
		want      float64
	}{{10, 10}, {5, 8}, {1, 6}, {0, 8}, {99, 8}} {
		got, _, _ := SteerWithPreset(steerVibe(), "more energy", c.intensity)
		if got.EnergyLevel != c.want {
			t.Errorf("intensity %d: level %v, want %v", c.intensity, got.EnergyLevel, c.want)
		}
	}
}

func TestDescribeChanges(t *testing.T) {
	_, changes, _ := SteerWithPreset(DefaultVibe(), "more energy", DefaultIntensity)
	if !eq(changes, []string{"Energy: 5/10 → 7/10", "Direction: steady → building"}) {
		t.Errorf("got %q", changes)
	}
	after := ApplyAdjustment(DefaultVibe(), Adjustment{Era: &Era{1980, 1989}, BPMRange: &BPMRange{60, 100}, Genres: []string{"a", "b"}, Mood: []string{"c"}})
	want := []string{"Era: 2000-2025 → 1980-1989", "BPM: 80-140 → 60-100", "Added genres: a, b", "Added moods: c"}
	if got := DescribeChanges(DefaultVibe(), after); !eq(got, want) {
		t.Errorf("got %q", got)
	}
	if got := DescribeChanges(DefaultVibe(), DefaultVibe()); got == nil || len(got) != 0 {
		t.Errorf("no change: %q", got)
	}
}

// §5.4 #23–32 on the reply parser. The reference read "energyLevel" in
// −9..9 as relative (§6 #21); here energyLevel is absolute and
// energyChange is relative, and the prompt (SteerPrompt) says so.
func TestParseAdjustment(t *testing.T) {
	apply := func(reply string) (Vibe, error) {
		a, err := ParseAdjustment(reply)
		return ApplyAdjustment(steerVibe(), a), err
	}
	for _, c := range []struct {
		name  string
		reply string
		check func(Vibe) bool
	}{
		{"#23 absolute level, genres and mood added", `{"energyLevel":3,"genres":["electronic","dance"],"mood":["euphoric"]}`, func(v Vibe) bool {
			return v.EnergyLevel == 3 && eq(v.Genres, []string{"indie rock", "alt pop", "electronic", "dance"}) && eq(v.Mood, []string{"upbeat", "euphoric"})
		}},
		{"relative change", `{"energyChange":3}`, func(v Vibe) bool { return v.EnergyLevel == 9 }},
		{"#24 fenced reply; negative absolute ignored", "```json\n{\"energyLevel\":-2,\"mood\":[\"calm\"]}\n```", func(v Vibe) bool {
			return v.EnergyLevel == 6 && eq(v.Mood, []string{"upbeat", "calm"})
		}},
		{"fenced relative", "Sure!\n```json\n{\"energyChange\":-2}\n```", func(v Vibe) bool { return v.EnergyLevel == 4 }},
		{"#27 energyLevel 1 is absolute", `{"energyLevel":1}`, func(v Vibe) bool {
			w := steerVibe()
			w.EnergyLevel = 1
			return vibeEqual(v, w)
		}},
		{"#28 string items only", `{"genres":["valid",123,null,"also valid"," "]}`, func(v Vibe) bool {
			return eq(v.Genres, []string{"indie rock", "alt pop", "valid", "also valid"})
		}},
		{"#29 direction", `{"energyDirection":"winding_down"}`, func(v Vibe) bool { return v.EnergyDirection == WindingDown }},
		{"#30 invalid direction ignored", `{"energyDirection":"invalid_value","energyChange":1}`, func(v Vibe) bool {
			return v.EnergyDirection == Steady && v.EnergyLevel == 7
		}},
		{"#31 era", `{"era":{"start":2000,"end":2010}}`, func(v Vibe) bool { return v.Era == Era{2000, 2010} }},
		{"#32 bpm", `{"bpmRange":{"min":80,"max":120}}`, func(v Vibe) bool { return v.BPMRange == BPMRange{80, 120} }},
		{"fractional era rounded", `{"era":{"start":1989.6,"end":1999.2}}`, func(v Vibe) bool { return v.Era == Era{1990, 1999} }},
		{"string numbers rejected", `{"energyLevel":"7","energyChange":1}`, func(v Vibe) bool { return v.EnergyLevel == 7 }},
	} {
		got, err := apply(c.reply)
		if err != nil || !c.check(got) || got.Validate() != nil {
			t.Errorf("%s: err %v got %+v", c.name, err, got)
		}
	}
	// #25/#26: unusable replies leave the vibe alone.
	for _, reply := range []string{"This is not JSON", "{not json}", `{"foo":1}`, `{"energyLevel":50}`, "}{"} {
		a, err := ParseAdjustment(reply)
		if !errors.Is(err, ErrNoAdjustment) || !a.Empty() {
			t.Errorf("%q: err %v adj %+v", reply, err, a)
		}
	}
}

func TestSteerPromptNamesParsedFields(t *testing.T) {
	p := SteerPrompt(DefaultVibe(), "more cowbell")
	for _, want := range []string{`"energyLevel"`, `"energyChange"`, `"energyDirection"`, `"genres"`, `"mood"`, `"era"`, `"bpmRange"`, `"more cowbell"`, "BPM range: 80-140"} {
		if !strings.Contains(p, want) {
			t.Errorf("prompt lacks %s", want)
		}
	}
}
