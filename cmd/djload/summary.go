package main

import (
	"math"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histograms record microseconds: 1 µs to one hour at three significant
// digits (0.1 % resolution), enough for loopback p99s and slow streams.
const (
	histMin    = 1
	histMax    = int64(time.Hour / time.Microsecond)
	histDigits = 3
)

func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, histDigits)
}

// recordDur adds d to h, clamped into the histogram's range so an
// outlier is counted at the edge rather than dropped.
func recordDur(h *hdrhistogram.Histogram, d time.Duration) {
	us := d.Microseconds()
	if us < histMin {
		us = histMin
	}
	if us > histMax {
		us = histMax
	}
	_ = h.RecordValue(us)
}

// LatencySummary is a histogram's percentiles in milliseconds, rounded to
// microseconds, for the report.
type LatencySummary struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min_ms"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

// summarize reads the percentiles of a microsecond histogram.
func summarize(h *hdrhistogram.Histogram) LatencySummary {
	if h == nil || h.TotalCount() == 0 {
		return LatencySummary{}
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return LatencySummary{
		Count: h.TotalCount(),
		Min:   ms(h.Min()),
		Mean:  math.Round(h.Mean()) / 1000,
		P50:   ms(h.ValueAtQuantile(50)),
		P90:   ms(h.ValueAtQuantile(90)),
		P99:   ms(h.ValueAtQuantile(99)),
		P999:  ms(h.ValueAtQuantile(99.9)),
		Max:   ms(h.Max()),
	}
}

// fmtMS prints milliseconds compactly for the progress line.
func fmtMS(ms float64) string {
	switch {
	case ms >= 10000:
		return formatFloat(ms/1000, 0) + "s"
	case ms >= 1000:
		return formatFloat(ms/1000, 2) + "s"
	case ms >= 10:
		return formatFloat(ms, 0) + "ms"
	default:
		return formatFloat(ms, 2) + "ms"
	}
}
