package main

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Error kinds: how an operation failed, so a report says what went wrong
// instead of just how often.
const (
	kindStatus      = "status"      // an HTTP status other than the expected ones
	kindTransport   = "transport"   // connection refused, reset, …
	kindTimeout     = "timeout"     // the per-request timeout expired
	kindBadBody     = "bad_body"    // a 2xx whose body was not what the contract says
	kindStreamError = "sse_error"   // an SSE stream sent an error event
	kindStreamShort = "sse_short"   // an SSE stream ended before its terminal event
	kindUnavailable = "unavailable" // the route is not served (optional operation)
)

// outcome is what one operation (or one HTTP call of it) produced.
type outcome struct {
	op      string
	latency time.Duration
	status  int    // HTTP status, 0 when none arrived
	kind    string // "" for success, else one of the kinds above
	problem *problem
	err     error
}

// failed reports whether the outcome counts as an error.
func (o outcome) failed() bool { return o.kind != "" && o.kind != kindUnavailable }

// errorSample is one failure kept verbatim for the report.
type errorSample struct {
	Kind      string `json:"kind"`
	Status    int    `json:"status,omitempty"`
	Title     string `json:"title,omitempty"`
	Detail    string `json:"detail,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	Error     string `json:"error,omitempty"`
	Count     int64  `json:"count"`
}

// maxSamples bounds the distinct failures kept per operation.
const maxSamples = 5

// opStats accumulates one operation's latencies and failures.
type opStats struct {
	mu          sync.Mutex
	hist        *hdrhistogram.Histogram // successes and failures alike, µs
	count       int64
	errors      int64
	byKind      map[string]int64
	samples     []errorSample
	unavailable *errorSample
}

// recorder is shared by every virtual user. Per-operation figures are
// kept for the whole run; an interval histogram and counters are reset by
// the progress line each second.
type recorder struct {
	mu  sync.Mutex
	ops map[string]*opStats

	ivMu   sync.Mutex
	iv     *hdrhistogram.Histogram
	ivReqs int64

	total, errors, fiveXX atomic.Int64
}

func newRecorder() *recorder {
	return &recorder{ops: map[string]*opStats{}, iv: newHist()}
}

func (r *recorder) stats(op string) *opStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.ops[op]
	if !ok {
		s = &opStats{hist: newHist(), byKind: map[string]int64{}}
		r.ops[op] = s
	}
	return s
}

// record adds one outcome. An unavailable route is noted once and counts
// neither as a request nor as an error.
func (r *recorder) record(o outcome) {
	s := r.stats(o.op)
	if o.kind == kindUnavailable {
		s.mu.Lock()
		if s.unavailable == nil {
			smp := sampleOf(o)
			s.unavailable = &smp
		}
		s.mu.Unlock()
		return
	}
	r.total.Add(1)
	if o.failed() {
		r.errors.Add(1)
	}
	if o.status >= 500 {
		r.fiveXX.Add(1)
	}
	s.mu.Lock()
	s.count++
	recordDur(s.hist, o.latency)
	if o.failed() {
		s.errors++
		s.byKind[kindLabel(o)]++
		s.addSample(o)
	}
	s.mu.Unlock()
	r.ivMu.Lock()
	r.ivReqs++
	recordDur(r.iv, o.latency)
	r.ivMu.Unlock()
}

// recordLatency adds a latency that is not a request (time to first
// token, heartbeat lateness) under its own name.
func (r *recorder) recordLatency(name string, d time.Duration) {
	s := r.stats(name)
	s.mu.Lock()
	s.count++
	recordDur(s.hist, d)
	s.mu.Unlock()
}

func kindLabel(o outcome) string {
	if o.kind == kindStatus {
		return fmt.Sprintf("status_%d", o.status)
	}
	return o.kind
}

func sampleOf(o outcome) errorSample {
	smp := errorSample{Kind: o.kind, Status: o.status, Count: 1}
	if o.problem != nil {
		smp.Title, smp.Detail, smp.RequestID = o.problem.Title, o.problem.Detail, o.problem.RequestID
	}
	if o.err != nil {
		smp.Error = o.err.Error()
	}
	return smp
}

// addSample keeps up to maxSamples distinct failures with their counts.
func (s *opStats) addSample(o outcome) {
	smp := sampleOf(o)
	for i := range s.samples {
		x := &s.samples[i]
		if x.Kind == smp.Kind && x.Status == smp.Status && x.Detail == smp.Detail && x.Error == smp.Error {
			x.Count++
			return
		}
	}
	if len(s.samples) < maxSamples {
		s.samples = append(s.samples, smp)
	}
}

// interval returns and resets the last interval's request count and
// latency percentiles, for the progress line.
func (r *recorder) interval() (reqs int64, p50, p99 float64) {
	r.ivMu.Lock()
	defer r.ivMu.Unlock()
	reqs = r.ivReqs
	if reqs > 0 {
		p50 = float64(r.iv.ValueAtQuantile(50)) / 1000
		p99 = float64(r.iv.ValueAtQuantile(99)) / 1000
	}
	r.ivReqs = 0
	r.iv.Reset()
	return reqs, p50, p99
}

// OpReport is one operation's figures in the report.
type OpReport struct {
	Count       int64            `json:"count"`
	Errors      int64            `json:"errors"`
	ErrorRate   float64          `json:"error_rate"`
	RPS         float64          `json:"rps"`
	Latency     LatencySummary   `json:"latency"`
	ErrorsBy    map[string]int64 `json:"errors_by_kind,omitempty"`
	Samples     []errorSample    `json:"error_samples,omitempty"`
	Unavailable *errorSample     `json:"unavailable,omitempty"`
}

// report summarizes every operation; elapsed turns counts into rates.
func (r *recorder) report(elapsed time.Duration) map[string]OpReport {
	r.mu.Lock()
	names := make([]string, 0, len(r.ops))
	for n := range r.ops {
		names = append(names, n)
	}
	r.mu.Unlock()
	sort.Strings(names)
	out := make(map[string]OpReport, len(names))
	for _, n := range names {
		s := r.stats(n)
		s.mu.Lock()
		op := OpReport{Count: s.count, Errors: s.errors, Latency: summarize(s.hist), Unavailable: s.unavailable}
		if s.count > 0 {
			op.ErrorRate = round4(float64(s.errors) / float64(s.count))
		}
		if elapsed > 0 {
			op.RPS = round2(float64(s.count) / elapsed.Seconds())
		}
		if len(s.byKind) > 0 {
			op.ErrorsBy = make(map[string]int64, len(s.byKind))
			for k, v := range s.byKind {
				op.ErrorsBy[k] = v
			}
		}
		op.Samples = append([]errorSample(nil), s.samples...)
		s.mu.Unlock()
		out[n] = op
	}
	return out
}
