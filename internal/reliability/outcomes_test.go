package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// internalMarkers must never appear in an answer: Go and library
// internals, and the texts the simulator's faults put in upstream
// answers (which dj must log, not forward).
var internalMarkers = []string{
	"goroutine", ".go:", "panic", "runtime.", "reflect", "json: ", "unmarshal", "invalid character", "unexpected EOF",
	"connection reset", "broken pipe", "unterminated", "truncated", "Quota limit exceeded",
	"Rate Limit Exceeded", "Operation failed", "overloaded_error", "api_error", "Service Offline", "dj-offline",
	"context deadline exceeded", "context canceled", "upstream.", "actors.", "gobreaker",
}

// leakIn returns the first internal marker in body, or "".
func leakIn(body string) string {
	for _, m := range internalMarkers {
		if strings.Contains(body, m) {
			return m
		}
	}
	return ""
}

// outcomes records the answers one class of clients got under load.
type outcomes struct {
	mu        sync.Mutex
	statuses  map[int]int
	latencies []time.Duration
	bad       []string // answers that broke a rule
	events    map[string]int
	degraded  int
	healthy   int
}

func newOutcomes() *outcomes {
	return &outcomes{statuses: map[int]int{}, events: map[string]int{}}
}

// record checks one answer against the rules every answer obeys: a 2xx,
// or a problem document (with Retry-After on a 503) whose status is in
// allowed; never anything internal.
func (o *outcomes) record(what string, r reply, d time.Duration, allowed ...int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.statuses[r.status]++
	o.latencies = append(o.latencies, d)
	if m := leakIn(string(r.body)); m != "" {
		o.bad = append(o.bad, fmt.Sprintf("%s: %d shows %q: %.300s", what, r.status, m, r.body))
	}
	if r.status >= 200 && r.status < 300 {
		return
	}
	if !slices.Contains(allowed, r.status) {
		o.bad = append(o.bad, fmt.Sprintf("%s: status %d: %.300s", what, r.status, r.body))
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || json.Unmarshal(r.body, &p) != nil || p.Status != r.status {
		o.bad = append(o.bad, fmt.Sprintf("%s: %d is not a problem document: %.300s", what, r.status, r.body))
	}
	if r.status == http.StatusServiceUnavailable && r.header.Get("Retry-After") == "" && strings.HasPrefix(what, "spotify") {
		o.bad = append(o.bad, fmt.Sprintf("%s: 503 without Retry-After", what))
	}
}

// failure records a request that got no answer at all.
func (o *outcomes) failure(what string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.bad = append(o.bad, fmt.Sprintf("%s: no answer: %v", what, err))
}

// event counts a stream's last event type (or anything else to count).
func (o *outcomes) event(name string) {
	o.mu.Lock()
	o.events[name]++
	o.mu.Unlock()
}

// enriched counts a recorded play as enriched or degraded.
func (o *outcomes) enriched(ok bool) {
	o.mu.Lock()
	if ok {
		o.healthy++
	} else {
		o.degraded++
	}
	o.mu.Unlock()
}

// summary is a copy of the counters, and resets them when reset is set.
type summary struct {
	statuses          map[int]int
	p50, p99, max     time.Duration
	n                 int
	bad               []string
	events            map[string]int
	degraded, healthy int
}

func (o *outcomes) take(reset bool) summary {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := summary{statuses: o.statuses, bad: o.bad, events: o.events, degraded: o.degraded, healthy: o.healthy, n: len(o.latencies)}
	if n := len(o.latencies); n > 0 {
		l := slices.Clone(o.latencies)
		slices.Sort(l)
		s.p50, s.p99, s.max = l[n/2], l[min(n-1, n*99/100)], l[n-1]
	}
	if reset {
		o.statuses, o.latencies, o.bad, o.events = map[int]int{}, nil, nil, map[string]int{}
		o.degraded, o.healthy = 0, 0
	}
	return s
}

func (s summary) count(status int) int { return s.statuses[status] }

func (s summary) ok() int {
	n := 0
	for st, c := range s.statuses {
		if st >= 200 && st < 300 {
			n += c
		}
	}
	return n
}

func (s summary) String() string {
	return fmt.Sprintf("%d answers %v, p50 %s p99 %s max %s, events %v, plays enriched %d degraded %d",
		s.n, s.statuses, s.p50.Round(time.Millisecond), s.p99.Round(time.Millisecond), s.max.Round(time.Millisecond), s.events, s.healthy, s.degraded)
}
