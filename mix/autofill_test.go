package mix

import "testing"

func sug(id string, score int) Suggestion {
	return Suggestion{Artist: "A" + id, Name: "N" + id, Reason: "r" + id, TrackID: id, TrackURI: "spotify:track:" + id, VibeScore: score}
}

func TestFillNeed(t *testing.T) {
	s := sessionWithQueue(t, "a", "b")
	if s.FillNeed() != 3 || s.SuggestionRequest() != 6 {
		t.Errorf("need %d request %d", s.FillNeed(), s.SuggestionRequest())
	}
	s.Preferences.AutoFill = false
	if s.FillNeed() != 0 || s.SuggestionRequest() != 0 {
		t.Error("auto-fill off still needs tracks")
	}
	full := sessionWithQueue(t, "1", "2", "3", "4", "5", "6")
	if full.FillNeed() != 0 {
		t.Error("over-full queue needs tracks")
	}
}

func TestAutoFill(t *testing.T) {
	s := sessionWithQueue(t, "q1", "q2")
	s.AddToHistory(played("h1", nil, nil))
	added := s.AutoFill([]Suggestion{sug("q1", 90), sug("h1", 90), sug("x", 80), sug("x", 80), sug("y", 70), sug("z", 60), sug("w", 50)})
	if ids := queueIDs(t, s); !eq(ids, []string{"q1", "q2", "x", "y", "z"}) {
		t.Errorf("queue %v", ids)
	}
	if len(added) != 3 || added[0].AddedBy != AddedByAI || added[0].Reason != "rx" || added[0].VibeScore != 80 || added[0].Position != 2 {
		t.Errorf("added %+v", added)
	}
	if more := s.AutoFill([]Suggestion{sug("v", 50)}); len(more) != 0 {
		t.Error("filled past the target")
	}
	if s.Validate() != nil {
		t.Error(s.Validate())
	}
}

// The reference never reached its fallback pool (§6 #3); TakeFallback
// hands out unused seed URIs.
func TestTakeFallback(t *testing.T) {
	s := sessionWithQueue(t, "a")
	s.AddToHistory(played("b", nil, nil))
	s.FallbackPool = []string{"spotify:track:a", "spotify:track:c", "spotify:track:b", "spotify:track:d", "spotify:track:e"}
	got := s.TakeFallback(2)
	if !eq(got, []string{"spotify:track:c", "spotify:track:d"}) || !eq(s.FallbackPool, []string{"spotify:track:e"}) {
		t.Errorf("got %v pool %v", got, s.FallbackPool)
	}
	if got := s.TakeFallback(5); !eq(got, []string{"spotify:track:e"}) || len(s.FallbackPool) != 0 {
		t.Errorf("got %v pool %v", got, s.FallbackPool)
	}
	if got := s.TakeFallback(5); got == nil || len(got) != 0 {
		t.Errorf("empty pool: %#v", got)
	}
}
