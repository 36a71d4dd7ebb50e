package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/actors"
	"dj/internal/djtest"
	"dj/internal/server"

	dto "github.com/prometheus/client_model/go"
)

// obsFamily is a metric family the issue requires, with its labels.
type obsFamily struct {
	name   string
	typ    dto.MetricType
	labels []string
}

var obsRequired = []obsFamily{
	{"dj_actors_alive", dto.MetricType_GAUGE, []string{"kind"}},
	{"dj_actor_mailbox_depth", dto.MetricType_GAUGE, []string{"kind"}},
	{"dj_actor_message_duration_seconds", dto.MetricType_HISTOGRAM, []string{"kind", "message"}},
	{"dj_actor_restarts_total", dto.MetricType_COUNTER, []string{"kind"}},
	{"dj_lane_in_flight", dto.MetricType_GAUGE, []string{"lane"}},
	{"dj_lane_queued", dto.MetricType_GAUGE, []string{"lane"}},
	{"dj_breaker_state", dto.MetricType_GAUGE, []string{"lane"}},
	{"dj_upstream_requests_total", dto.MetricType_COUNTER, []string{"lane", "outcome"}},
	{"dj_upstream_window_requests", dto.MetricType_GAUGE, nil},
	{"dj_budget_used", dto.MetricType_HISTOGRAM, nil},
	{"dj_sse_streams_open", dto.MetricType_GAUGE, []string{"stream"}},
	{"dj_sse_events_total", dto.MetricType_COUNTER, []string{"stream", "kind"}},
	{"dj_store_reads_total", dto.MetricType_COUNTER, []string{"ns", "result"}},
	{"dj_store_bytes", dto.MetricType_GAUGE, []string{"ns"}},
	{"dj_http_requests_total", dto.MetricType_COUNTER, []string{"route", "code"}},
	{"dj_http_request_duration_seconds", dto.MetricType_HISTOGRAM, []string{"route"}},
	{"go_goroutines", dto.MetricType_GAUGE, nil},
	{"go_memstats_heap_alloc_bytes", dto.MetricType_GAUGE, nil},
	{"go_gc_duration_seconds", dto.MetricType_SUMMARY, nil},
	{"process_resident_memory_bytes", dto.MetricType_GAUGE, nil},
}

// obsLimits scrapes /metrics every 20 ms while the workload runs and
// keeps the highest lane in-flight and window figures it saw.
type obsLimits struct {
	mu         sync.Mutex
	maxLane    map[string]float64
	caps       map[string]float64
	maxWindow  float64
	scrapes    int
	scrapeErrs []error
	stop       chan struct{}
	done       chan struct{}
	once       sync.Once
}

