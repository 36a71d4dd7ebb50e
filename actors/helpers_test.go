package actors

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/upstream"
	"dj/upstream/sim"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// event is one hook report from a limiter actor.
type event struct {
	actor  string
	what   string
	ticket uint64
}

// recorder collects hook events; tests wait on it for what an actor did
// instead of sleeping.
type recorder struct {
	mu     sync.Mutex
	events []event
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) hook(actorName, what string, ticket uint64) {
	r.mu.Lock()
	r.events = append(r.events, event{actorName, what, ticket})
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// waitFor blocks until an event from actorName with what has been seen n
// times in total, returning the matching events. It fails the test after
// a generous bound (a hang, not a timing assertion).
func (r *recorder) waitFor(t testing.TB, actorName, what string, n int) []event {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		if got := r.match(actorName, what); len(got) >= n {
			return got
		}
		select {
		case <-r.notify:
		case <-deadline.C:
			t.Fatalf("no %d× %s %q event; saw %v", n, actorName, what, r.all())
		}
	}
}

func (r *recorder) match(actorName, what string) []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event
	for _, e := range r.events {
		if e.actor == actorName && e.what == what {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// logBuffer is a goroutine-safe JSON log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "log line is not JSON: %s", l)
		out = append(out, m)
	}
	return out
}

type testSystem struct {
	*System
	reg  *prometheus.Registry
	rec  *recorder
	logs *logBuffer
}

// newTestSystem starts a System with hooks, a fresh registry and a JSON
// log buffer, and shuts it down when the test ends.
func newTestSystem(t testing.TB, cfg Config) *testSystem {
	t.Helper()
	rec := newRecorder()
	cfg.hooks = &hooks{event: rec.hook}
	if cfg.DeadLetterThrottle == 0 {
		cfg.DeadLetterThrottle = 5 * time.Millisecond
	}
	reg := prometheus.NewRegistry()
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := NewSystem(cfg, reg, log)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return &testSystem{System: s, reg: reg, rec: rec, logs: logs}
}

// gauge reads one metric value from the registry (labels as k=v pairs).
func (ts *testSystem) metric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	fams, err := ts.reg.Gather()
	require.NoError(t, err)
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range want {
				if got[k] != v {
					continue next
				}
			}
			switch {
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}

func (ts *testSystem) status(t testing.TB) Status {
	t.Helper()
	st, err := ts.Status(context.Background())
	require.NoError(t, err)
	return st
}

// startSim runs the upstream simulator on loopback with a small catalog.
func startSim(t testing.TB, latency map[string]sim.Latency, faults ...sim.Fault) *sim.Server {
	t.Helper()
	srv, err := sim.New(sim.Config{
		Seed:    7,
		Catalog: sim.CatalogConfig{Tracks: 400, Artists: 60},
		Latency: latency,
		Faults:  faults,
	})
	require.NoError(t, err)
	require.NoError(t, srv.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// newHTTPClient keeps enough idle connections for every lane's permits so
// saturated runs reuse connections instead of dialling per request.
func newHTTPClient(t testing.TB) *http.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// wireCall returns a call that sends one request to the simulator and maps
// the answer the way dj/upstream clients do.
func wireCall(client *http.Client, base string, lane Lane, i int) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		req, err := simRequest(ctx, base, lane, i)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return upstream.TransportError(string(lane), "sim", err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode >= 400 {
			return upstream.StatusError(string(lane), "sim", resp, time.Now())
		}
		return nil
	}
}

func simRequest(ctx context.Context, base string, lane Lane, i int) (*http.Request, error) {
	switch lane {
	case LaneDeezer:
		return http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/deezer/track/%d", base, 3000000+i), nil)
	case LaneLastfm:
		return http.NewRequestWithContext(ctx, http.MethodGet,
			fmt.Sprintf("%s/lastfm/2.0/?method=artist.getInfo&artist=Artist%%20%d&api_key=test&format=json", base, i), nil)
	case LaneSpotify:
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/spotify/v1/me", nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer test-token")
		}
		return req, err
	default:
		body := `{"model":"claude-haiku-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/anthropic/v1/messages", strings.NewReader(body))
		if err == nil {
			req.Header.Set("x-api-key", "test-key")
			req.Header.Set("anthropic-version", "2023-06-01")
			req.Header.Set("content-type", "application/json")
		}
		return req, err
	}
}

// fetchStats reads GET /_sim/stats, the simulator's wire accounting.
func fetchStats(t testing.TB, client *http.Client, base string) sim.Stats {
	t.Helper()
	resp, err := client.Get(base + "/_sim/stats")
	require.NoError(t, err)
	defer resp.Body.Close()
	var st sim.Stats
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	return st
}
