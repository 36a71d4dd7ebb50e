package actors

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// streamMetrics are the SSE figures the dashboard and /metrics show.
type streamMetrics struct {
	streamsOpen *prometheus.GaugeVec   // dj_sse_streams_open{stream}
	events      *prometheus.CounterVec // dj_sse_events_total{stream,kind}
	closed      *prometheus.CounterVec // dj_sse_streams_closed_total{stream,reason}
}

func newStreamMetrics(reg prometheus.Registerer) (*streamMetrics, error) {
	m := &streamMetrics{
		streamsOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dj_sse_streams_open", Help: "SSE streams whose writer actor is alive, by stream.",
		}, []string{"stream"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dj_sse_events_total",
			Help: "SSE frames by stream and kind: data (written to the connection), heartbeat, dropped (refused or discarded: slow or closed stream).",
		}, []string{"stream", "kind"}),
		closed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dj_sse_streams_closed_total",
			Help: "SSE streams closed, by stream and reason (done, client_gone, slow_consumer, shutdown).",
		}, []string{"stream", "reason"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.streamsOpen, m.events, m.closed} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("actors: register SSE metrics: %w", err)
		}
	}
	return m, nil
}

func (m *streamMetrics) open(kind string) prometheus.Gauge {
	return m.streamsOpen.WithLabelValues(kind)
}

// streamCounters are one stream's label children, looked up once.
type streamCounters struct {
	data, heartbeat, dropped prometheus.Counter
}

func (m *streamMetrics) counters(kind string) streamCounters {
	return streamCounters{
		data:      m.events.WithLabelValues(kind, "data"),
		heartbeat: m.events.WithLabelValues(kind, "heartbeat"),
		dropped:   m.events.WithLabelValues(kind, "dropped"),
	}
}

// closeReason is the metrics label for why a stream ended.
func closeReason(cause error) string {
	switch {
	case errors.Is(cause, ErrSlowConsumer):
		return "slow_consumer"
	case errors.Is(cause, ErrClientGone):
		return "client_gone"
	case errors.Is(cause, ErrShuttingDown):
		return "shutdown"
	default:
		return "done"
	}
}
