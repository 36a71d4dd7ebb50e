package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"
)

// Report is djload's JSON report. "passed" and "violations" come first so
// a reader (or CI) sees the verdict at once; every figure behind the
// verdict follows.
type Report struct {
	Passed     bool                `json:"passed"`
	Violations []string            `json:"violations"`
	Mode       string              `json:"mode"`
	Scenario   string              `json:"scenario,omitempty"`
	StartedAt  time.Time           `json:"started_at"`
	DurationS  float64             `json:"duration_s"`
	Target     TargetReport        `json:"target"`
	Machine    *MachineReport      `json:"machine,omitempty"`
	Users      *UsersReport        `json:"users,omitempty"`
	Requests   RequestsReport      `json:"requests"`
	Operations map[string]OpReport `json:"operations,omitempty"`
	Upstream   *UpstreamReport     `json:"upstream"`
	Server     ServerReport        `json:"server"`
	Streams    *StreamsReport      `json:"streams,omitempty"`
	Compare    *CompareReport      `json:"compare,omitempty"`
	Tokens     *TokensReport       `json:"tokens,omitempty"`
	Limits     LimitsReport        `json:"limits"`
	Notes      []string            `json:"notes,omitempty"`
}

// TargetReport says which server was measured and how it was started.
type TargetReport struct {
	URL             string `json:"url"`
	Version         string `json:"version"`
	Simulator       string `json:"simulator"`
	StartedByDjload bool   `json:"started_by_djload"`
	// SimulatorPID is the djsim process djload started beside djd (0: the
	// simulator ran inside djd, or the server came from -target).
	SimulatorPID int    `json:"simulator_pid,omitempty"`
	ServerPID    int    `json:"server_pid,omitempty"`
	SimLatency   string `json:"sim_latency,omitempty"`
	Heartbeat    string `json:"heartbeat"`
}

// UsersReport describes the virtual users.
type UsersReport struct {
	Requested   int     `json:"requested"`
	LoggedIn    int64   `json:"logged_in"`
	DemoUsers   int     `json:"demo_users"`
	PerDemoUser int     `json:"max_users_per_demo_user"`
	Model       string  `json:"model"`
	Rate        float64 `json:"rate_per_s,omitempty"`
	Dropped     int64   `json:"dropped_arrivals,omitempty"`
}

// RequestsReport totals every operation.
type RequestsReport struct {
	Total     int64   `json:"total"`
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
	RPS       float64 `json:"rps"`
	Status5xx int64   `json:"status_5xx"`
}

// UpstreamReport is the simulator's view of djd's upstream traffic.
type UpstreamReport struct {
	MaxRequestsInAny1sWindow int                  `json:"max_requests_in_any_1s_window"`
	Limit                    int                  `json:"limit"`
	TotalRequests            int64                `json:"total_requests"`
	MeanRPS                  float64              `json:"mean_rps"`
	BacklogSeconds           float64              `json:"backlog_seconds"`
	MeanRPSUnderBacklog      float64              `json:"mean_rps_under_backlog"`
	MeanUseUnderBacklog      float64              `json:"mean_use_under_backlog"`
	APIs                     map[string]APIReport `json:"apis"`
}

// APIReport is one simulated API's accounting against its lane's cap.
type APIReport struct {
	Requests    int64  `json:"requests"`
	MaxInFlight int64  `json:"max_in_flight"`
	Lane        string `json:"lane"`
	Cap         int    `json:"cap"`
}

// ServerReport is the server's memory over the run.
type ServerReport struct {
	RSSSource       string   `json:"rss_source"`
	RSSStartBytes   int64    `json:"rss_start_bytes"`
	RSSPeakBytes    int64    `json:"rss_peak_bytes"`
	RSSEndBytes     int64    `json:"rss_end_bytes"`
	StreamsOpenPeak int64    `json:"streams_open_peak"`
	RSSPerStream    *float64 `json:"rss_per_stream_bytes"`
	MemoryJudged    bool     `json:"memory_judged"`
}

// LimitsReport are the thresholds the run was judged by.
type LimitsReport struct {
	MaxUpstreamWindow   int                `json:"max_upstream_window"`
	LaneCaps            map[string]int     `json:"lane_caps"`
	MaxErrorRate        float64            `json:"max_error_rate"`
	MaxRSSPerStream     int64              `json:"max_rss_per_stream_bytes"`
	MinStreamsForMemory int                `json:"min_streams_for_memory"`
	P99MS               map[string]float64 `json:"p99_ms,omitempty"`
}

func limitsReport(l Limits) LimitsReport {
	r := LimitsReport{MaxUpstreamWindow: l.MaxUpstreamWindow, LaneCaps: l.LaneCaps, MaxErrorRate: *l.MaxErrorRate,
		MaxRSSPerStream: l.MaxRSSPerStream, MinStreamsForMemory: l.MinStreamsForMemory}
	for op, d := range l.P99 {
		if r.P99MS == nil {
			r.P99MS = map[string]float64{}
		}
		r.P99MS[op] = float64(time.Duration(d).Microseconds()) / 1000
	}
	return r
}

// laneOf maps a simulated API to the djd lane its calls go through:
// Spotify Accounts (token exchange and refresh) shares the Spotify lane.
func laneOf(api string) string {
	if api == "accounts" {
		return "spotify"
	}
	return api
}

// upstreamReport turns the final simulator stats and the samples into
// the report's upstream section.
func upstreamReport(st simStats, samples []sample, l Limits) *UpstreamReport {
	u := &UpstreamReport{
		MaxRequestsInAny1sWindow: st.MaxWindow,
		Limit:                    l.MaxUpstreamWindow,
		TotalRequests:            st.TotalRequests,
		APIs:                     map[string]APIReport{},
	}
	if st.FirstRequestAt != nil && st.LastRequestAt != nil {
		if d := st.LastRequestAt.Sub(*st.FirstRequestAt).Seconds(); d >= 1 {
			u.MeanRPS = round2(float64(st.TotalRequests) / d)
		}
	}
	secs, rps := backlogUse(samples)
	u.BacklogSeconds, u.MeanRPSUnderBacklog = round2(secs), round2(rps)
	if l.MaxUpstreamWindow > 0 {
		u.MeanUseUnderBacklog = round4(rps / float64(l.MaxUpstreamWindow))
	}
	for name, a := range st.APIs {
		lane := laneOf(name)
		u.APIs[name] = APIReport{Requests: a.Requests, MaxInFlight: a.MaxInFlight, Lane: lane, Cap: l.LaneCaps[lane]}
	}
	return u
}

// writeReport writes the report as indented JSON.
func writeReport(path string, r *Report) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
func round4(x float64) float64 { return math.Round(x*10000) / 10000 }

func formatFloat(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }
