package mix

import (
	"encoding/json"
	"testing"
)

func i64(n int64) *int64 { return &n }

// deezerHit is the reference Deezer builder's default result.
func deezerHit() DeezerInfo {
	return DeezerInfo{BPM: fp(120), Gain: fp(-8.5), Rank: i64(500000), ReleaseDate: "2023-01-15", Source: DeezerDirect}
}

// §5.5 #1–4, #7–8, #11, #17, #28 on the merge (the HTTP part belongs to
// the upstream client).
func TestMergeDeezer(t *testing.T) {
	base := Features{TrackID: "track123"}
	t.Run("#1/#7 hit", func(t *testing.T) {
		f := base.MergeDeezer(deezerHit())
		if *f.BPM != 120 || f.Source != DeezerDirect || !f.HasDeezer() || f.IsMiss() {
			t.Errorf("got %+v", f)
		}
	})
	t.Run("#8 all fields", func(t *testing.T) {
		f := base.MergeDeezer(DeezerInfo{BPM: fp(128), Gain: fp(-9.2), Rank: i64(600000), ReleaseDate: "2023-06-15", Source: DeezerDirect})
		if *f.BPM != 128 || *f.Gain != -9.2 || *f.Rank != 600000 || f.ReleaseDate != "2023-06-15" || f.Source != DeezerDirect {
			t.Errorf("got %+v", f)
		}
	})
	t.Run("#3 null bpm is a miss", func(t *testing.T) {
		f := base.MergeDeezer(DeezerInfo{})
		if f.BPM != nil || !f.IsMiss() || f.Validate() != nil {
			t.Errorf("got %+v", f)
		}
	})
	t.Run("#4 bpm 0 is unknown", func(t *testing.T) {
		// The reference kept 0 and cached it as a 90-day hit (§6 #8).
		d := deezerHit()
		d.BPM = fp(0)
		f := base.MergeDeezer(d)
		if f.BPM != nil || f.HasDeezer() || *f.Gain != -8.5 {
			t.Errorf("got %+v", f)
		}
	})
	t.Run("#11/#28 source", func(t *testing.T) {
		d := deezerHit()
		d.Source = DeezerViaMusicBrainz
		if f := base.MergeDeezer(d); f.Source != DeezerViaMusicBrainz {
			t.Errorf("source %q", f.Source)
		}
		d.Source = "bogus"
		if f := base.MergeDeezer(d); f.Source != "" {
			t.Errorf("source %q", f.Source)
		}
	})
	t.Run("#17 new values win, missing keep old", func(t *testing.T) {
		old := base.MergeDeezer(DeezerInfo{Gain: fp(-5), ReleaseDate: "2001-01-01"})
		f := old.MergeDeezer(DeezerInfo{BPM: fp(128), Rank: i64(0)})
		if *f.BPM != 128 || *f.Gain != -5 || f.Rank != nil || f.ReleaseDate != "2001-01-01" {
			t.Errorf("got %+v", f)
		}
		if *old.Gain != -5 || old.BPM != nil {
			t.Error("merge mutated the old record")
		}
	})
}

// §5.5 #27.
func TestValidBPM(t *testing.T) {
	for _, c := range []struct {
		b    *float64
		want bool
	}{{fp(45), true}, {fp(120), true}, {fp(220), true}, {fp(44), false}, {fp(221), false}, {fp(0), false}, {nil, false}} {
		if got := NormalizeBPM(c.b) != nil; got != c.want {
			t.Errorf("bpm %v: %v", deref(c.b), got)
		}
	}
}

// §1.3 step 8 and §5.6 #1, #3–6, #9.
func TestMergeLastFm(t *testing.T) {
	base := Features{TrackID: "t"}
	info := LastFmInfo{
		CanonicalArtist: "Correct Artist", CanonicalTrack: "Correct Track", Listeners: 10000, Playcount: 50000,
		Tags:    []string{"rock", "classic rock", "70s", "a", "b", "c", "d", "e", "f", "g", "h"},
		Similar: []SimilarTrack{{Artist: "Similar Artist 1", Match: 0.95, Name: "Similar Track 1"}, {Artist: "Similar Artist 2", Match: 0.8, Name: "Similar Track 2"}, {Artist: "Bad", Match: 1.5, Name: "X"}},
	}
	f := base.MergeLastFm(info)
	if f.Listeners != 10000 || f.Playcount != 50000 || f.CanonicalArtist != "Correct Artist" || f.CanonicalTrack != "Correct Track" {
		t.Errorf("got %+v", f)
	}
	if len(f.Tags) != MaxTags || f.Tags[0] != "rock" || len(f.Similar) != 2 || f.Similar[0] != info.Similar[0] {
		t.Errorf("tags %v similar %v", f.Tags, f.Similar)
	}
	// A later, poorer answer keeps the larger counts and the old lists.
	g := f.MergeLastFm(LastFmInfo{Listeners: 5, Playcount: 60000})
	if g.Listeners != 10000 || g.Playcount != 60000 || len(g.Tags) != MaxTags || len(g.Similar) != 2 || g.CanonicalArtist != "Correct Artist" {
		t.Errorf("got %+v", g)
	}
	empty := base.MergeLastFm(LastFmInfo{Listeners: -3})
	if empty.HasLastFm() || !empty.IsMiss() || empty.Listeners != 0 || empty.Validate() != nil {
		t.Errorf("empty %+v", empty)
	}
	tagsOnly := base.MergeLastFm(LastFmInfo{Tags: []string{" rock ", "", "rock"}})
	if !tagsOnly.HasLastFm() || !eq(tagsOnly.Tags, []string{"rock"}) {
		t.Errorf("tags %v", tagsOnly.Tags)
	}
	if got := AnalyzeDeezer([]DeezerInfo{Features{TrackID: "t"}.MergeDeezer(deezerHit()).DeezerInfo()}); got == nil || got.BPM.Avg != 120 || got.Gain.Avg != -8.5 {
		t.Errorf("DeezerInfo round trip %+v", got)
	}
	if got := f.LastFmInfo(); got.Listeners != 10000 || len(got.Tags) != MaxTags {
		t.Errorf("LastFmInfo %+v", got)
	}
}

