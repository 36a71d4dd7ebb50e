package actors

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dj/internal/redistest"
	"dj/upstream/sim"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/require"
)

// clusterCaps are the production lane caps, by simulator API name.
var clusterCaps = map[string]int{"anthropic": 2, "spotify": 5, "lastfm": 10, "deezer": 10}

// capLane gives caller i of each node a fixed lane, so every node has as
// many callers on each lane as its cap: each node alone would fill every
// lane (and, with 27 callers, start 27 requests at once).
func capLane(i int) Lane {
	switch i % 27 {
	case 0, 1:
		return LaneAnthropic
	case 2, 3, 4, 5, 6:
		return LaneSpotify
	case 7, 8, 9, 10, 11, 12, 13, 14, 15, 16:
		return LaneLastfm
	default:
		return LaneDeezer
	}
}

// runClusterSaturation drives callersPerNode×perCaller calls through each
// node at once against the simulator at base (each node with its own HTTP
// client, as separate processes would have) and reports what the wire
// saw. laneOf picks the lane of a caller's i-th call.
func runClusterSaturation(t testing.TB, base string, nodes []*testSystem, callersPerNode, perCaller int,
	laneOf func(caller int, rng *rand.Rand) Lane) saturationResult {
	t.Helper()
	ctl := newHTTPClient(t)
	resp, err := ctl.Post(base+"/_sim/reset", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()

	clients := make([]*http.Client, len(nodes))
	for i := range nodes {
		clients[i] = newHTTPClient(t)
	}
	rate := nodes[0].Config().RatePerSecond
	callers := callersPerNode * len(nodes)
	total := callers * perCaller
	var (
		started atomic.Int64
		mu      sync.Mutex
		waits   = hdrhistogram.New(1, int64(5*time.Minute/time.Microsecond), 3)
		errs    = map[string]int{}
		snap    = make(chan sim.Stats, 1)
		wg      sync.WaitGroup
		gate    = make(chan struct{})
	)
	snapshot := func() {
		st, err := getStats(ctl, base)
		if err != nil {
			t.Logf("backlog snapshot: %v", err)
		}
		snap <- st
	}
	for c := range callers {
		node, client := nodes[c%len(nodes)], clients[c%len(nodes)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 0xc1a5))
			<-gate
			for i := range perCaller {
				lane := laneOf(c/len(nodes), rng)
				ctx := WithRequestID(context.Background(), fmt.Sprintf("cluster-%d-%d", c, i))
				if rng.IntN(10) < 3 {
					ctx = WithPriority(ctx, PriorityBackground)
				}
				call := wireCall(client, base, lane, c*perCaller+i)
				t0 := time.Now()
				err := node.Do(ctx, lane, "saturate", func(ctx context.Context) error {
					mu.Lock()
					_ = waits.RecordValue(time.Since(t0).Microseconds())
					mu.Unlock()
					if started.Add(1) == int64(total-rate) {
						go snapshot()
					}
					return call(ctx)
				})
				var le *Error
				if errors.As(err, &le) {
					mu.Lock()
					errs[le.Kind.Error()]++
					mu.Unlock()
				}
			}
		}()
	}
	t0 := time.Now()
	close(gate)
	wg.Wait()
	res := saturationResult{
		calls: total, callers: callers, waits: waits, limiterErrs: errs,
		elapsed: time.Since(t0), final: fetchStats(t, ctl, base),
	}
	if started.Load() >= int64(total-rate) && total > rate {
		select {
		case res.backlog = <-snap:
		case <-time.After(10 * time.Second):
			t.Fatal("backlog snapshot never arrived")
		}
	}
	return res
}

