package mix

import (
	"encoding/json"
	"strings"
	"testing"
)

// engineVibe is the reference SuggestionEngine test vibe.
func engineVibe(f func(*Vibe)) Vibe {
	v := DefaultVibe()
	v.BPMRange = BPMRange{Min: 100, Max: 140}
	v.EnergyLevel = 7
	v.Era = Era{Start: 2000, End: 2020}
	v.Genres = []string{"rock", "indie"}
	if f != nil {
		f(&v)
	}
	return v
}

func cand(id string, bpm *float64, energy *float64, genres ...string) Candidate {
	return Candidate{
		TrackID: id, TrackURI: "spotify:track:" + id, Name: "Song " + id, Artist: "Artist " + id,
		ReleaseDate: "2015-01-01", BPM: bpm, Energy: energy, Genres: genres,
	}
}

// §5.2 #6–11 and the extra exact points.
func TestScoreSuggestion(t *testing.T) {
	for _, c := range []struct {
		name string
		vibe func(*Vibe)
		c    Candidate
		want int
	}{
		{"#6 on target", func(v *Vibe) { v.BPMRange = BPMRange{115, 125} }, cand("t", fp(120), fp(0.7)), 85},
		{"#7 genres clamp", func(v *Vibe) { v.BPMRange = BPMRange{115, 125}; v.Genres = []string{"rock", "indie", "alternative"} },
			cand("t", fp(120), fp(0.7), "rock", "indie"), 100},
		{"#8 energy near", func(v *Vibe) { v.BPMRange = BPMRange{115, 125} }, cand("t", fp(120), fp(0.75)), 85},
		{"#9 era inside", func(v *Vibe) { v.BPMRange = BPMRange{115, 125}; v.Era = Era{2010, 2020} },
			func() Candidate { c := cand("t", fp(120), fp(0.7)); c.ReleaseDate = "2015-06-15"; return c }(), 85},
		{"#10 bpm far", func(v *Vibe) { v.BPMRange = BPMRange{100, 120} }, cand("t", fp(150), fp(0.7)), 61},
		{"#11 bpm null", func(v *Vibe) { v.BPMRange = BPMRange{100, 120} }, cand("t", nil, fp(0.7)), 70},
		{"all unknown", nil, cand("t", nil, nil), 55},
		{"energy 0.9 just outside 0.2", nil, cand("t", nil, fp(0.9)), 55},
		{"energy 0.5 just inside 0.2", nil, cand("t", nil, fp(0.5)), 70},
		{"energy 0.2", nil, cand("t", nil, fp(0.2)), 45},
		{"energy 0.4", nil, cand("t", nil, fp(0.4)), 55},
		{"bpm 125", nil, cand("t", fp(125), nil), 70},
		{"bpm 130", nil, cand("t", fp(130), nil), 64},
		{"bpm 140", nil, cand("t", fp(140), nil), 55},
		{"bpm 141", nil, cand("t", fp(141), nil), 46},
		{"bpm 0 is unknown", nil, cand("t", fp(0), nil), 55},
		{"genres case-insensitive", nil, cand("t", nil, nil, "ROCK"), 70},
	} {
		if got := ScoreSuggestion(engineVibe(c.vibe), c.c); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		release string
		want    int
	}{{"1995", 45}, {"1990", 35}, {"1989", 30}, {"", 30}, {"2015", 55}, {"2025-03-01", 45}} {
		cd := cand("t", nil, nil)
		cd.ReleaseDate = c.release
		if got := ScoreSuggestion(engineVibe(nil), cd); got != c.want {
			t.Errorf("release %q: got %d, want %d", c.release, got, c.want)
		}
	}
}

// §5.2 #12–15 and extras (from bpm 120, target energy 0.5).
func TestFlowScore(t *testing.T) {
	for _, c := range []struct {
		from, to, energy *float64
		target           float64
		want             int
	}{
		{fp(120), fp(122), fp(0.7), 0.5, 99},
		{fp(120), fp(128), fp(0.7), 0.5, 99},
		{fp(120), fp(155), fp(0.7), 0.5, 54},
		{fp(120), nil, fp(0.7), 0.5, 69},
		{fp(120), fp(118), nil, 0.5, 100},
		{nil, nil, nil, 0.5, 70},
		{fp(120), fp(140), fp(0.9), 0.5, 72},
		{fp(120), fp(122), fp(0.9), 0.9, 100},
		{fp(120), fp(118), nil, 0.8, 100}, // unknown energy counts as on target
	} {
		if got := FlowScore(c.from, c.to, c.energy, c.target); got != c.want {
			t.Errorf("FlowScore(%v→%v, e=%v, t=%v) = %d, want %d", deref(c.from), deref(c.to), deref(c.energy), c.target, got, c.want)
		}
	}
}

