package actors

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// enrichCounters are the enrichment figures, kept as atomics so the hot
// path (a cache hit) costs one atomic add; Stats snapshots them and the
// Prometheus collector reads them on scrape.
type enrichCounters struct {
	cacheHit, cacheMiss, cacheNegative, cacheError atomic.Uint64

	started, joins, overflow                             atomic.Uint64
	found, notFound, partial, cancelled, recheck, panics atomic.Uint64

	deezerCalls, lastfmCalls atomic.Uint64

	running, queued atomic.Int64
}

// EnrichStats is a snapshot of the enrichment figures, for the dashboard
// and tests. Cache* count reads by callers (Features); lookups count the
// upstream work behind the misses.
type EnrichStats struct {
	CacheHits      uint64 `json:"cache_hits"`
	CacheMisses    uint64 `json:"cache_misses"`
	CacheNegatives uint64 `json:"cache_negatives"` // answered by a negative entry
	CacheErrors    uint64 `json:"cache_errors"`    // the store failed; treated as a miss

	LookupsStarted   uint64 `json:"lookups_started"`
	DedupJoins       uint64 `json:"dedup_joins"` // callers that joined a lookup in flight
	Overflow         uint64 `json:"overflow"`    // callers answered at once because a bound was full
	LookupsFound     uint64 `json:"lookups_found"`
	LookupsNotFound  uint64 `json:"lookups_not_found"` // neither source knew the track: negative entry
	LookupsPartial   uint64 `json:"lookups_partial"`   // a call failed: answered, not cached
	LookupsCancelled uint64 `json:"lookups_cancelled"` // every waiter left
	LookupsCached    uint64 `json:"lookups_cached"`    // found in the cache on the worker's re-check
	LookupsPanicked  uint64 `json:"lookups_panicked"`

	DeezerCalls uint64 `json:"deezer_calls"` // upstream calls made, one per Do that ran
	LastfmCalls uint64 `json:"lastfm_calls"`

	Running int64 `json:"running"` // lookups in flight
	Queued  int64 `json:"queued"`  // lookups waiting for a slot
}

func (c *enrichCounters) snapshot() EnrichStats {
	return EnrichStats{
		CacheHits: c.cacheHit.Load(), CacheMisses: c.cacheMiss.Load(),
		CacheNegatives: c.cacheNegative.Load(), CacheErrors: c.cacheError.Load(),
		LookupsStarted: c.started.Load(), DedupJoins: c.joins.Load(), Overflow: c.overflow.Load(),
		LookupsFound: c.found.Load(), LookupsNotFound: c.notFound.Load(), LookupsPartial: c.partial.Load(),
		LookupsCancelled: c.cancelled.Load(), LookupsCached: c.recheck.Load(), LookupsPanicked: c.panics.Load(),
		DeezerCalls: c.deezerCalls.Load(), LastfmCalls: c.lastfmCalls.Load(),
		Running: c.running.Load(), Queued: c.queued.Load(),
	}
}

// collectorSet is several collectors registered as one.
type collectorSet []prometheus.Collector

// Describe implements prometheus.Collector.
func (cs collectorSet) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range cs {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (cs collectorSet) Collect(ch chan<- prometheus.Metric) {
	for _, c := range cs {
		c.Collect(ch)
	}
}

// collector exports the counters as dj_enrich_* metrics. They read the
// atomics at scrape time, so nothing is counted twice.
func (c *enrichCounters) collector() prometheus.Collector {
	counter := func(name, help string, labels prometheus.Labels, v *atomic.Uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return float64(v.Load()) })
	}
	gauge := func(name, help string, v *atomic.Int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return float64(v.Load()) })
	}
	const (
		reads   = "dj_enrich_cache_reads_total"
		readsH  = "Enrichment cache reads by callers, by result."
		looks   = "dj_enrich_lookups_total"
		looksH  = "Finished enrichment lookups, by outcome."
		calls   = "dj_enrich_upstream_calls_total"
		callsH  = "Upstream calls made by enrichment lookups, by API."
		started = "dj_enrich_lookups_started_total"
	)
	return collectorSet{
		counter(reads, readsH, prometheus.Labels{"result": "hit"}, &c.cacheHit),
		counter(reads, readsH, prometheus.Labels{"result": "miss"}, &c.cacheMiss),
		counter(reads, readsH, prometheus.Labels{"result": "negative"}, &c.cacheNegative),
		counter(reads, readsH, prometheus.Labels{"result": "error"}, &c.cacheError),
		counter(started, "Enrichment lookups started (one per track, however many callers wait).", nil, &c.started),
		counter("dj_enrich_dedup_joins_total", "Callers that joined an enrichment lookup already in flight.", nil, &c.joins),
		counter("dj_enrich_overflow_total", "Callers answered without enrichment because a bound (waiters, queue) was full.", nil, &c.overflow),
		counter(looks, looksH, prometheus.Labels{"outcome": "found"}, &c.found),
		counter(looks, looksH, prometheus.Labels{"outcome": "not_found"}, &c.notFound),
		counter(looks, looksH, prometheus.Labels{"outcome": "partial"}, &c.partial),
		counter(looks, looksH, prometheus.Labels{"outcome": "cancelled"}, &c.cancelled),
		counter(looks, looksH, prometheus.Labels{"outcome": "cached"}, &c.recheck),
		counter(looks, looksH, prometheus.Labels{"outcome": "panicked"}, &c.panics),
		counter(calls, callsH, prometheus.Labels{"api": "deezer"}, &c.deezerCalls),
		counter(calls, callsH, prometheus.Labels{"api": "lastfm"}, &c.lastfmCalls),
		gauge("dj_enrich_lookups_running", "Enrichment lookups in flight.", &c.running),
		gauge("dj_enrich_lookups_queued", "Enrichment lookups waiting for a free slot.", &c.queued),
	}
}
