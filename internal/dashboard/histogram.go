package dashboard

import (
	"math"
	"sort"

	dto "github.com/prometheus/client_model/go"
)

// histogram is a classic Prometheus histogram: cumulative counts by upper
// bound (the +Inf bucket is Count). Several series merge into one by
// bound, which is how per-message histograms become one per actor kind.
type histogram struct {
	buckets map[float64]float64 // upper bound -> cumulative count
	count   float64
}

func newHistogram() *histogram { return &histogram{buckets: map[float64]float64{}} }

func (h *histogram) add(m *dto.Histogram) {
	for _, b := range m.GetBucket() {
		if !math.IsInf(b.GetUpperBound(), +1) {
			h.buckets[b.GetUpperBound()] += float64(b.GetCumulativeCount())
		}
	}
	h.count += float64(m.GetSampleCount())
}

// minus is what h counted since prev (prev nil: everything).
func (h *histogram) minus(prev *histogram) *histogram {
	d := newHistogram()
	d.count = h.count
	for ub, c := range h.buckets {
		d.buckets[ub] = c
	}
	if prev == nil {
		return d
	}
	d.count = math.Max(0, d.count-prev.count)
	for ub := range d.buckets {
		d.buckets[ub] = math.Max(0, d.buckets[ub]-prev.buckets[ub])
	}
	return d
}

// quantile estimates the q-quantile as Prometheus's histogram_quantile
// does: find the bucket holding the rank and interpolate linearly inside
// it (from 0 for the first bucket). A rank in the +Inf bucket gives the
// largest finite bound. Nil when nothing was counted.
func (h *histogram) quantile(q float64) *float64 {
	if h == nil || h.count <= 0 {
		return nil
	}
	bounds := make([]float64, 0, len(h.buckets))
	for ub := range h.buckets {
		bounds = append(bounds, ub)
	}
	sort.Float64s(bounds)
	rank := q * h.count
	lower, below := 0.0, 0.0
	for _, ub := range bounds {
		c := h.buckets[ub]
		if c >= rank && c > below {
			v := lower + (ub-lower)*(rank-below)/(c-below)
			return &v
		}
		lower, below = ub, c
	}
	if len(bounds) == 0 {
		return nil
	}
	v := bounds[len(bounds)-1]
	return &v
}