func TestEstimateEnergy(t *testing.T) {
	for _, c := range []struct {
		gain, bpm *float64
		want      *float64
	}{
		{nil, fp(120), nil},
		{fp(-3), nil, fp(0)}, {fp(-15), nil, fp(1)}, {fp(-9), nil, fp(0.5)}, {fp(5), nil, fp(0)},
		{fp(-15), fp(180), fp(1)}, {fp(-3), fp(60), fp(0)}, {fp(-9), fp(120), fp(0.5)},
	} {
		got := EstimateEnergy(c.gain, c.bpm)
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("EstimateEnergy(%v,%v) = %v, want %v", deref(c.gain), deref(c.bpm), deref(got), deref(c.want))
		}
	}
	f := Features{TrackID: "t"}.MergeDeezer(deezerHit())
	if f.Energy == nil || *f.Energy < 0 || *f.Energy > 1 {
		t.Errorf("energy %v", deref(f.Energy))
	}
}

func TestFeaturesValidate(t *testing.T) {
	good := Features{TrackID: "t"}.MergeDeezer(deezerHit()).MergeLastFm(LastFmInfo{Listeners: 1, Tags: []string{"rock"}})
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, mutate := range map[string]func(*Features){
		"trackId":          func(f *Features) { f.TrackID = "" },
		"bpm":              func(f *Features) { f.BPM = fp(0) },
		"gain":             func(f *Features) { f.Gain = fp(nan()) },
		"rank":             func(f *Features) { f.Rank = i64(-1) },
		"energy":           func(f *Features) { f.Energy = fp(2) },
		"source":           func(f *Features) { f.Source = "spotify" },
		"listeners":        func(f *Features) { f.Listeners = -1 },
		"playcount":        func(f *Features) { f.Playcount = -1 },
		"tags":             func(f *Features) { f.Tags = make([]string, 11) },
		"similar":          func(f *Features) { f.Similar = make([]SimilarTrack, 21) },
		"similar[0].match": func(f *Features) { f.Similar = []SimilarTrack{{Match: -1}} },
	} {
		f := good.clone()
		mutate(&f)
		wantField(t, f.Validate(), field, ErrInvalid)
	}
	b, _ := json.Marshal(good)
	var back Features
	if json.Unmarshal(b, &back) != nil || back.Validate() != nil || *back.BPM != 120 {
		t.Errorf("round trip %s", b)
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestCandidateWithFeatures(t *testing.T) {
	f := Features{TrackID: "t", ReleaseDate: "1999-01-01"}.MergeDeezer(deezerHit()).MergeLastFm(LastFmInfo{Tags: []string{"indie"}})
	c := cand("t", nil, nil).WithFeatures(f)
	if *c.BPM != 120 || c.Energy == nil || !eq(c.Genres, []string{"indie"}) || c.ReleaseDate != "2015-01-01" {
		t.Errorf("got %+v", c)
	}
	c2 := Candidate{TrackID: "t"}.WithFeatures(f)
	if c2.ReleaseDate != "2023-01-15" {
		t.Errorf("release %q", c2.ReleaseDate)
	}
}

// The reference's 32-bit Last.fm key collided ("Aa"/"BB", non-Latin
// titles of equal length; §6 #39). TrackKey must not.
func TestTrackKey(t *testing.T) {
	if TrackKey("Queen", " Bohemian Rhapsody ") != TrackKey("queen", "bohemian rhapsody") {
		t.Error("case or spacing changes the key")
	}
	distinct := [][2]string{
		{"Aa", "x"}, {"BB", "x"}, {"Beyoncé", "Halo"}, {"Beyonc_", "Halo"}, {"ab", "c"}, {"a", "bc"},
		{"Sigur Rós", "Hoppípolla"}, {"Sigur R_s", "Hopp_polla"}, {"a|b", "c"}, {"a", "b|c"}, {"🎵", "x"}, {"", ""},
	}
	seen := map[string][2]string{}
	for _, d := range distinct {
		k := TrackKey(d[0], d[1])
		if prev, ok := seen[k]; ok {
			t.Errorf("%v and %v share key %q", prev, d, k)
		}
		seen[k] = d
	}
}
