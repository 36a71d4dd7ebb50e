package mix

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestClassifySignal(t *testing.T) {
	for _, c := range []struct {
		listen, dur int64
		want        SignalType
	}{
		{1000, 0, SignalPartial}, {1000, -5, SignalPartial},
		{160_000, 200_000, SignalCompleted}, {200_000, 200_000, SignalCompleted},
		{29_999, 200_000, SignalSkipped}, {30_000, 200_000, SignalPartial},
		{20_000, 24_000, SignalCompleted}, // ratio wins over the 30 s rule
	} {
		if got := ClassifySignal(c.listen, c.dur); got != c.want {
			t.Errorf("ClassifySignal(%d,%d) = %s, want %s", c.listen, c.dur, got, c.want)
		}
	}
}

func signal(kind SignalType) ListenerSignal {
	return ListenerSignal{TrackID: "t", Type: kind, ListenDuration: 1, TrackDuration: 2, Timestamp: t0.UnixMilli()}
}

// §5.3 taste vectors.
func TestTasteUpdates(t *testing.T) {
	s := newTestSession(t)
	record := func(kind SignalType, artist string) {
		t.Helper()
		if _, err := s.RecordSignal(signal(kind), artist, t0); err != nil {
			t.Fatal(err)
		}
	}
	record(SignalPartial, "Daft Punk")
	if s.TasteModel != nil {
		t.Fatal("partial signal created a taste model")
	}
	record(SignalCompleted, "Daft Punk")
	if got := s.TasteModel.Affinity("Daft Punk"); got != 0.1 {
		t.Errorf("after complete: %v", got)
	}
	if s.TasteModel.BPMPreference != [2]float64{80, 140} || s.TasteModel.EnergyPreference != 0.5 || s.TasteModel.UpdatedAt != t0.UnixMilli() {
		t.Errorf("new model %+v", s.TasteModel)
	}
	record(SignalSkipped, "Daft Punk")
	if got := s.TasteModel.Affinity("Daft Punk"); got != -0.1 || !eq(s.TasteModel.SkipPatterns, []string{"Daft Punk"}) {
		t.Errorf("after skip: %v %v", got, s.TasteModel.SkipPatterns)
	}
	record(SignalSkipped, "Daft Punk")
	if got := s.TasteModel.Affinity("Daft Punk"); got != -0.30000000000000004 || len(s.TasteModel.SkipPatterns) != 1 {
		t.Errorf("after second skip: %v %v", got, s.TasteModel.SkipPatterns)
	}
	record(SignalPartial, "Daft Punk")
	if got := s.TasteModel.Affinity("Daft Punk"); got != -0.30000000000000004 {
		t.Errorf("partial changed affinity: %v", got)
	}
	for range 12 {
		record(SignalCompleted, "Caribou")
	}
	if got := s.TasteModel.Affinity("Caribou"); got != 1 {
		t.Errorf("12 completes: %v", got)
	}
	for range 6 {
		record(SignalSkipped, "Muse")
	}
	if got := s.TasteModel.Affinity("Muse"); got != -1 {
		t.Errorf("6 skips: %v", got)
	}
	if len(s.Signals) != 23 || s.Validate() != nil {
		t.Errorf("signals %d, valid %v", len(s.Signals), s.Validate())
	}
}

func TestSkipPatternsCap(t *testing.T) {
	s := newTestSession(t)
	for i := range 22 {
		_, _ = s.RecordSignal(signal(SignalSkipped), "artist-"+itoa(i), t0)
	}
	p := s.TasteModel.SkipPatterns
	if len(p) != 20 || p[0] != "artist-2" || p[19] != "artist-21" {
		t.Errorf("patterns %v", p)
	}
}

func TestSignalsCap(t *testing.T) {
	s := newTestSession(t)
	for i := range 60 {
		sig := signal(SignalPartial)
		sig.TrackID = itoa(i)
		_, _ = s.RecordSignal(sig, "", t0)
	}
	if len(s.Signals) != MaxSignals || s.Signals[0].TrackID != "10" || s.Signals[49].TrackID != "59" {
		t.Errorf("signals %d first %s", len(s.Signals), s.Signals[0].TrackID)
	}
}

func TestSkipStreakClearsQueue(t *testing.T) {
	s := sessionWithQueue(t, "a", "b")
	for i, kind := range []SignalType{SignalSkipped, SignalCompleted, SignalSkipped, SignalSkipped} {
		cleared, _ := s.RecordSignal(signal(kind), "x", t0)
		if cleared {
			t.Fatalf("cleared after signal %d", i)
		}
	}
	cleared, _ := s.RecordSignal(signal(SignalSkipped), "x", t0)
	if !cleared || len(s.Queue) != 0 {
		t.Errorf("cleared %v queue %d", cleared, len(s.Queue))
	}
	cleared, _ = s.RecordSignal(signal(SignalSkipped), "x", t0)
	if cleared {
		t.Error("empty queue reported as cleared")
	}
}

func TestRecordSignalRejectsGarbage(t *testing.T) {
	s := newTestSession(t)
	_, err := s.RecordSignal(ListenerSignal{Type: SignalSkipped}, "x", t0)
	wantField(t, err, "trackId", ErrInvalid)
	if len(s.Signals) != 0 {
		t.Error("invalid signal stored")
	}
}

func TestTasteContext(t *testing.T) {
	var none *TasteModel
	if !none.Context().Empty() || none.Affinity("x") != 0 {
		t.Error("nil model not empty")
	}
	m := newTasteModel(t0)
	m.GenreWeights = map[string]float64{"rock": 0.5, "pop": -0.5, "jazz": 0.1, "house": 0.3}
	m.SkipPatterns = []string{"a", "b", "c", "d", "e", "f"}
	c := m.Context()
	if !eq(c.LikedGenres, []string{"house", "rock"}) || !eq(c.DislikedGenres, []string{"pop"}) || !eq(c.SkippedArtists, []string{"b", "c", "d", "e", "f"}) {
		t.Errorf("context %+v", c)
	}
	b, _ := json.Marshal(TasteModel{})
	if !strings.Contains(string(b), `"artistAffinities":{}`) || !strings.Contains(string(b), `"skipPatterns":[]`) {
		t.Errorf("json %s", b)
	}
}

func TestBlankArtistLeavesTasteAlone(t *testing.T) {
	s := newTestSession(t)
	if _, err := s.RecordSignal(signal(SignalSkipped), "  ", t0); err != nil || s.TasteModel != nil || len(s.Signals) != 1 {
		t.Errorf("taste %+v signals %d err %v", s.TasteModel, len(s.Signals), err)
	}
}
