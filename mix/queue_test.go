package mix

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func sessionWithQueue(t *testing.T, ids ...string) *Session {
	t.Helper()
	s := newTestSession(t)
	for _, id := range ids {
		if err := s.Enqueue(queued(id)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// §5.3 #18–26.
func TestQueueOperations(t *testing.T) {
	cases := []struct {
		name    string
		start   []string
		op      func(*Session) error
		want    []string
		wantErr error
		field   string
	}{
		{"#18 add first", nil, func(s *Session) error { return s.Enqueue(queued("t1")) }, []string{"t1"}, nil, ""},
		{"#19 add order", []string{"t1"}, func(s *Session) error { return s.Enqueue(queued("t2")) }, []string{"t1", "t2"}, nil, ""},
		{"supplied position is overwritten", nil, func(s *Session) error {
			q := queued("t1")
			q.Position = 7
			return s.Enqueue(q)
		}, []string{"t1"}, nil, ""},
		{"insert honours position (reference ignored it)", []string{"t1", "t2"}, func(s *Session) error { return s.InsertQueue(queued("t0"), 0) }, []string{"t0", "t1", "t2"}, nil, ""},
		{"insert past end appends", []string{"t1"}, func(s *Session) error { return s.InsertQueue(queued("t2"), 9) }, []string{"t1", "t2"}, nil, ""},
		{"insert negative", []string{"t1"}, func(s *Session) error { return s.InsertQueue(queued("t2"), -1) }, []string{"t1"}, ErrInvalidPosition, "position"},
		{"add invalid track", nil, func(s *Session) error { return s.Enqueue(QueuedTrack{AddedBy: AddedByUser, TrackID: "x"}) }, []string{}, ErrInvalid, "trackUri"},
		{"#21 remove middle", []string{"t1", "t2", "t3"}, func(s *Session) error { return s.RemoveFromQueue(1) }, []string{"t1", "t3"}, nil, ""},
		{"#22 remove from empty", nil, func(s *Session) error { return s.RemoveFromQueue(0) }, []string{}, ErrInvalidPosition, "position"},
		{"#23 remove out of range", []string{"t1"}, func(s *Session) error { return s.RemoveFromQueue(5) }, []string{"t1"}, ErrInvalidPosition, "position"},
		{"remove negative", []string{"t1"}, func(s *Session) error { return s.RemoveFromQueue(-1) }, []string{"t1"}, ErrInvalidPosition, "position"},
		{"#24 reorder 2→0", []string{"t1", "t2", "t3"}, func(s *Session) error { return s.ReorderQueue(2, 0) }, []string{"t3", "t1", "t2"}, nil, ""},
		{"reorder 0→2", []string{"t1", "t2", "t3"}, func(s *Session) error { return s.ReorderQueue(0, 2) }, []string{"t2", "t3", "t1"}, nil, ""},
		{"#25 reorder same", []string{"t1", "t2"}, func(s *Session) error { return s.ReorderQueue(0, 0) }, []string{"t1", "t2"}, nil, ""},
		{"#26 reorder bad from", []string{"t1", "t2", "t3"}, func(s *Session) error { return s.ReorderQueue(5, 0) }, []string{"t1", "t2", "t3"}, ErrInvalidPosition, "from"},
		{"#26 reorder bad to", []string{"t1", "t2", "t3"}, func(s *Session) error { return s.ReorderQueue(0, 10) }, []string{"t1", "t2", "t3"}, ErrInvalidPosition, "to"},
		{"clear", []string{"t1", "t2"}, func(s *Session) error { s.ClearQueue(); return nil }, []string{}, nil, ""},
		{"integration: remove then reorder", []string{"1", "2", "3"}, func(s *Session) error {
			if err := s.RemoveFromQueue(1); err != nil {
				return err
			}
			return s.ReorderQueue(0, 1)
		}, []string{"3", "1"}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := sessionWithQueue(t, c.start...)
			err := c.op(s)
			if c.wantErr == nil && err != nil {
				t.Fatalf("err %v", err)
			}
			if c.wantErr != nil {
				wantField(t, err, c.field, c.wantErr)
			}
			if got := queueIDs(t, s); !eq(got, c.want) {
				t.Errorf("queue %v, want %v", got, c.want)
			}
		})
	}
}

// §5.3 #20: the eleventh add fails and the queue stays at ten.
func TestQueueCap(t *testing.T) {
	s := newTestSession(t)
	var err error
	for i := range 11 {
		err = s.Enqueue(queued(itoa(i)))
	}
	if !errors.Is(err, ErrQueueFull) || len(s.Queue) != MaxQueueSize {
		t.Errorf("err %v, len %d", err, len(s.Queue))
	}
	if s.Validate() != nil {
		t.Error("full queue invalid")
	}
}

func TestQueueIndex(t *testing.T) {
	s := sessionWithQueue(t, "a", "b")
	if i, err := s.QueueIndex("", "spotify:track:b"); i != 1 || err != nil {
		t.Errorf("by uri: %d %v", i, err)
	}
	if i, err := s.QueueIndex("b", ""); i != 1 || err != nil {
		t.Errorf("by id: %d %v", i, err)
	}
	if _, err := s.QueueIndex("z", "spotify:track:z"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if _, err := s.QueueIndex("", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("blank matched: %v", err)
	}
}

// Property: any sequence of queue operations keeps positions equal to
// indexes, the size within the cap and the session valid.
func TestQueueInvariants(t *testing.T) {
	s := newTestSession(t)
	seed := uint32(7)
	next := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % n }
	for step := range 2000 {
		before := len(s.Queue)
		var err error
		switch next(5) {
		case 0, 1:
			err = s.InsertQueue(queued(itoa(step)), next(12)-1)
			if err == nil && len(s.Queue) != before+1 {
				t.Fatal("insert did not grow the queue")
			}
		case 2:
			err = s.RemoveFromQueue(next(12) - 1)
			if err == nil && len(s.Queue) != before-1 {
				t.Fatal("remove did not shrink the queue")
			}
		case 3:
			err = s.ReorderQueue(next(12)-1, next(12)-1)
			if len(s.Queue) != before {
				t.Fatal("reorder changed the length")
			}
		case 4:
			if next(10) == 0 {
				s.ClearQueue()
			}
		}
		if err != nil && len(s.Queue) != before {
			t.Fatalf("failed op changed the queue: %v", err)
		}
		if verr := s.Validate(); verr != nil {
			t.Fatalf("step %d: %v", step, verr)
		}
	}
}

// §5.3 #27–31.
func TestHistory(t *testing.T) {
	t.Run("#27 add", func(t *testing.T) {
		s := newTestSession(t)
		p := played("t1", fp(120), fp(0.5))
		s.AddToHistory(p)
		if len(s.History) != 1 || !playedEqual(s.History[0], p) || s.History[0].BPM == p.BPM {
			t.Errorf("got %+v", s.History)
		}
	})
	t.Run("#28 newest first", func(t *testing.T) {
		s := newTestSession(t)
		s.AddToHistory(played("t1", nil, nil))
		s.AddToHistory(played("t2", nil, nil))
		if s.History[0].TrackID != "t2" || s.History[1].TrackID != "t1" {
			t.Errorf("got %+v", s.History)
		}
	})
	t.Run("#29 cap", func(t *testing.T) {
		s := newTestSession(t)
		for i := range 25 {
			s.AddToHistory(played("track-"+itoa(i), nil, nil))
		}
		if len(s.History) != 20 || s.History[0].TrackID != "track-24" || s.History[19].TrackID != "track-5" {
			t.Errorf("len %d first %s last %s", len(s.History), s.History[0].TrackID, s.History[19].TrackID)
		}
	})
	t.Run("#30 evict", func(t *testing.T) {
		s := newTestSession(t)
		for i := range 21 {
			s.AddToHistory(played("track-"+itoa(i), nil, nil))
		}
		if s.History[0].TrackID != "track-20" || s.History[19].TrackID != "track-1" {
			t.Errorf("got %s..%s", s.History[0].TrackID, s.History[19].TrackID)
		}
	})
	t.Run("#31 nulls kept", func(t *testing.T) {
		s := newTestSession(t)
		s.AddToHistory(played("t1", nil, nil))
		if s.History[0].BPM != nil || s.History[0].Energy != nil {
			t.Error("nulls lost")
		}
	})
}

func TestAdvanceTo(t *testing.T) {
	t.Run("from queue", func(t *testing.T) {
		s := sessionWithQueue(t, "a", "b")
		s.Queue[0].AlbumArt = "https://img/a.jpg"
		res, err := s.AdvanceTo(PlayedTrack{TrackID: "a", BPM: fp(150), PlayedAt: t0})
		if err != nil || res != (AdvanceResult{Moved: true, FromQueue: true}) {
			t.Fatalf("res %+v err %v", res, err)
		}
		h := s.History[0]
		if h.Name != "Song a" || h.Artist != "Artist a" || h.TrackURI != "spotify:track:a" || h.AlbumArt != "https://img/a.jpg" {
			t.Errorf("history entry %+v", h)
		}
		if ids := queueIDs(t, s); !eq(ids, []string{"b"}) {
			t.Errorf("queue %v", ids)
		}
		if s.Vibe.BPMRange.Max != 150 {
			t.Errorf("vibe not updated: %+v", s.Vibe.BPMRange)
		}
	})
	t.Run("not queued", func(t *testing.T) {
		s := sessionWithQueue(t, "a")
		res, err := s.AdvanceTo(played("x", nil, nil))
		if err != nil || res != (AdvanceResult{Moved: true}) || len(s.Queue) != 1 || s.History[0].TrackID != "x" {
			t.Errorf("res %+v err %v", res, err)
		}
	})
	t.Run("reported twice records once", func(t *testing.T) {
		// The reference recorded each change from the player stream and
		// from the browser, so a track could enter history twice (§6 #15).
		s := sessionWithQueue(t, "a")
		p := played("a", nil, nil)
		first, _ := s.AdvanceTo(p)
		second, err := s.AdvanceTo(p)
		if !first.Moved || second.Moved || err != nil || len(s.History) != 1 {
			t.Errorf("first %+v second %+v history %d", first, second, len(s.History))
		}
	})
	t.Run("late duplicate after another track", func(t *testing.T) {
		s := newTestSession(t)
		_, _ = s.AdvanceTo(played("a", nil, nil))
		b := played("b", nil, nil)
		b.PlayedAt = t0.Add(5 * time.Second)
		_, _ = s.AdvanceTo(b)
		late := played("a", nil, nil)
		late.PlayedAt = t0.Add(6 * time.Second)
		if res, _ := s.AdvanceTo(late); res.Moved || len(s.History) != 2 {
			t.Errorf("late duplicate recorded: %+v", s.History)
		}
	})
	t.Run("genuine replay later is recorded", func(t *testing.T) {
		s := newTestSession(t)
		_, _ = s.AdvanceTo(played("a", nil, nil))
		b := played("b", nil, nil)
		b.PlayedAt = t0.Add(3 * time.Minute)
		_, _ = s.AdvanceTo(b)
		again := played("a", nil, nil)
		again.PlayedAt = t0.Add(6 * time.Minute)
		if res, _ := s.AdvanceTo(again); !res.Moved || len(s.History) != 3 {
			t.Errorf("replay dropped: %+v", res)
		}
	})
	t.Run("bad bpm is dropped, not fatal", func(t *testing.T) {
		// The reference stored Deezer's 0 (or 221–300) and then failed
		// validation, losing the whole transition (§6 #8).
		for _, b := range []float64{0, 10, 250, 300} {
			s := newTestSession(t)
			res, err := s.AdvanceTo(played("a", fp(b), nil))
			if err != nil || !res.Moved || s.History[0].BPM != nil || s.Validate() != nil {
				t.Errorf("bpm %v: res %+v err %v", b, res, err)
			}
		}
	})
	t.Run("invalid track", func(t *testing.T) {
		s := newTestSession(t)
		_, err := s.AdvanceTo(PlayedTrack{TrackID: "a", PlayedAt: t0})
		wantField(t, err, "trackUri", ErrInvalid)
		if len(s.History) != 0 {
			t.Error("history changed on error")
		}
	})
	t.Run("direction from energies of the last three plays", func(t *testing.T) {
		s := newTestSession(t)
		for i, e := range []float64{0.3, 0.5, 0.7} {
			p := played(itoa(i), nil, fp(e))
			p.PlayedAt = t0.Add(time.Duration(i) * time.Minute)
			if _, err := s.AdvanceTo(p); err != nil {
				t.Fatal(err)
			}
		}
		if s.Vibe.EnergyDirection != Building {
			t.Errorf("direction %s", s.Vibe.EnergyDirection)
		}
	})
}

func playedEqual(a, b PlayedTrack) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
