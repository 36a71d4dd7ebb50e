package main

import (
	"fmt"
	"sort"
	"time"
)

// judge checks a finished report against the limits and returns every
// limit broken, in a stable order; an empty list means the run passed.
// Each message says what was measured and what was allowed, so a failed
// run explains itself.
func judge(r *Report, l Limits) []string {
	var v []string
	if r.Upstream == nil {
		v = append(v, "upstream accounting unavailable: the simulator's /_sim/stats could not be read, so the rate and lane limits are unverified")
	} else {
		u := r.Upstream
		if u.MaxRequestsInAny1sWindow > l.MaxUpstreamWindow {
			v = append(v, fmt.Sprintf("upstream window: %d requests started in one 1 s window, limit %d", u.MaxRequestsInAny1sWindow, l.MaxUpstreamWindow))
		}
		names := make([]string, 0, len(u.APIs))
		for n := range u.APIs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			a := u.APIs[n]
			limit, ok := l.LaneCaps[a.Lane]
			if ok && a.MaxInFlight > int64(limit) {
				v = append(v, fmt.Sprintf("lane %s: %s had %d requests in flight at once, cap %d", a.Lane, n, a.MaxInFlight, limit))
			}
		}
	}
	if r.Requests.Total == 0 {
		v = append(v, "no request completed")
	}
	if r.Requests.ErrorRate > *l.MaxErrorRate {
		v = append(v, fmt.Sprintf("error rate: %.2f%% (%d of %d requests), threshold %.2f%%",
			100*r.Requests.ErrorRate, r.Requests.Errors, r.Requests.Total, 100**l.MaxErrorRate))
	}
	if r.Requests.Status5xx > 0 {
		v = append(v, fmt.Sprintf("server errors: %d responses with status 5xx", r.Requests.Status5xx))
	}
	if s := r.Server; s.MemoryJudged && s.RSSPerStream != nil && *s.RSSPerStream > float64(l.MaxRSSPerStream) {
		v = append(v, fmt.Sprintf("memory: %.0f bytes of server RSS per open stream (%d streams), threshold %d",
			*s.RSSPerStream, s.StreamsOpenPeak, l.MaxRSSPerStream))
	}
	ops := make([]string, 0, len(l.P99))
	for op := range l.P99 {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		want := float64(time.Duration(l.P99[op]).Microseconds()) / 1000
		if got, ok := r.Operations[op]; ok && got.Latency.Count > 0 && got.Latency.P99 > want {
			v = append(v, fmt.Sprintf("latency: %s p99 %.1f ms, limit %.1f ms", op, got.Latency.P99, want))
		}
	}
	return v
}

// memoryPerStream is the server's RSS growth per open stream. It is
// computed (and judged) only with at least minStreams streams: with a
// handful, the growth is allocator and cache noise, not the streams.
func memoryPerStream(before, during int64, streams int64, minStreams int) (perStream *float64, judged bool) {
	if streams < int64(max(1, minStreams)) || before <= 0 || during <= 0 {
		return nil, false
	}
	x := round2(float64(during-before) / float64(streams))
	return &x, true
}
