package dashboard

import (
	"math"
	"testing"
)

func hist(count float64, buckets map[float64]float64) *histogram {
	return &histogram{buckets: buckets, count: count}
}

func TestQuantileInterpolatesInsideTheBucket(t *testing.T) {
	h := hist(10, map[float64]float64{1: 0, 2: 10})
	if got := *h.quantile(0.5); got != 1.5 {
		t.Fatalf("p50 = %v, want 1.5", got)
	}
	if got := *h.quantile(0.99); math.Abs(got-1.99) > 1e-9 {
		t.Fatalf("p99 = %v, want 1.99", got)
	}
}

func TestQuantileFirstBucketStartsAtZero(t *testing.T) {
	h := hist(4, map[float64]float64{0.01: 4, 0.1: 4})
	if got := *h.quantile(0.5); got != 0.005 {
		t.Fatalf("p50 = %v, want 0.005", got)
	}
}

func TestQuantileAboveTheLastBoundIsTheLastBound(t *testing.T) {
	h := hist(10, map[float64]float64{1: 1, 2: 2}) // 8 observations above 2
	if got := *h.quantile(0.99); got != 2 {
		t.Fatalf("p99 = %v, want 2", got)
	}
}

func TestQuantileOfNothingIsNull(t *testing.T) {
	if newHistogram().quantile(0.5) != nil {
		t.Fatal("empty histogram has a quantile")
	}
	var h *histogram
	if h.quantile(0.5) != nil {
		t.Fatal("nil histogram has a quantile")
	}
}

func TestMinusKeepsOnlyTheInterval(t *testing.T) {
	before := hist(10, map[float64]float64{1: 10, 2: 10})
	now := hist(20, map[float64]float64{1: 10, 2: 20})
	d := now.minus(before)
	if d.count != 10 || d.buckets[1] != 0 || d.buckets[2] != 10 {
		t.Fatalf("difference = %+v", d)
	}
	if got := *d.quantile(0.5); got != 1.5 {
		t.Fatalf("recent p50 = %v, want 1.5 (the old fast observations must not count)", got)
	}
	if now.minus(nil).count != 20 {
		t.Fatal("minus nil should be everything")
	}
}
