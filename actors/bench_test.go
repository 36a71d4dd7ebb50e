package actors

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"testing"
	"time"
)

// go test -run TestLimiterFigures -count=1 -v ./actors/ -args -limiter.figures
var figures = flag.Bool("limiter.figures", false,
	"TestLimiterFigures prints the limiter figures for docs/benchmarks.md (takes about a minute)")

// overheadConfig takes the rate and lane caps out of the way, so a
// sequential caller measures only what going through the actors costs.
func overheadConfig() Config {
	return Config{
		RatePerSecond: 1 << 20, Window: time.Millisecond, WindowMargin: -1,
		LaneCaps: map[Lane]int{LaneDeezer: 64},
	}
}

// overheadRig is a System tuned by overheadConfig plus a loopback HTTP
// server answering 204, for bare-versus-actors comparisons.
type overheadRig struct {
	sys    *System
	srv    *httptest.Server
	client *http.Client
}

func newOverheadRig(tb testing.TB) *overheadRig {
	tb.Helper()
	s, err := NewSystem(overheadConfig(), nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	tb.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
		_ = s.Shutdown(context.Background())
	})
	return &overheadRig{sys: s, srv: srv, client: &http.Client{Transport: tr}}
}

func (r *overheadRig) httpCall(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.srv.URL+"/track/1", nil)
	if err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

func (r *overheadRig) bench(through bool, call func(context.Context) error) func(b *testing.B) {
	return func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if through {
				err = r.sys.Do(ctx, LaneDeezer, "bench", call)
			} else {
				err = call(ctx)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLimiterOverhead compares one sequential call made bare with the
// same call made through Do (lane permit, global grant, breaker, per-call
// timeout, release, wire stamp).
func BenchmarkLimiterOverhead(b *testing.B) {
	r := newOverheadRig(b)
	b.Run("bare/noop", r.bench(false, noop))
	b.Run("actors/noop", r.bench(true, noop))
	b.Run("bare/http", r.bench(false, r.httpCall))
	b.Run("actors/http", r.bench(true, r.httpCall))
}

// BenchmarkLimiterParallel is the same through Do from GOMAXPROCS×8
// concurrent callers, none limited by rate or cap.
func BenchmarkLimiterParallel(b *testing.B) {
	r := newOverheadRig(b)
	b.SetParallelism(8)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := r.sys.Do(context.Background(), LaneDeezer, "bench", noop); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// TestLimiterFigures prints the figures docs/benchmarks.md records: the
// saturating run's window max, mean use, p50/p99 queue wait, and the
// per-call overhead of the actors against a bare call, all in one run.
func TestLimiterFigures(t *testing.T) {
	if !*figures {
		t.Skip("prints benchmark figures; run with -args -limiter.figures")
	}
	res := runSaturation(t, 200, 10)
	q := func(h interface{ ValueAtQuantile(float64) int64 }, p float64) time.Duration {
		return (time.Duration(h.ValueAtQuantile(p)) * time.Microsecond).Round(time.Millisecond)
	}
	st := res.final
	fmt.Printf("saturation: %d calls from %d callers in %s (%s, GOMAXPROCS=%d)\n",
		res.calls, res.callers, res.elapsed.Round(time.Millisecond), runtime.Version(), runtime.GOMAXPROCS(0))
	fmt.Printf("  max_requests_in_any_1s_window: %d (limit 40)\n", st.MaxRequestsInAny1sWindow)
	fmt.Printf("  mean use while a backlog existed: %.1f%% of 40 rps (%.2f rps)\n", 100*res.meanUse(40), 40*res.meanUse(40))
	for _, api := range []string{"anthropic", "spotify", "lastfm", "deezer"} {
		fmt.Printf("  %s: %d requests, max in flight %d\n", api, st.APIs[api].Requests, st.APIs[api].MaxInFlight)
	}
	fmt.Printf("  queue wait all: p50 %s p99 %s max %s\n", q(res.waits, 50), q(res.waits, 99), q(res.waits, 100))
	fmt.Printf("  queue wait interactive: p50 %s p99 %s; background: p50 %s p99 %s\n",
		q(res.waitsByPrio[0], 50), q(res.waitsByPrio[0], 99), q(res.waitsByPrio[1], 50), q(res.waitsByPrio[1], 99))

	r := newOverheadRig(t)
	var bareHTTP, actorsHTTP, bareNoop, actorsNoop []float64
	var allocs int64
	for range 3 {
		bareHTTP = append(bareHTTP, float64(testing.Benchmark(r.bench(false, r.httpCall)).NsPerOp()))
		a := testing.Benchmark(r.bench(true, r.httpCall))
		actorsHTTP = append(actorsHTTP, float64(a.NsPerOp()))
		allocs = a.AllocsPerOp()
		bareNoop = append(bareNoop, float64(testing.Benchmark(r.bench(false, noop)).NsPerOp()))
		actorsNoop = append(actorsNoop, float64(testing.Benchmark(r.bench(true, noop)).NsPerOp()))
	}
	bh, ah, bn, an := median(bareHTTP), median(actorsHTTP), median(bareNoop), median(actorsNoop)
	fmt.Printf("overhead (sequential, medians of 3):\n")
	fmt.Printf("  loopback HTTP GET bare %.1f µs, through the actors %.1f µs: ratio %.2f (+%.1f µs, %d allocs/op)\n",
		bh/1e3, ah/1e3, ah/bh, (ah-bh)/1e3, allocs)
	fmt.Printf("  empty call bare %.0f ns, through the actors %.1f µs\n", bn, an/1e3)
}
