package reliability

import (
	"context"
	"testing"
	"time"

	"dj/upstream/sim"
)

// simCtl drives a simulator's control routes (/_sim/...).
type simCtl struct {
	t *testing.T
	c *client
}

func newSimCtl(t *testing.T, url string) *simCtl {
	c := newClient(url)
	t.Cleanup(c.close)
	return &simCtl{t: t, c: c}
}

// inject adds fault rules (POST /_sim/faults).
func (s *simCtl) inject(faults ...sim.Fault) {
	s.t.Helper()
	if err := s.c.json(context.Background(), "POST", "/_sim/faults", "", faults, nil); err != nil {
		s.t.Fatalf("inject %+v: %v", faults, err)
	}
}

// clear removes every fault rule.
func (s *simCtl) clear() {
	s.t.Helper()
	if _, err := s.c.do(context.Background(), "DELETE", "/_sim/faults", "", nil); err != nil {
		s.t.Fatal(err)
	}
}

// active lists the rules not yet spent.
func (s *simCtl) active() []sim.Fault {
	s.t.Helper()
	var out []sim.Fault
	if err := s.c.json(context.Background(), "GET", "/_sim/faults", "", nil, &out); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// waitSpent waits until every rule has fired its count, and returns how
// long that took; false when limit passed first.
func (s *simCtl) waitSpent(limit time.Duration) (time.Duration, bool) {
	s.t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if len(s.active()) == 0 {
			return time.Since(start), true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start), false
}

// stats reads the simulator's accounting.
func (s *simCtl) stats() sim.Stats {
	s.t.Helper()
	var st sim.Stats
	if err := s.c.json(context.Background(), "GET", "/_sim/stats", "", nil, &st); err != nil {
		s.t.Fatal(err)
	}
	return st
}

// waitFor polls cond every 50 ms until it holds or limit passes; it
// returns how long it took and whether it held.
func waitFor(limit time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for {
		if cond() {
			return time.Since(start), true
		}
		if time.Since(start) > limit {
			return time.Since(start), false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// resetStats starts the simulator's accounting afresh (POST /_sim/reset).
func (s *simCtl) resetStats() {
	s.t.Helper()
	if err := s.c.json(context.Background(), "POST", "/_sim/reset", "", nil, nil); err != nil {
		s.t.Fatal(err)
	}
}

// statSample is one reading of an API's counters.
type statSample struct {
	at               time.Time
	requests, faults int64
}

// sample reads api's counters every 20 ms until stop is closed.
func (s *simCtl) sample(api string, stop <-chan struct{}) []statSample {
	var out []statSample
	for {
		var st sim.Stats
		if err := s.c.json(context.Background(), "GET", "/_sim/stats", "", nil, &st); err == nil {
			a := st.APIs[api]
			out = append(out, statSample{at: time.Now(), requests: a.Requests, faults: a.Faults})
		}
		select {
		case <-stop:
			return out
		case <-time.After(20 * time.Millisecond):
		}
	}
}
