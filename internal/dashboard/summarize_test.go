package dashboard

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeRegistry registers the families the summarizer reads, with the
// names and labels djd uses, so the test drives them directly.
type fakeRegistry struct {
	reg      *prometheus.Registry
	alive    *prometheus.GaugeVec
	messages *prometheus.HistogramVec
	caps     *prometheus.GaugeVec
	inFlight *prometheus.GaugeVec
	breaker  *prometheus.GaugeVec
	requests *prometheus.CounterVec
	window   prometheus.Gauge
	limit    prometheus.Gauge
	open     *prometheus.GaugeVec
	events   *prometheus.CounterVec
	reads    *prometheus.CounterVec
	http     *prometheus.CounterVec
	httpTime *prometheus.HistogramVec
	budget   prometheus.Histogram
}

func newFakeRegistry() *fakeRegistry {
	g := func(name string, labels ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: name}, labels)
	}
	c := func(name string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: name}, labels)
	}
	f := &fakeRegistry{
		reg:   prometheus.NewRegistry(),
		alive: g("dj_actors_alive", "kind"),
		messages: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dj_actor_message_duration_seconds", Help: "h",
			Buckets: []float64{1e-4, 1e-3, 1e-2}}, []string{"kind", "message"}),
		caps: g("dj_lane_cap", "lane"), inFlight: g("dj_lane_in_flight", "lane"), breaker: g("dj_breaker_state", "lane"),
		requests: c("dj_upstream_requests_total", "lane", "outcome"),
		window:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "dj_upstream_window_requests", Help: "w"}),
		limit:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "dj_upstream_rate_limit", Help: "l"}),
		open:     g("dj_sse_streams_open", "stream"),
		events:   c("dj_sse_events_total", "stream", "kind"),
		reads:    c("dj_store_reads_total", "ns", "result"),
		http:     c("dj_http_requests_total", "route", "code"),
		httpTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dj_http_request_duration_seconds", Help: "h",
			Buckets: []float64{0.001, 0.01, 0.1}}, []string{"route"}),
		budget: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "dj_budget_used", Help: "b", Buckets: []float64{1, 10, 100}}),
	}
	f.reg.MustRegister(f.alive, f.messages, f.caps, f.inFlight, f.breaker, f.requests, f.window, f.limit,
		f.open, f.events, f.reads, f.http, f.httpTime, f.budget)
	return f
}

func TestSnapshotTurnsCountersIntoRatesOverTheInterval(t *testing.T) {
	f := newFakeRegistry()
	s := New(f.reg)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	f.alive.WithLabelValues("session").Set(3)
	f.caps.WithLabelValues("spotify").Set(5)
	f.inFlight.WithLabelValues("spotify").Set(2)
	f.breaker.WithLabelValues("spotify").Set(2)
	f.limit.Set(40)
	f.window.Set(12)
	for range 50 { // before the first snapshot: must not count as recent
		f.messages.WithLabelValues("session", "getMix").Observe(5e-5)
	}
	f.requests.WithLabelValues("spotify", "ok").Add(100)
	first, err := s.Next(t0)
	if err != nil {
		t.Fatal(err)
	}
	if first.IntervalSeconds != 0 || first.Actors[0].MessagesPerSecond != 0 || first.Actors[0].P50Seconds != nil {
		t.Fatalf("first snapshot should have no rates or latencies: %+v", first.Actors[0])
	}

	for range 100 {
		f.messages.WithLabelValues("session", "getMix").Observe(5e-4)
		f.messages.WithLabelValues("session", "Started").Observe(5e-4)
	}
	f.requests.WithLabelValues("spotify", "ok").Add(8)
	f.requests.WithLabelValues("spotify", "failed").Add(2)
	f.open.WithLabelValues("player").Set(2)
	f.events.WithLabelValues("player", "data").Add(6)
	f.events.WithLabelValues("player", "dropped").Add(1)
	f.reads.WithLabelValues("audio_features", "hit").Add(6)
	f.reads.WithLabelValues("audio_features", "negative").Add(2)
	f.reads.WithLabelValues("audio_features", "miss").Add(2)
	f.http.WithLabelValues("/api/mix/current", "200").Add(9)
	f.http.WithLabelValues("/api/mix/current", "503").Add(1)
	f.httpTime.WithLabelValues("/api/mix/current").Observe(0.005)
	f.budget.Observe(4)

	snap, err := s.Next(t0.Add(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if snap.IntervalSeconds != 2 {
		t.Fatalf("interval %v, want 2", snap.IntervalSeconds)
	}
	a := snap.Actors[0]
	if a.Kind != "session" || a.Alive != 3 || a.MessagesPerSecond != 100 {
		t.Fatalf("actors: %+v (want 200 messages over 2 s, merged across message types)", a)
	}
	if a.P50Seconds == nil || *a.P50Seconds <= 1e-4 || *a.P50Seconds > 1e-3 {
		t.Fatalf("p50 %v: want inside (1e-4, 1e-3], the interval's bucket only", a.P50Seconds)
	}
	l := snap.Lanes[0]
	if l.Lane != "spotify" || l.Cap != 5 || l.InFlight != 2 || l.Breaker != "open" || l.RequestsPerSecond != 5 || l.FailuresPerSecond != 1 {
		t.Fatalf("lane: %+v", l)
	}
	if snap.Window != (Window{Used: 12, Limit: 40}) {
		t.Fatalf("window: %+v", snap.Window)
	}
	if st := snap.Streams[0]; st.Stream != "player" || st.Open != 2 || st.EventsPerSecond != 3 || st.DroppedTotal != 1 {
		t.Fatalf("streams: %+v", st)
	}
	ns := snap.Store[0]
	if ns.NS != "audio_features" || ns.HitRate == nil || *ns.HitRate != 0.8 || ns.ReadsPerSecond != 5 {
		t.Fatalf("store: %+v", ns)
	}
	if snap.HTTP.RequestsPerSecond != 5 || snap.HTTP.ErrorsPerSecond != 0.5 || snap.HTTP.P99Seconds == nil {
		t.Fatalf("http: %+v", snap.HTTP)
	}
	if snap.Budget.Requests != 1 || snap.Budget.P50 == nil {
		t.Fatalf("budget: %+v", snap.Budget)
	}
}

func TestSnapshotJSONHasNullsForUnknownLatencies(t *testing.T) {
	f := newFakeRegistry()
	f.alive.WithLabelValues("stream").Set(0)
	snap, err := New(f.reg).Next(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"stream"`, `"p50_seconds":null`, `"interval_seconds":0`, `"window":{"used":0,"limit":0,"queued":0}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("snapshot JSON lacks %s: %s", want, b)
		}
	}
}