// engineSession is a session with the engine vibe and the given history.
func engineSession(t *testing.T, history ...PlayedTrack) *Session {
	s := newTestSession(t)
	s.Vibe = engineVibe(func(v *Vibe) { v.BPMRange = BPMRange{110, 130} })
	for i := len(history) - 1; i >= 0; i-- {
		s.AddToHistory(history[i])
	}
	return s
}

// §5.2 #1–5 and #16–18, on the pure part of the engine: the Last.fm
// similar merge and the ranking of resolved candidates.
func TestSuggest(t *testing.T) {
	song1 := played("1", fp(120), nil)
	t.Run("#1 similar fallback", func(t *testing.T) {
		s := engineSession(t, song1)
		got := s.Suggest([]Candidate{cand("2", fp(118), nil), cand("3", fp(125), nil)}, SourceSimilar, 5)
		want := []Suggestion{
			{Artist: "Artist 2", BPM: fp(118), Name: "Song 2", Reason: "BPM 118 matches vibe • Smooth transition", TrackID: "2", TrackURI: "spotify:track:2", VibeScore: 85},
			{Artist: "Artist 3", BPM: fp(125), Name: "Song 3", Reason: "BPM 125 matches vibe • Smooth transition", TrackID: "3", TrackURI: "spotify:track:3", VibeScore: 85},
		}
		assertSuggestions(t, got, want)
	})
	t.Run("#2 played and repeated candidates dropped", func(t *testing.T) {
		// The reference returned [track3, track3]; we drop the repeat (§6 #5).
		s := engineSession(t, song1, played("2", fp(120), nil))
		got := s.Suggest([]Candidate{cand("2", fp(120), nil), cand("3", fp(120), nil), cand("3", fp(120), nil)}, SourceSimilar, 5)
		if len(got) != 1 || got[0].TrackID != "3" || got[0].VibeScore != 85 {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("#3 queued candidates dropped", func(t *testing.T) {
		s := engineSession(t, song1)
		if err := s.Enqueue(queued("2")); err != nil {
			t.Fatal(err)
		}
		got := s.Suggest([]Candidate{cand("2", fp(120), nil), cand("3", fp(120), nil)}, SourceSimilar, 5)
		if len(got) != 1 || got[0].TrackID != "3" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("#4/#5/#16 nothing to rank", func(t *testing.T) {
		for _, s := range []*Session{engineSession(t, song1), engineSession(t)} {
			if got := s.Suggest(nil, SourceSimilar, 5); got == nil || len(got) != 0 {
				t.Errorf("got %+v", got)
			}
		}
	})
	t.Run("#18 no album art", func(t *testing.T) {
		s := engineSession(t, song1)
		got := s.Suggest([]Candidate{cand("2", fp(120), nil)}, SourceSimilar, 5)
		b, _ := json.Marshal(got[0])
		if got[0].VibeScore != 85 || strings.Contains(string(b), "albumArt") {
			t.Errorf("got %s", b)
		}
	})
	t.Run("initial path uses vibe score and AI reasons", func(t *testing.T) {
		s := engineSession(t)
		c1, c2 := cand("a", nil, nil), cand("b", fp(120), nil)
		c2.Reason = "opener"
		got := s.Suggest([]Candidate{c1, c2}, SourceAI, 5)
		if len(got) != 2 || got[0].TrackID != "b" || got[0].VibeScore != 70 || got[0].Reason != "opener" ||
			got[1].VibeScore != 55 || got[1].Reason != reasonInitial {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("context path averages with flow from the newest track", func(t *testing.T) {
		// History newest first: the 90-BPM track was played last. The
		// reference scored against the oldest entry (§6 #1).
		s := engineSession(t, played("new", fp(90), nil), played("old", fp(120), nil))
		got := s.Suggest([]Candidate{cand("x", fp(120), nil)}, SourceAI, 5)
		flow := FlowScore(fp(90), fp(120), nil, 0.7)
		if want := int(jsRound(float64(70+flow) / 2)); got[0].VibeScore != want || got[0].Reason != reasonContext {
			t.Errorf("got %+v, want score %d", got[0], want)
		}
	})
	t.Run("AI path keeps the model's first picks, then ranks", func(t *testing.T) {
		s := engineSession(t)
		got := s.Suggest([]Candidate{cand("a", nil, nil), cand("b", nil, nil), cand("c", fp(120), nil)}, SourceAI, 2)
		if len(got) != 2 || got[0].TrackID != "a" || got[1].TrackID != "b" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("similar path ranks all, then cuts", func(t *testing.T) {
		s := engineSession(t, song1)
		got := s.Suggest([]Candidate{cand("a", fp(200), nil), cand("b", fp(120), nil)}, SourceSimilar, 1)
		if len(got) != 1 || got[0].TrackID != "b" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("preferences filter", func(t *testing.T) {
		s := engineSession(t, song1)
		s.Preferences.AvoidGenres = []string{"Country"}
		s.Preferences.BPMLock = &BPMRange{Min: 110, Max: 130}
		got := s.Suggest([]Candidate{cand("a", fp(150), nil), cand("b", nil, nil, "country"), cand("c", nil, nil)}, SourceSimilar, 5)
		if len(got) != 1 || got[0].TrackID != "c" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("reasons", func(t *testing.T) {
		s := engineSession(t, song1)
		got := s.Suggest([]Candidate{cand("a", fp(200), nil, "Indie"), cand("b", fp(200), nil)}, SourceSimilar, 5)
		if got[0].Reason != "Matches genres: Indie" || got[1].Reason != reasonSimilar {
			t.Errorf("got %q / %q", got[0].Reason, got[1].Reason)
		}
	})
}

func assertSuggestions(t *testing.T, got, want []Suggestion) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("got  %s\nwant %s", g, w)
	}
	for _, s := range got {
		if err := s.Validate(); err != nil {
			t.Errorf("invalid suggestion %+v: %v", s, err)
		}
	}
}

// Property: suggestion and flow scores stay within 0–100.
func TestScoreBounds(t *testing.T) {
	for _, b := range []*float64{nil, fp(0), fp(45), fp(120), fp(220), fp(400)} {
		for _, e := range []*float64{nil, fp(0), fp(0.5), fp(1)} {
			for _, g := range [][]string{nil, {"rock", "indie", "pop", "jazz"}} {
				c := cand("t", b, e, g...)
				v := engineVibe(func(v *Vibe) { v.Genres = []string{"rock", "indie", "pop", "jazz"} })
				if s := ScoreSuggestion(v, c); s < 0 || s > 100 {
					t.Fatalf("ScoreSuggestion = %d", s)
				}
				if s := FlowScore(fp(120), b, e, 0.3); s < 0 || s > 100 {
					t.Fatalf("FlowScore = %d", s)
				}
			}
		}
	}
}

func TestMergeSimilar(t *testing.T) {
	a := []SimilarTrack{{Artist: "Artist 2", Name: "Song 2", Match: 0.9}, {Artist: "Artist 3", Name: "Song 3", Match: 0.8}}
	b := []SimilarTrack{{Artist: "artist 3", Name: "song 3", Match: 0.95}, {Artist: "Artist 4", Name: "Song 4", Match: 0.1}}
	got := MergeSimilar(a, b)
	want := []SimilarTrack{{Artist: "artist 3", Name: "song 3", Match: 0.95}, {Artist: "Artist 2", Name: "Song 2", Match: 0.9}, {Artist: "Artist 4", Name: "Song 4", Match: 0.1}}
	if !eq(got, want) {
		t.Errorf("got %+v", got)
	}
	if got := MergeSimilar(); got == nil || len(got) != 0 {
		t.Errorf("empty merge = %#v", got)
	}
	if SimilarSearchLimit(5) != 15 {
		t.Error("SimilarSearchLimit")
	}
}

func TestRecentTracksNewestFirst(t *testing.T) {
	s := engineSession(t, played("c", nil, nil), played("b", nil, nil), played("a", nil, nil))
	got := s.RecentTracks(2)
	if len(got) != 2 || got[0].TrackID != "c" || got[1].TrackID != "b" {
		t.Errorf("got %+v", got)
	}
}
