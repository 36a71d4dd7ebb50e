package sim

import (
	"sync"
	"time"
)

// APIStats is the accounting of one simulated API since start or reset.
type APIStats struct {
	Requests    int64 `json:"requests"`
	InFlight    int64 `json:"in_flight"`
	MaxInFlight int64 `json:"max_in_flight"`
	Faults      int64 `json:"faults_injected"`
}

// Stats is the body of GET /_sim/stats. Tests and djload judge the
// service's rate discipline from it, so it counts what actually arrived on
// the wire rather than what the service believes it sent.
type Stats struct {
	APIs map[string]APIStats `json:"apis"`
	// TotalRequests counts every request that entered the window
	// accounting (all upstream calls a server makes; browser redirects to
	// /accounts/authorize and /_sim control calls are not counted).
	TotalRequests int64 `json:"total_requests"`
	// MaxRequestsInAny1sWindow is the largest number of counted requests
	// that started inside any sliding one-second window.
	MaxRequestsInAny1sWindow int `json:"max_requests_in_any_1s_window"`
	// WindowRequests is how many requests started in the last second.
	WindowRequests int `json:"window_requests"`
	// FirstRequestAt and LastRequestAt bound the counted traffic, so a
	// caller can compute mean use of the window over a run.
	FirstRequestAt *time.Time `json:"first_request_at,omitempty"`
	LastRequestAt  *time.Time `json:"last_request_at,omitempty"`
	Since          time.Time  `json:"since"`
}

// accounting counts requests per API and the sliding one-second window
// across all of them. Every method is safe for concurrent use.
type accounting struct {
	mu     sync.Mutex
	now    func() time.Time
	apis   map[string]*APIStats
	total  int64
	starts []time.Time // start times inside the last second, oldest first
	maxWin int
	first  time.Time
	last   time.Time
	since  time.Time
}

func newAccounting(now func() time.Time) *accounting {
	return &accounting{now: now, apis: map[string]*APIStats{}, since: now()}
}

// begin records the start of a request to api and returns the function
// that records its end. windowed says whether it counts toward the global
// window (upstream calls do; browser redirects do not).
func (a *accounting) begin(api string, windowed bool) (end func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.api(api)
	s.Requests++
	s.InFlight++
	if s.InFlight > s.MaxInFlight {
		s.MaxInFlight = s.InFlight
	}
	if windowed {
		a.countWindow(a.now())
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			a.api(api).InFlight--
			a.mu.Unlock()
		})
	}
}

// countWindow adds one start at t. The maximum over all sliding windows is
// reached by a window that ends at some start, so checking at each start
// is exact.
func (a *accounting) countWindow(t time.Time) {
	a.total++
	if a.first.IsZero() {
		a.first = t
	}
	a.last = t
	a.starts = append(a.starts, t)
	a.trim(t)
	if n := len(a.starts); n > a.maxWin {
		a.maxWin = n
	}
}

// trim drops starts that are a full second or more older than t.
func (a *accounting) trim(t time.Time) {
	cut := 0
	for cut < len(a.starts) && t.Sub(a.starts[cut]) >= time.Second {
		cut++
	}
	if cut > 0 {
		a.starts = append(a.starts[:0], a.starts[cut:]...)
	}
}

func (a *accounting) fault(api string) {
	a.mu.Lock()
	a.api(api).Faults++
	a.mu.Unlock()
}

func (a *accounting) api(name string) *APIStats {
	s, ok := a.apis[name]
	if !ok {
		s = &APIStats{}
		a.apis[name] = s
	}
	return s
}

func (a *accounting) snapshot() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	a.trim(now)
	out := Stats{
		APIs:                     make(map[string]APIStats, len(a.apis)),
		TotalRequests:            a.total,
		MaxRequestsInAny1sWindow: a.maxWin,
		WindowRequests:           len(a.starts),
		Since:                    a.since,
	}
	for name, s := range a.apis {
		out.APIs[name] = *s
	}
	if !a.first.IsZero() {
		first, last := a.first, a.last
		out.FirstRequestAt, out.LastRequestAt = &first, &last
	}
	return out
}

// reset zeroes the counters. Requests in flight keep their in-flight
// count so it does not go negative when they finish.
func (a *accounting) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.apis {
		*s = APIStats{InFlight: s.InFlight, MaxInFlight: s.InFlight}
	}
	a.total, a.maxWin = 0, 0
	a.starts = a.starts[:0]
	a.first, a.last = time.Time{}, time.Time{}
	a.since = a.now()
}
