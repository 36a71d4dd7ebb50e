package dashboard

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Summarizer turns successive gathers of one registry into Snapshots.
// Each admin stream has its own, because its rates are differences
// between that stream's consecutive gathers. Not safe for concurrent use;
// the stream's ticker actor calls it one tick at a time.
type Summarizer struct {
	g    prometheus.Gatherer
	prev *sample
}

// New summarizes g, typically djd's one registry.
func New(g prometheus.Gatherer) *Summarizer { return &Summarizer{g: g} }

// sample keeps what the next snapshot differences against: every counter
// and histogram the snapshot turns into a rate or a recent latency.
type sample struct {
	at        time.Time
	messages  map[string]*histogram // actor kind
	upstream  map[string]map[string]float64
	events    map[string]map[string]float64
	reads     map[string]map[string]float64
	httpCodes map[string]float64
	httpTime  *histogram
}

func takeSample(at time.Time, f families) *sample {
	return &sample{
		at:        at,
		messages:  f.histograms("dj_actor_message_duration_seconds", "kind"),
		upstream:  f.by2("dj_upstream_requests_total", "lane", "outcome"),
		events:    f.by2("dj_sse_events_total", "stream", "kind"),
		reads:     f.by2("dj_store_reads_total", "ns", "result"),
		httpCodes: f.by("dj_http_requests_total", "code"),
		httpTime:  f.histograms("dj_http_request_duration_seconds", "")[""],
	}
}

// interval is the stretch between the previous sample and this one.
type interval struct {
	prev    *sample // nil on the first snapshot
	seconds float64
}

// rate is how fast a counter grew over the interval (0 on the first
// snapshot; a counter that went down, which a registry never does, as 0).
func (iv interval) rate(now, before float64) float64 {
	if iv.prev == nil || iv.seconds <= 0 {
		return 0
	}
	return math.Max(0, now-before) / iv.seconds
}

// Next gathers the registry and summarizes it as of now.
func (s *Summarizer) Next(now time.Time) (Snapshot, error) {
	mfs, err := s.g.Gather()
	if err != nil {
		return Snapshot{}, fmt.Errorf("dashboard: gather metrics: %w", err)
	}
	f := indexFamilies(mfs)
	cur := takeSample(now, f)
	iv := interval{prev: s.prev}
	if s.prev != nil {
		iv.seconds = now.Sub(s.prev.at).Seconds()
	}
	s.prev = cur
	return Snapshot{
		At:              now.UTC(),
		IntervalSeconds: iv.seconds,
		Actors:          actorKinds(f, cur, iv),
		Lanes:           lanes(f, cur, iv),
		Window: Window{
			Used:   int(f.scalar("dj_upstream_window_requests")),
			Limit:  int(f.scalar("dj_upstream_rate_limit")),
			Queued: int(f.scalar("dj_upstream_rate_queued")),
		},
		Streams: streams(f, cur, iv),
		Store:   namespaces(f, cur, iv),
		HTTP:    httpSummary(cur, iv),
		Budget:  budget(f),
		Runtime: Runtime{
			Goroutines: int(f.scalar("go_goroutines")),
			HeapBytes:  int64(f.scalar("go_memstats_heap_alloc_bytes")),
		},
	}, nil
}

func actorKinds(f families, cur *sample, iv interval) []ActorKind {
	alive := f.by("dj_actors_alive", "kind")
	mailbox := f.by("dj_actor_mailbox_depth", "kind")
	restarts := f.by("dj_actor_restarts_total", "kind")
	kinds := union(names(alive), names(mailbox), names(restarts), names(cur.messages))
	out := make([]ActorKind, 0, len(kinds))
	for _, k := range kinds {
		a := ActorKind{Kind: k, Alive: int(alive[k]), Mailbox: int(mailbox[k]), Restarts: int(restarts[k])}
		if h := cur.messages[k]; h != nil && iv.prev != nil {
			before := iv.prev.messages[k]
			var n float64
			if before != nil {
				n = before.count
			}
			a.MessagesPerSecond = iv.rate(h.count, n)
			recent := h.minus(before)
			a.P50Seconds, a.P99Seconds = recent.quantile(0.5), recent.quantile(0.99)
		}
		out = append(out, a)
	}
	return out
}