func obsWatchLimits(t *testing.T, env *djtest.Env) *obsLimits {
	w := &obsLimits{maxLane: map[string]float64{}, caps: map[string]float64{}, stop: make(chan struct{}), done: make(chan struct{})}
	t.Cleanup(w.halt) // a failed test must not leave the scraper running
	go func() {
		defer close(w.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			f, err := obsTryScrape(env)
			w.mu.Lock()
			if err != nil {
				w.scrapeErrs = append(w.scrapeErrs, err)
			} else {
				w.scrapes++
				for lane, v := range f.by("dj_lane_in_flight", "lane") {
					w.maxLane[lane] = math.Max(w.maxLane[lane], v)
				}
				for lane, v := range f.by("dj_lane_cap", "lane") {
					w.caps[lane] = v
				}
				w.maxWindow = math.Max(w.maxWindow, f.by("dj_upstream_window_requests", "")[""])
			}
			w.mu.Unlock()
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *obsLimits) halt() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

func (w *obsLimits) finish(t *testing.T) {
	t.Helper()
	w.halt()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.scrapeErrs) > 0 {
		t.Fatalf("scrapes failed during the workload: %v", errors.Join(w.scrapeErrs...))
	}
	want := map[string]float64{"anthropic": 2, "spotify": 5, "lastfm": 10, "deezer": 10}
	for lane, limit := range want {
		if w.caps[lane] != limit {
			t.Errorf("dj_lane_cap{lane=%q} = %v, want %v", lane, w.caps[lane], limit)
		}
		if w.maxLane[lane] > limit {
			t.Errorf("lane %s: %v in flight seen, cap %v", lane, w.maxLane[lane], limit)
		}
	}
	if w.maxWindow > 40 {
		t.Errorf("dj_upstream_window_requests reached %v, limit 40", w.maxWindow)
	}
	if w.maxWindow == 0 {
		t.Errorf("the window never showed a start in %d scrapes: the workload made no upstream calls?", w.scrapes)
	}
	t.Logf("%d scrapes during the workload: max in flight %v, max window %v", w.scrapes, w.maxLane, w.maxWindow)
}

// obsMixWorkload is one user's session: playlists, a mix seeded from the
// first one when start is set (Spotify calls and enrichment through
// Deezer and Last.fm), then the reads the SPA makes.
func obsMixWorkload(ctx context.Context, env *djtest.Env, token string, start bool) error {
	if !start {
		return obsRequest(ctx, env, "GET", "/api/mix/current", token, nil, nil)
	}
	var pl struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := obsRequest(ctx, env, "GET", "/api/spotify/playlists?limit=5", token, nil, &pl); err != nil {
		return err
	}
	if len(pl.Items) == 0 {
		return errors.New("no playlists")
	}
	if err := obsRequest(ctx, env, "POST", "/api/mix/start", token, map[string]any{"seedPlaylistId": pl.Items[0].ID}, nil); err != nil {
		return err
	}
	for _, path := range []string{"/api/mix/current", "/api/mix/suggestions", "/api/mix/queue", "/api/spotify/me", "/api/player/state"} {
		if err := obsRequest(ctx, env, "GET", path, token, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// TestMetricsAfterScriptedWorkload runs three users through the real
// server (two mix starts in parallel, then chat, player and admin streams),
// watching the limits while it runs, and then checks every family the
// dashboard and Grafana rely on is on /metrics with plausible values.
func TestMetricsAfterScriptedWorkload(t *testing.T) {
	env := djtest.Start(t, djtest.AdminToken(obsAdminToken), func(c *server.Config) {
		c.SSEHeartbeat = 50 * time.Millisecond
		c.PlayerStream = actors.PlayerStreamConfig{Interval: 100 * time.Millisecond, PollShare: 1000,
			Grace: 100 * time.Millisecond, QueueCheckEvery: 200 * time.Millisecond}
	})
	start := obsScrape(t, env)
	for _, f := range []string{"dj_actor_mailbox_depth", "dj_lane_cap", "dj_upstream_rate_limit", "dj_upstream_window_requests"} {
		if _, ok := start[f]; !ok {
			t.Errorf("%s missing before any traffic", f)
		}
	}
	tokens := map[string]string{}
	for _, u := range []string{"alice", "bob", "carol"} {
		tokens[u] = env.Login(u)
	}
	limits := obsWatchLimits(t, env)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	errs := make(chan error, len(tokens))
	for user, tok := range tokens {
		go func() { errs <- obsMixWorkload(ctx, env, tok, user != "carol") }()
	}
	for range tokens {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	baseline := obsScrape(t, env).by("dj_actors_alive", "kind")

	streams := []*obsStream{
		obsOpen(t, env, "GET", "/api/chat-stream/events", "Bearer "+tokens["alice"], nil),
		obsOpen(t, env, "GET", "/api/player/stream", "Bearer "+tokens["bob"], nil),
		obsOpen(t, env, "GET", "/api/player/stream", "Bearer "+tokens["carol"], nil),
		obsOpen(t, env, "GET", adminStreamPath, "Bearer "+obsAdminToken, nil),
	}
	for i, s := range streams {
		if s.resp.StatusCode != 200 {
			t.Fatalf("stream %d: status %d", i, s.resp.StatusCode)
		}
		s.event(t, 5*time.Second)
	}
	chat := obsOpen(t, env, "POST", "/api/chat-stream/message", "Bearer "+tokens["alice"],
		map[string]any{"message": "What should come next in my mix?", "mode": "dj"})
	for f := chat.event(t, 20*time.Second); ; f = chat.event(t, 20*time.Second) {
		if f.Data != "" && (containsType(f.Data, "done") || containsType(f.Data, "error")) {
			break
		}
	}
	chat.close()
	during := obsScrape(t, env)
	if open := during.by("dj_sse_streams_open", "")[""]; open < float64(len(streams)) {
		t.Errorf("dj_sse_streams_open sums to %v with %d streams open", open, len(streams))
	}
	if got, want := during.get("dj_actors_alive", map[string]string{"kind": "stream"}), baseline["stream"]+float64(len(streams)); got < want {
		t.Errorf("stream writers alive %v, want at least %v", got, want)
	}
	obsWaitUntil(t, 3*time.Second, "a heartbeat was counted", func() (bool, string) {
		n := obsScrape(t, env).get("dj_sse_events_total", map[string]string{"kind": "heartbeat"})
		return n > 0, fmt.Sprintf("heartbeats %v", n)
	})

	for _, s := range streams {
		s.close()
	}
	obsWaitUntil(t, 10*time.Second, "every actor kind is back to its count before the streams", func() (bool, string) {
		now := obsScrape(t, env).by("dj_actors_alive", "kind")
		for kind, n := range now {
			if n > baseline[kind] {
				return false, fmt.Sprintf("%s: %v alive, %v before; all: %v", kind, n, baseline[kind], now)
			}
		}
		return true, ""
	})
	limits.finish(t)
	obsCheckFamilies(t, obsScrape(t, env))
}

func containsType(data, typ string) bool {
	return strings.Contains(data, `"type":"`+typ+`"`)
}

// obsCheckFamilies asserts every required family, its type and labels,
// and the values an idle server must show after the workload.
func obsCheckFamilies(t *testing.T, f obsFamilies) {
	t.Helper()
	for _, want := range obsRequired {
		mf, ok := f[want.name]
		if !ok || len(mf.GetMetric()) == 0 {
			t.Errorf("%s: missing", want.name)
			continue
		}
		if mf.GetType() != want.typ {
			t.Errorf("%s: type %s, want %s", want.name, mf.GetType(), want.typ)
		}
		for _, m := range mf.GetMetric() {
			for _, l := range want.labels {
				if obsLabel(m, l) == "" {
					t.Errorf("%s: a series without label %q", want.name, l)
				}
			}
			if v := obsValue(m); v < 0 || math.IsNaN(v) {
				t.Errorf("%s%v: %v", want.name, m.GetLabel(), v)
			}
		}
	}
	alive := f.by("dj_actors_alive", "kind")
	for kind, n := range map[string]float64{"upstream": 1, "rate": 1, "lane": 4, "sessions": 1, "stream": 0, "ticker": 0} {
		if alive[kind] != n {
			t.Errorf("dj_actors_alive{kind=%q} = %v, want %v", kind, alive[kind], n)
		}
	}
	if alive["session"] != 3 {
		t.Errorf("dj_actors_alive{kind=session} = %v, want 3 (one per user)", alive["session"])
	}
	depth := f.by("dj_actor_mailbox_depth", "kind")
	for kind := range alive {
		if _, ok := depth[kind]; !ok {
			t.Errorf("no dj_actor_mailbox_depth for kind %q", kind)
		}
	}
	if n := f.get("dj_actor_message_duration_seconds", map[string]string{"kind": "session"}); n == 0 {
		t.Error("no session actor message was timed")
	}
	for kind, n := range f.by("dj_actor_restarts_total", "kind") {
		if n != 0 {
			t.Errorf("%v restarts of %s in a run without faults", n, kind)
		}
	}
	for _, lane := range []string{"anthropic", "spotify", "lastfm", "deezer"} {
		if v := f.get("dj_lane_in_flight", map[string]string{"lane": lane}); v != 0 {
			t.Errorf("lane %s: %v in flight when idle", lane, v)
		}
		if v := f.get("dj_lane_queued", map[string]string{"lane": lane}); v != 0 {
			t.Errorf("lane %s: %v queued when idle", lane, v)
		}
		if v := f.get("dj_breaker_state", map[string]string{"lane": lane}); v != 0 {
			t.Errorf("lane %s: breaker %v, want closed", lane, v)
		}
		if ok := f.get("dj_upstream_requests_total", map[string]string{"lane": lane, "outcome": "ok"}); ok == 0 {
			t.Errorf("lane %s: no successful upstream request counted", lane)
		}
	}
	if w := f.by("dj_upstream_window_requests", "")[""]; w < 0 || w > 40 {
		t.Errorf("window %v", w)
	}
	obsCheckBudget(t, f)
	for stream, n := range f.by("dj_sse_streams_open", "stream") {
		if n != 0 {
			t.Errorf("%v %s streams still open after every client left", n, stream)
		}
	}
	for _, stream := range []string{"player", "admin-metrics", "chat-events"} {
		if n := f.get("dj_sse_events_total", map[string]string{"stream": stream, "kind": "data"}); n == 0 {
			t.Errorf("no data events counted for the %s stream", stream)
		}
		if _, ok := f.by("dj_sse_events_total", "kind")["dropped"]; !ok {
			t.Errorf("no dropped series")
		}
	}
	reads := f.by("dj_store_reads_total", "result")
	for _, r := range []string{"hit", "miss", "negative", "invalid"} {
		if _, ok := reads[r]; !ok {
			t.Errorf("dj_store_reads_total has no result=%q", r)
		}
	}
	if hits := f.get("dj_store_reads_total", map[string]string{"ns": "sessions", "result": "hit"}); hits == 0 {
		t.Error("no session store hit, yet every authenticated request reads a session")
	}
	if ns := f.by("dj_store_bytes", "ns"); len(ns) != 3 {
		t.Errorf("dj_store_bytes namespaces %v, want 3", ns)
	}
	if n := f.get("dj_http_requests_total", map[string]string{"route": "/api/mix/start", "code": "200"}); n != 2 {
		t.Errorf("dj_http_requests_total{route=/api/mix/start,code=200} = %v, want 2", n)
	}
	if n := f.get("dj_http_request_duration_seconds", map[string]string{"route": "/api/mix/start"}); n != 2 {
		t.Errorf("dj_http_request_duration_seconds count for /api/mix/start = %v, want 2", n)
	}
	if g := f.by("go_goroutines", "")[""]; g <= 0 {
		t.Errorf("go_goroutines %v", g)
	}
}

// obsCheckBudget: one observation per request that carried a budget
// (the two mix starts at least), none above the 950 limit.
func obsCheckBudget(t *testing.T, f obsFamilies) {
	t.Helper()
	ms := f["dj_budget_used"].GetMetric()
	if len(ms) != 1 {
		t.Fatalf("dj_budget_used: %d series", len(ms))
	}
	h := ms[0].GetHistogram()
	if h.GetSampleCount() < 2 || h.GetSampleSum() <= 0 {
		t.Errorf("dj_budget_used: %d requests using %v calls; want at least the 2 mix starts, with calls", h.GetSampleCount(), h.GetSampleSum())
	}
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == 950 && b.GetCumulativeCount() != h.GetSampleCount() {
			t.Errorf("dj_budget_used: %d of %d requests used more than 950 calls", h.GetSampleCount()-b.GetCumulativeCount(), h.GetSampleCount())
		}
	}
}
