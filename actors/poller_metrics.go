package actors

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// pollerMetrics are the player stream's figures: how its polls went and
// how far apart they are, which is what the cadence rule adapts.
type pollerMetrics struct {
	polls    *prometheus.CounterVec // dj_player_polls_total{outcome}
	interval prometheus.Histogram   // dj_player_poll_interval_seconds
	ok       prometheus.Counter
	failed   prometheus.Counter
	skipped  prometheus.Counter
}

func newPollerMetrics(reg prometheus.Registerer) (*pollerMetrics, error) {
	m := &pollerMetrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dj_player_polls_total",
			Help: "Player stream polls of Spotify's GET /me/player: ok, failed, or skipped (a tick while the user's previous poll was still out).",
		}, []string{"outcome"}),
		interval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dj_player_poll_interval_seconds",
			Help:    "Interval a poller chose for its next tick (base, backed off, or the fair share of the poll budget).",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32},
		}),
	}
	m.ok = m.polls.WithLabelValues("ok")
	m.failed = m.polls.WithLabelValues("failed")
	m.skipped = m.polls.WithLabelValues("skipped")
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.polls, m.interval} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("actors: register player stream metrics: %w", err)
		}
	}
	return m, nil
}
