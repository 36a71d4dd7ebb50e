package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// simStats is the simulator's GET /_sim/stats: what arrived on the wire,
// which is how djload judges the server's upstream discipline.
type simStats struct {
	APIs map[string]struct {
		Requests    int64 `json:"requests"`
		InFlight    int64 `json:"in_flight"`
		MaxInFlight int64 `json:"max_in_flight"`
	} `json:"apis"`
	TotalRequests  int64      `json:"total_requests"`
	MaxWindow      int        `json:"max_requests_in_any_1s_window"`
	WindowRequests int        `json:"window_requests"`
	FirstRequestAt *time.Time `json:"first_request_at"`
	LastRequestAt  *time.Time `json:"last_request_at"`
}

// sample is one second's reading of the simulator and the server.
type sample struct {
	at          time.Time
	simTotal    int64
	simWindow   int
	simMaxWin   int
	rateQueued  float64 // dj_upstream_rate_queued; -1 when not exported
	streamsOpen float64 // dj_sse_streams_open summed over kinds; -1 when not exported
	rss         int64   // server resident memory, bytes; 0 when unknown
	// clientStreams is how many SSE streams djload held open.
	clientStreams int64
}

// sampler reads the simulator's accounting, the server's /metrics and
// its RSS once a second for the progress line and the report.
type sampler struct {
	hc         *http.Client
	simURL     string
	metricsURL string
	rss        func(context.Context) (int64, error)
	// clientStreams counts the streams djload holds (nil: none).
	clientStreams func() int64

	mu      sync.Mutex
	samples []sample
	stats   simStats
	haveSim bool
	peakRSS int64
}

// run samples every second until ctx ends.
func (s *sampler) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.take(ctx)
		}
	}
}

// take reads everything once and keeps the sample.
func (s *sampler) take(ctx context.Context) sample {
	smp := sample{at: time.Now(), rateQueued: -1, streamsOpen: -1}
	var st simStats
	if err := getJSON(ctx, s.hc, s.simURL+"/_sim/stats", &st); err == nil {
		smp.simTotal, smp.simWindow, smp.simMaxWin = st.TotalRequests, st.WindowRequests, st.MaxWindow
	}
	if m, err := scrape(ctx, s.hc, s.metricsURL); err == nil {
		if v, ok := m["dj_upstream_rate_queued"]; ok {
			smp.rateQueued = v
		}
		if v, ok := m["dj_sse_streams_open"]; ok {
			smp.streamsOpen = v
		}
	}
	if s.rss != nil {
		if v, err := s.rss(ctx); err == nil {
			smp.rss = v
		}
	}
	if s.clientStreams != nil {
		smp.clientStreams = s.clientStreams()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, smp)
	if st.APIs != nil {
		s.stats, s.haveSim = st, true
	}
	s.peakRSS = max(s.peakRSS, smp.rss)
	return smp
}

// latest is the last sample (zero before the first).
func (s *sampler) latest() sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) == 0 {
		return sample{rateQueued: -1, streamsOpen: -1}
	}
	return s.samples[len(s.samples)-1]
}

// simStats is the last simulator accounting read, if any was.
func (s *sampler) simStats() (simStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats, s.haveSim
}

// peak is the highest server RSS sampled.
func (s *sampler) peak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakRSS
}

// all returns a copy of the samples.
func (s *sampler) all() []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sample(nil), s.samples...)
}

// backlogUse is the simulator's request rate over the intervals in which
// djd's rate limiter had callers waiting at both ends (a backlog): how
// well the limiter uses the 40 requests/s it may spend.
func backlogUse(samples []sample) (seconds, rps float64) {
	var dt time.Duration
	var dn int64
	for i := 1; i < len(samples); i++ {
		a, b := samples[i-1], samples[i]
		if a.rateQueued > 0 && b.rateQueued > 0 && b.simTotal >= a.simTotal {
			dt += b.at.Sub(a.at)
			dn += b.simTotal - a.simTotal
		}
	}
	if dt <= 0 {
		return 0, 0
	}
	return dt.Seconds(), float64(dn) / dt.Seconds()
}

// scrape reads a Prometheus text page and sums each family's samples by
// metric name (labels dropped).
func scrape(ctx context.Context, hc *http.Client, url string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return parseProm(resp.Body)
}

// parseProm sums Prometheus text-format samples by metric name.
func parseProm(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest := line, ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name, rest = line[:i], line[i:]
		}
		if strings.HasPrefix(rest, "{") {
			j := strings.LastIndexByte(rest, '}')
			if j < 0 {
				continue
			}
			rest = rest[j+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		out[name] += v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return out, nil
}

// procRSS reads a process's resident set size from /proc/<pid>/status.
func procRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	defer f.Close()
	return parseVmRSS(f)
}

// parseVmRSS finds "VmRSS:   1234 kB" in a /proc status file.
func parseVmRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmRSS: %w", err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read status: %w", err)
	}
	return 0, fmt.Errorf("no VmRSS line")
}

// metricsRSS reads process_resident_memory_bytes from the server's
// /metrics, for a server djload did not start.
func metricsRSS(hc *http.Client, url string) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		m, err := scrape(ctx, hc, url)
		if err != nil {
			return 0, err
		}
		v, ok := m["process_resident_memory_bytes"]
		if !ok {
			return 0, fmt.Errorf("%s has no process_resident_memory_bytes", url)
		}
		return int64(v), nil
	}
}
