package mix

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// t0 is the fixed clock of the tests.
var t0 = time.Date(2025, 1, 1, 20, 0, 0, 0, time.UTC)

const testSessionID = "1b2c3d4e-5f60-4172-8394-a5b6c7d8e9f0"

func fp(f float64) *float64 { return &f }
func ip(i int) *int         { return &i }

// newTestSession builds a valid default session or fails the test.
func newTestSession(t *testing.T) *Session {
	t.Helper()
	s, err := NewSession(testSessionID, "user-123", nil, t0)
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	return s
}

// queued builds a queue entry named after its id.
func queued(id string) QueuedTrack {
	return QueuedTrack{AddedBy: AddedByAI, Artist: "Artist " + id, Name: "Song " + id, TrackID: id, TrackURI: "spotify:track:" + id, VibeScore: 50}
}

// played builds a history entry named after its id.
func played(id string, bpm, energy *float64) PlayedTrack {
	return PlayedTrack{Artist: "Artist " + id, Name: "Song " + id, TrackID: id, TrackURI: "spotify:track:" + id, BPM: bpm, Energy: energy, PlayedAt: t0}
}

// queueIDs lists the track ids of the queue and checks positions.
func queueIDs(t *testing.T, s *Session) []string {
	t.Helper()
	ids := make([]string, len(s.Queue))
	for i, q := range s.Queue {
		if q.Position != i {
			t.Fatalf("queue[%d].position = %d", i, q.Position)
		}
		ids[i] = q.TrackID
	}
	return ids
}

// near compares floats to a relative tolerance for values we do not
// claim to reproduce bit for bit.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// wantField asserts err is a FieldError on field wrapping sentinel.
func wantField(t *testing.T, err error, field string, sentinel error) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field || !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want FieldError{%s} wrapping %v", err, field, sentinel)
	}
}

func eq[T comparable](a, b []T) bool {
	return fmt.Sprint(a) == fmt.Sprint(b) && len(a) == len(b)
}
