package store

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics exposes the namespaces' counters and sizes to Prometheus. It reads
// the same atomic counters that Stats returns at scrape time, so the figures
// on /metrics and on the dashboard can never disagree.
type metrics struct {
	reads *prometheus.Desc
	bytes *prometheus.Desc
	ns    []*namespace
}

func newMetrics(ns []*namespace) *metrics {
	return &metrics{
		reads: prometheus.NewDesc("dj_store_reads_total",
			"Store reads by namespace and result (hit, miss, negative, invalid). An invalid value is returned to the caller as a miss but counted only as invalid.",
			[]string{"ns", "result"}, nil),
		bytes: prometheus.NewDesc("dj_store_bytes",
			"On-disk size of the namespace's Badger database (LSM tree plus value log), refreshed by Badger about once a minute; 0 with the Redis backend.",
			[]string{"ns"}, nil),
		ns: ns,
	}
}

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.reads
	ch <- m.bytes
}

// Collect implements prometheus.Collector.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	for _, n := range m.ns {
		for r := readResult(0); r < numResults; r++ {
			ch <- prometheus.MustNewConstMetric(m.reads, prometheus.CounterValue,
				float64(n.reads[r].Load()), n.name, r.String())
		}
		lsm, vlog := n.size()
		ch <- prometheus.MustNewConstMetric(m.bytes, prometheus.GaugeValue, float64(lsm+vlog), n.name)
	}
}
