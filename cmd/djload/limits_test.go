package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// passingReport is a report that breaks no default limit.
func passingReport() *Report {
	return &Report{
		Mode:     "load",
		Requests: RequestsReport{Total: 1000, Errors: 5, ErrorRate: 0.005},
		Upstream: &UpstreamReport{MaxRequestsInAny1sWindow: 40, Limit: 40, APIs: map[string]APIReport{
			"spotify":   {Requests: 100, MaxInFlight: 5, Lane: "spotify", Cap: 5},
			"accounts":  {Requests: 10, MaxInFlight: 2, Lane: "spotify", Cap: 5},
			"anthropic": {Requests: 10, MaxInFlight: 2, Lane: "anthropic", Cap: 2},
		}},
		Operations: map[string]OpReport{"steer": {Count: 10, Latency: LatencySummary{Count: 10, P99: 900}}},
	}
}

func TestJudgePasses(t *testing.T) {
	if v := judge(passingReport(), defaultLimits()); len(v) != 0 {
		t.Fatalf("violations on a passing report: %v", v)
	}
}

func TestJudgeEachLimit(t *testing.T) {
	perStream := func(x float64) *float64 { return &x }
	cases := map[string]struct {
		mutate func(*Report, *Limits)
		want   string
	}{
		"window": {func(r *Report, _ *Limits) { r.Upstream.MaxRequestsInAny1sWindow = 41 }, "upstream window: 41"},
		"lane": {func(r *Report, _ *Limits) {
			r.Upstream.APIs["anthropic"] = APIReport{MaxInFlight: 3, Lane: "anthropic", Cap: 2}
		}, "lane anthropic"},
		"accounts share the spotify lane": {func(r *Report, _ *Limits) {
			r.Upstream.APIs["accounts"] = APIReport{MaxInFlight: 6, Lane: "spotify", Cap: 5}
		}, "lane spotify: accounts"},
		"error rate":   {func(r *Report, _ *Limits) { r.Requests.Errors, r.Requests.ErrorRate = 20, 0.02 }, "error rate: 2.00%"},
		"5xx":          {func(r *Report, _ *Limits) { r.Requests.Status5xx = 1 }, "1 responses with status 5xx"},
		"no requests":  {func(r *Report, _ *Limits) { r.Requests = RequestsReport{} }, "no request completed"},
		"no simulator": {func(r *Report, _ *Limits) { r.Upstream = nil }, "upstream accounting unavailable"},
		"memory": {func(r *Report, _ *Limits) {
			r.Server = ServerReport{RSSPerStream: perStream(30000), MemoryJudged: true, StreamsOpenPeak: 5000}
		}, "memory: 30000 bytes"},
		"p99": {func(_ *Report, l *Limits) { l.P99 = map[string]Duration{"steer": Duration(500 * time.Millisecond)} }, "steer p99 900.0 ms, limit 500.0 ms"},
	}
	for name, c := range cases {
		r, l := passingReport(), defaultLimits()
		c.mutate(r, &l)
		v := judge(r, l)
		if len(v) != 1 || !strings.Contains(v[0], c.want) {
			t.Errorf("%s: violations %q, want one containing %q", name, v, c.want)
		}
	}
	r := passingReport()
	r.Server = ServerReport{RSSPerStream: perStream(30000), MemoryJudged: false}
	if v := judge(r, defaultLimits()); len(v) != 0 {
		t.Errorf("memory judged with too few streams: %v", v)
	}
}

func TestMemoryPerStream(t *testing.T) {
	if p, judged := memoryPerStream(100<<20, 120<<20, 10, 1000); p != nil || judged {
		t.Errorf("10 streams: %v %v, want nothing", p, judged)
	}
	p, judged := memoryPerStream(100<<20, 120<<20, 1024, 1000)
	if !judged || p == nil || *p != 20480 {
		t.Errorf("1024 streams over 20 MiB: %v %v, want 20480", p, judged)
	}
}

func TestReportJSONShape(t *testing.T) {
	r := passingReport()
	r.Passed = true
	r.Violations = []string{}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"passed", "violations", "upstream", "operations", "requests", "server", "limits"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report lacks %q: %s", k, data)
		}
	}
	if !strings.HasPrefix(string(data), `{"passed":true,`) {
		t.Errorf("passed is not first: %.40s", data)
	}
	var up map[string]any
	if err := json.Unmarshal(m["upstream"], &up); err != nil {
		t.Fatal(err)
	}
	if up["max_requests_in_any_1s_window"] != float64(40) {
		t.Errorf("upstream window: %v", up)
	}
	var ops map[string]map[string]any
	if err := json.Unmarshal(m["operations"], &ops); err != nil {
		t.Fatal(err)
	}
	lat, ok := ops["steer"]["latency"].(map[string]any)
	if !ok || lat["p99_ms"] != float64(900) {
		t.Errorf("operation latency percentiles: %v", ops)
	}
}

func TestUpstreamReport(t *testing.T) {
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	last := first.Add(10 * time.Second)
	st := simStats{TotalRequests: 400, MaxWindow: 40, FirstRequestAt: &first, LastRequestAt: &last}
	st.APIs = map[string]struct {
		Requests    int64 `json:"requests"`
		InFlight    int64 `json:"in_flight"`
		MaxInFlight int64 `json:"max_in_flight"`
	}{"accounts": {Requests: 4, MaxInFlight: 1}}
	samples := []sample{
		{at: first, simTotal: 0, rateQueued: 3},
		{at: first.Add(time.Second), simTotal: 39, rateQueued: 5},
		{at: first.Add(2 * time.Second), simTotal: 78, rateQueued: 0},
		{at: first.Add(3 * time.Second), simTotal: 100, rateQueued: 2},
	}
	u := upstreamReport(st, samples, defaultLimits())
	if u.MeanRPS != 40 || u.BacklogSeconds != 1 || u.MeanRPSUnderBacklog != 39 || u.MeanUseUnderBacklog != 0.975 {
		t.Errorf("upstream report %+v", u)
	}
	if a := u.APIs["accounts"]; a.Lane != "spotify" || a.Cap != 5 {
		t.Errorf("accounts lane %+v", a)
	}
}

func TestBusyNote(t *testing.T) {
	r := passingReport()
	r.Machine = &MachineReport{CPUs: 2, LoadAvgStart: 9.5}
	if n := busyNote(r); n != "" {
		t.Errorf("note without a broken window: %q", n)
	}
	r.Upstream.MaxRequestsInAny1sWindow = 44
	if n := busyNote(r); !strings.Contains(n, "9.5 on 2 CPUs") {
		t.Errorf("note %q", n)
	}
	r.Machine.LoadAvgStart = 1.2
	if n := busyNote(r); n != "" {
		t.Errorf("note on a quiet machine: %q", n)
	}
}