func lanes(f families, cur *sample, iv interval) []Lane {
	caps := f.by("dj_lane_cap", "lane")
	inFlight := f.by("dj_lane_in_flight", "lane")
	queued := f.by("dj_lane_queued", "lane")
	breaker := f.by("dj_breaker_state", "lane")
	ids := union(names(caps), names(inFlight), names(queued), names(breaker))
	out := make([]Lane, 0, len(ids))
	for _, name := range ids {
		l := Lane{Lane: name, InFlight: int(inFlight[name]), Queued: int(queued[name]), Cap: int(caps[name]),
			Breaker: breakerName(breaker[name])}
		if iv.prev != nil {
			now, before := cur.upstream[name], iv.prev.upstream[name]
			l.RequestsPerSecond = iv.rate(sum(now, ""), sum(before, ""))
			l.FailuresPerSecond = iv.rate(sum(now, "ok"), sum(before, "ok"))
		}
		out = append(out, l)
	}
	return out
}

func breakerName(v float64) string {
	switch v {
	case 1:
		return "half-open"
	case 2:
		return "open"
	default:
		return "closed"
	}
}

func streams(f families, cur *sample, iv interval) []Stream {
	open := f.by("dj_sse_streams_open", "stream")
	ids := union(names(open), names(cur.events))
	out := make([]Stream, 0, len(ids))
	for _, name := range ids {
		st := Stream{Stream: name, Open: int(open[name]), DroppedTotal: int(cur.events[name]["dropped"])}
		if iv.prev != nil {
			st.EventsPerSecond = iv.rate(cur.events[name]["data"], iv.prev.events[name]["data"])
		}
		out = append(out, st)
	}
	return out
}

func namespaces(f families, cur *sample, iv interval) []Namespace {
	size := f.by("dj_store_bytes", "ns")
	ids := union(names(size), names(cur.reads))
	out := make([]Namespace, 0, len(ids))
	for _, name := range ids {
		r := cur.reads[name]
		n := Namespace{NS: name, Bytes: int64(size[name]),
			Hits: int64(r["hit"]), Misses: int64(r["miss"]), Negative: int64(r["negative"]), Invalid: int64(r["invalid"])}
		if total := sum(r, ""); total > 0 {
			rate := (r["hit"] + r["negative"]) / total
			n.HitRate = &rate
		}
		if iv.prev != nil {
			n.ReadsPerSecond = iv.rate(sum(r, ""), sum(iv.prev.reads[name], ""))
		}
		out = append(out, n)
	}
	return out
}

func httpSummary(cur *sample, iv interval) HTTP {
	var h HTTP
	if iv.prev == nil {
		return h
	}
	h.RequestsPerSecond = iv.rate(sum(cur.httpCodes, ""), sum(iv.prev.httpCodes, ""))
	var errNow, errBefore float64
	for code, n := range cur.httpCodes {
		if strings.HasPrefix(code, "5") {
			errNow += n
			errBefore += iv.prev.httpCodes[code]
		}
	}
	h.ErrorsPerSecond = iv.rate(errNow, errBefore)
	if cur.httpTime != nil {
		recent := cur.httpTime.minus(iv.prev.httpTime)
		h.P50Seconds, h.P99Seconds = recent.quantile(0.5), recent.quantile(0.99)
	}
	return h
}

func budget(f families) Budget {
	h := f.histograms("dj_budget_used", "")[""]
	if h == nil {
		return Budget{}
	}
	return Budget{Requests: int64(h.count), P50: h.quantile(0.5), P99: h.quantile(0.99)}
}

// sum adds a map's values, leaving out the key except ("" leaves out none).
func sum(m map[string]float64, except string) float64 {
	var t float64
	for k, v := range m {
		if except == "" || k != except {
			t += v
		}
	}
	return t
}

// names is a map's keys.
func names[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// union is the sorted set of the names in lists.
func union(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, k := range l {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