func getStats(c *http.Client, base string) (sim.Stats, error) {
	var st sim.Stats
	resp, err := c.Get(base + "/_sim/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, jsonDecode(resp, &st)
}

// logCluster logs a run's figures (mean use only for runs long enough
// to have a backlog worth the name).
func logCluster(t testing.TB, label string, res saturationResult) {
	t.Helper()
	st := res.final
	t.Logf("%s: calls=%d callers=%d elapsed=%s total_requests=%d window_max=%d wait_p50=%s wait_p99=%s limiter_errors=%v",
		label, res.calls, res.callers, res.elapsed.Round(time.Millisecond), st.TotalRequests, st.MaxRequestsInAny1sWindow,
		time.Duration(res.waits.ValueAtQuantile(50))*time.Microsecond,
		time.Duration(res.waits.ValueAtQuantile(99))*time.Microsecond, res.limiterErrs)
	if res.calls >= 10*40 {
		t.Logf("%s: mean_use=%.1f%% of 40 rps while a backlog existed", label, 100*res.meanUse(40))
	}
	for api, a := range st.APIs {
		t.Logf("%s: %s requests=%d max_in_flight=%d (cap %d)", label, api, a.Requests, a.MaxInFlight, clusterCaps[api])
	}
}

// requireClusterLimits checks a shared run against the simulator's own
// accounting: no refusals, every call on the wire once, at most 40 in any
// 1 s window and each lane within its cap, for all nodes together.
func requireClusterLimits(t testing.TB, res saturationResult) {
	t.Helper()
	st := res.final
	require.Empty(t, res.limiterErrs, "no call may be refused by the limiter under saturation")
	require.EqualValues(t, res.calls, st.TotalRequests, "every call reached the wire exactly once")
	require.LessOrEqual(t, st.MaxRequestsInAny1sWindow, 40, "no burst above 40 in any 1 s window, all nodes together")
	for api, limit := range clusterCaps {
		require.LessOrEqual(t, st.APIs[api].MaxInFlight, int64(limit), "%s in flight, all nodes together", api)
		require.Positive(t, st.APIs[api].Requests, "%s got traffic", api)
	}
}

// newClusterNodes starts n nodes sharing limits through srv.
func newClusterNodes(t testing.TB, srv *redistest.Server, n int) []*testSystem {
	t.Helper()
	prefix := clusterPrefix(t)
	nodes := make([]*testSystem, n)
	for i := range nodes {
		nodes[i] = newClusterNode(t, srv, prefix, Config{})
	}
	return nodes
}

// TestClusterLimitsOnTheWire is the short form of the proof:
// three Systems in one process (three nodes, each with its own Redis
// client and HTTP client), every one configured for 40 rps and the
// production caps, saturate one simulator (its own process) with 27
// callers each — one per local permit, so each node alone would start
// all 27 at once. The simulator's accounting shows the three
// together within 40 per 1 s window and each lane within its cap. The
// same load without the shared limits breaks both, so the test can fail.
func TestClusterLimitsOnTheWire(t *testing.T) {
	base := startSimProcess(t)
	srv := redistest.Start(t)
	byCaller := func(caller int, _ *rand.Rand) Lane { return capLane(caller) }

	shared := runClusterSaturation(t, base, newClusterNodes(t, srv, 3), 27, 1, byCaller)
	logCluster(t, "shared", shared)
	requireClusterLimits(t, shared)

	alone := runClusterSaturation(t, base, []*testSystem{newTestSystem(t, Config{}), newTestSystem(t, Config{}), newTestSystem(t, Config{})},
		27, 1, byCaller)
	logCluster(t, "alone", alone)
	require.Greater(t, alone.final.MaxRequestsInAny1sWindow, 40, "three nodes alone exceed the window the cluster keeps")
	over := 0
	for api, limit := range clusterCaps {
		if alone.final.APIs[api].MaxInFlight > int64(limit) {
			over++
		}
	}
	require.Positive(t, over, "three nodes alone exceed some lane's cap")
}

// TestClusterSaturationKeepsRateAndLanes is the figure run: 2,100 mixed
// calls from 210 callers spread over three nodes (the single-node
// TestSaturationKeepsRateAndLanes, three times over), with the mix of
// lanes and priorities of the enrichment-heavy workload.
func TestClusterSaturationKeepsRateAndLanes(t *testing.T) {
	figureTest(t)
	base := startSimProcess(t)
	srv := redistest.Start(t)
	res := runClusterSaturation(t, base, newClusterNodes(t, srv, 3), 70, 10, func(_ int, rng *rand.Rand) Lane { return pickLane(rng) })
	logCluster(t, "cluster", res)
	requireClusterLimits(t, res)
	require.GreaterOrEqual(t, res.meanUse(40), 0.9, "mean use of 40 rps across the cluster while a backlog exists")
}

// BenchmarkClusterLimiterOverhead is BenchmarkLimiterOverhead's
// actors/noop with the limits shared through a local redis-server: what a
// call costs in cluster mode (a lease and a start, one round trip each,
// before the call; the stamp and the release after it, off the caller's
// path).
func BenchmarkClusterLimiterOverhead(b *testing.B) {
	srv := redistest.Start(b)
	cfg := overheadConfig()
	ts := newClusterNode(b, srv, clusterPrefix(b), cfg)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := ts.Do(ctx, LaneDeezer, "bench", noop); err != nil {
			b.Fatal(err)
		}
	}
}
