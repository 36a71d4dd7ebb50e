// Package dashboard turns djd's Prometheus registry into the compact
// snapshots the admin dashboard shows once a second: counters become
// rates (from the difference between two gathers), histograms become
// p50/p99 over the last interval, gauges are read as they are. It reads
// only the registry, so the dashboard can never show a figure /metrics
// does not have.
package dashboard

import "time"

// Snapshot is one frame of GET /api/admin/metrics/stream. Rates and
// latencies cover the interval since the previous snapshot of the same
// stream; on a stream's first snapshot IntervalSeconds is 0, rates are 0
// and latencies are null. Lists are sorted by name.
type Snapshot struct {
	At              time.Time `json:"at"`
	IntervalSeconds float64   `json:"interval_seconds"`

	Actors  []ActorKind `json:"actors"`
	Lanes   []Lane      `json:"lanes"`
	Window  Window      `json:"window"`
	Streams []Stream    `json:"streams"`
	Store   []Namespace `json:"store"`
	HTTP    HTTP        `json:"http"`
	Budget  Budget      `json:"budget"`
	Runtime Runtime     `json:"runtime"`
}

// ActorKind is one actor kind (dj_actors_alive, dj_actor_mailbox_depth,
// dj_actor_restarts_total, dj_actor_message_duration_seconds).
type ActorKind struct {
	Kind     string `json:"kind"`
	Alive    int    `json:"alive"`
	Mailbox  int    `json:"mailbox"`
	Restarts int    `json:"restarts"`
	// MessagesPerSecond counts messages handled, system messages included.
	MessagesPerSecond float64 `json:"messages_per_second"`
	// P50Seconds and P99Seconds are handling times over the interval,
	// estimated from the histogram's buckets; null without messages.
	P50Seconds *float64 `json:"p50_seconds"`
	P99Seconds *float64 `json:"p99_seconds"`
}

// Lane is one upstream lane (dj_lane_*, dj_breaker_state,
// dj_upstream_requests_total).
type Lane struct {
	Lane     string `json:"lane"`
	InFlight int    `json:"in_flight"`
	Queued   int    `json:"queued"`
	Cap      int    `json:"cap"`
	// Breaker is "closed", "half-open" or "open".
	Breaker           string  `json:"breaker"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	// FailuresPerSecond counts every outcome but ok.
	FailuresPerSecond float64 `json:"failures_per_second"`
}

// Window is the global rate window: starts in the last second against the
// limit (dj_upstream_window_requests, dj_upstream_rate_limit), and calls
// holding a lane permit while waiting for a start (dj_upstream_rate_queued).
type Window struct {
	Used   int `json:"used"`
	Limit  int `json:"limit"`
	Queued int `json:"queued"`
}

// Stream is one SSE stream kind (dj_sse_streams_open, dj_sse_events_total).
type Stream struct {
	Stream string `json:"stream"`
	Open   int    `json:"open"`
	// EventsPerSecond counts data frames written to connections.
	EventsPerSecond float64 `json:"events_per_second"`
	DroppedTotal    int     `json:"dropped_total"`
}

// Namespace is one store namespace (dj_store_reads_total, dj_store_bytes).
type Namespace struct {
	NS       string `json:"ns"`
	Hits     int64  `json:"hits"`
	Misses   int64  `json:"misses"`
	Negative int64  `json:"negative"`
	Invalid  int64  `json:"invalid"`
	// HitRate is (hits + negative) / reads since start: a negative entry
	// answers without an upstream call, as a hit does. Null before any read.
	HitRate        *float64 `json:"hit_rate"`
	ReadsPerSecond float64  `json:"reads_per_second"`
	Bytes          int64    `json:"bytes"`
}

// HTTP is the gateway, all routes together (dj_http_requests_total,
// dj_http_request_duration_seconds).
type HTTP struct {
	RequestsPerSecond float64 `json:"requests_per_second"`
	// ErrorsPerSecond counts 5xx answers.
	ErrorsPerSecond float64  `json:"errors_per_second"`
	P50Seconds      *float64 `json:"p50_seconds"`
	P99Seconds      *float64 `json:"p99_seconds"`
}

// Budget is the upstream calls requests used (dj_budget_used), since start.
type Budget struct {
	Requests int64    `json:"requests"`
	P50      *float64 `json:"p50"`
	P99      *float64 `json:"p99"`
}

// Runtime is the Go process (go_goroutines, go_memstats_heap_alloc_bytes).
type Runtime struct {
	Goroutines int   `json:"goroutines"`
	HeapBytes  int64 `json:"heap_bytes"`
}
