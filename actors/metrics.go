package actors

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics is every Prometheus figure the package exports. One per System,
// registered into the registerer NewSystem was given (nil: kept but not
// registered, so code never checks for nil).
type metrics struct {
	actorsAlive   *prometheus.GaugeVec     // dj_actors_alive{kind}
	msgDuration   *prometheus.HistogramVec // dj_actor_message_duration_seconds{kind,message}
	restarts      *prometheus.CounterVec   // dj_actor_restarts_total{kind}
	laneInFlight  *prometheus.GaugeVec     // dj_lane_in_flight{lane}
	laneQueued    *prometheus.GaugeVec     // dj_lane_queued{lane}
	breakerState  *prometheus.GaugeVec     // dj_breaker_state{lane}
	requests      *prometheus.CounterVec   // dj_upstream_requests_total{lane,outcome}
	windowCount   prometheus.Gauge         // dj_upstream_window_requests
	rateQueued    prometheus.Gauge         // dj_upstream_rate_queued
	waitSeconds   *prometheus.HistogramVec // dj_upstream_wait_seconds{lane}
	budgetUsed    prometheus.Histogram     // dj_budget_used
	trackedActive prometheus.Gauge         // dj_tracked_work_active
	laneCap       *prometheus.GaugeVec     // dj_lane_cap{lane}
	rateLimit     prometheus.Gauge         // dj_upstream_rate_limit
	sharedCalls   *prometheus.CounterVec   // dj_shared_limits_calls_total{op,result}
	sharedDown    prometheus.Gauge         // dj_shared_limits_down
	meters        *actorMeters             // per-kind instruments; dj_actor_mailbox_depth{kind}
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		actorsAlive: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dj_actors_alive", Help: "Actors currently alive, by kind.",
		}, []string{"kind"}),
		msgDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dj_actor_message_duration_seconds",
			Help:    "Time an actor spent handling one message, by actor kind and message type.",
			Buckets: []float64{1e-6, 5e-6, 2e-5, 1e-4, 5e-4, 2e-3, 1e-2, 5e-2, 0.25, 1},
		}, []string{"kind", "message"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dj_actor_restarts_total", Help: "Actor restarts by supervision, by kind.",
		}, []string{"kind"}),
		laneInFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dj_lane_in_flight", Help: "Lane permits currently held, by lane.",
		}, []string{"lane"}),
		laneQueued: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dj_lane_queued", Help: "Calls waiting for a lane permit, by lane.",
		}, []string{"lane"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dj_breaker_state", Help: "Circuit breaker state by lane: 0 closed, 1 half-open, 2 open.",
		}, []string{"lane"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dj_upstream_requests_total", Help: "Upstream calls through the limiter, by lane and outcome.",
		}, []string{"lane", "outcome"}),
		windowCount: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dj_upstream_window_requests", Help: "Upstream requests started inside the current rate window (all lanes).",
		}),
		rateQueued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dj_upstream_rate_queued", Help: "Calls holding a lane permit and waiting for a global rate grant.",
		}),
		waitSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dj_upstream_wait_seconds",
			Help:    "Time a call waited for its lane permit and rate grant, by lane.",
			Buckets: []float64{1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"lane"}),
		budgetUsed: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dj_budget_used",
			Help:    "Upstream calls one request used of its budget, observed when the request ends.",
			Buckets: []float64{0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 750, 940, 950},
		}),
		trackedActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dj_tracked_work_active", Help: "Tracked pieces of request work still running.",
		}),
		laneCap: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dj_lane_cap", Help: "Configured in-flight cap of each lane (what dj_lane_in_flight may reach).",
		}, []string{"lane"}),
		rateLimit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dj_upstream_rate_limit", Help: "Configured global limit of upstream request starts per window (what dj_upstream_window_requests may reach).",
		}),
		sharedCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dj_shared_limits_calls_total",
			Help: "Round trips to the cluster-wide limits (Config.Shared), by operation and result (ok, refused, error; renew also counts lost leases).",
		}, []string{"op", "result"}),
		sharedDown: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dj_shared_limits_down", Help: "1 while the cluster-wide limits fail to answer (calls are refused), else 0.",
		}),
	}
	m.meters = newActorMeters(m)
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{
		m.actorsAlive, m.msgDuration, m.restarts, m.laneInFlight, m.laneQueued,
		m.breakerState, m.requests, m.windowCount, m.rateQueued, m.waitSeconds,
		m.budgetUsed, m.trackedActive, m.laneCap, m.rateLimit, m.sharedCalls, m.sharedDown, m.meters,
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("actors: register metrics: %w", err)
		}
	}
	return m, nil
}

var messageNames sync.Map // reflect.Type -> string

// messageName is the label for a message type: its Go type name without
// package path or pointer, e.g. "acquireLane" or "Started".
func messageName(msg any) string {
	t := reflect.TypeOf(msg)
	if t == nil {
		return "nil"
	}
	if n, ok := messageNames.Load(t); ok {
		return n.(string)
	}
	n := t.String()
	n = strings.TrimLeft(n, "*")
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		n = n[i+1:]
	}
	messageNames.Store(t, n)
	return n
}

func breakerGauge(state string) float64 {
	switch state {
	case "half-open":
		return 1
	case "open":
		return 2
	default:
		return 0
	}
}
