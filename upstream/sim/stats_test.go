package sim

import (
	"testing"
	"time"
)

func TestWindowCountsTheBusiestSecond(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	now := t0
	a := newAccounting(func() time.Time { return now })
	fire := func(at time.Duration, n int) {
		now = t0.Add(at)
		for i := 0; i < n; i++ {
			a.begin("spotify", true)()
		}
	}
	fire(0, 30)
	fire(500*time.Millisecond, 25)  // 55 inside (−0.5 s, 0.5 s]
	fire(1600*time.Millisecond, 10) // the 25 are 1.1 s old by now
	fire(2599*time.Millisecond, 20) // 30 inside (1.599 s, 2.599 s]
	a.begin("accounts", false)()    // browser redirect: not windowed
	s := a.snapshot()
	if s.MaxRequestsInAny1sWindow != 55 {
		t.Fatalf("max window = %d, want 55", s.MaxRequestsInAny1sWindow)
	}
	if s.TotalRequests != 85 || s.APIs["spotify"].Requests != 85 || s.APIs["accounts"].Requests != 1 {
		t.Fatalf("counts wrong: %+v", s)
	}
	a.reset()
	if s := a.snapshot(); s.MaxRequestsInAny1sWindow != 0 || s.TotalRequests != 0 {
		t.Fatalf("reset left %+v", s)
	}
}

func TestInFlightMaximum(t *testing.T) {
	a := newAccounting(time.Now)
	var ends []func()
	for i := 0; i < 7; i++ {
		ends = append(ends, a.begin("deezer", true))
	}
	for _, end := range ends {
		end()
		end() // a second call must not count twice
	}
	s := a.snapshot().APIs["deezer"]
	if s.MaxInFlight != 7 || s.InFlight != 0 {
		t.Fatalf("got %+v, want max 7 and none in flight", s)
	}
}
