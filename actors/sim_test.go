package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dj/upstream"
	"dj/upstream/sim"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/require"
)

// saturationLatency makes requests overlap so the lane caps show on the
// wire; anthropic is slow, as it is for real.
var saturationLatency = map[string]sim.Latency{
	"anthropic": {Median: 200 * time.Millisecond, P99: 500 * time.Millisecond},
	"spotify":   {Median: 60 * time.Millisecond, P99: 150 * time.Millisecond},
	"lastfm":    {Median: 100 * time.Millisecond, P99: 250 * time.Millisecond},
	"deezer":    {Median: 60 * time.Millisecond, P99: 150 * time.Millisecond},
}

type saturationResult struct {
	calls, callers int
	final          sim.Stats
	backlog        sim.Stats               // taken when only one window's worth of calls had not started
	waits          *hdrhistogram.Histogram // µs from Do to the call starting, all calls
	waitsByPrio    [2]*hdrhistogram.Histogram
	limiterErrs    map[string]int
	elapsed        time.Duration
}

// meanUse is the share of the rate used while a backlog existed, from the
// simulator's accounting: requests after the first window's worth, over
// the time from the first to the last request of the backlog snapshot.
// (A perfect limiter at rate r with window w reaches r/w·1s here.)
func (r saturationResult) meanUse(rate int) float64 {
	st := r.backlog
	if st.FirstRequestAt == nil || st.LastRequestAt == nil {
		return 0
	}
	span := st.LastRequestAt.Sub(*st.FirstRequestAt).Seconds()
	if span <= 0 {
		return 0
	}
	return float64(st.TotalRequests-int64(rate)) / span / float64(rate)
}

// pickLane draws a lane for the mixed workload, roughly in proportion to
// the lanes' caps so no single lane holds every caller: deezer and lastfm
// (enrichment) most, then spotify, a little anthropic.
func pickLane(rng *rand.Rand) Lane {
	switch n := rng.IntN(100); {
	case n < 3:
		return LaneAnthropic
	case n < 20:
		return LaneSpotify
	case n < 58:
		return LaneLastfm
	default:
		return LaneDeezer
	}
}

// runSaturation drives callers×perCaller mixed calls through one System
// against the simulator and reports what the wire saw.
func runSaturation(t testing.TB, callers, perCaller int) saturationResult {
	t.Helper()
	base := startSimProcess(t)
	client := newHTTPClient(t)
	ts := newTestSystem(t, Config{})
	total := callers * perCaller
	rate := ts.Config().RatePerSecond

	var (
		started atomic.Int64
		mu      sync.Mutex
		waits   = hdrhistogram.New(1, int64(5*time.Minute/time.Microsecond), 3)
		byPrio  = [2]*hdrhistogram.Histogram{
			hdrhistogram.New(1, int64(5*time.Minute/time.Microsecond), 3),
			hdrhistogram.New(1, int64(5*time.Minute/time.Microsecond), 3),
		}
		errs = map[string]int{}
		snap = make(chan sim.Stats, 1)
		wg   sync.WaitGroup
		gate = make(chan struct{})
	)
	snapshot := func() {
		resp, err := client.Get(base + "/_sim/stats")
		if err != nil {
			snap <- sim.Stats{}
			return
		}
		defer resp.Body.Close()
		var st sim.Stats
		_ = jsonDecode(resp, &st)
		snap <- st
	}
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 0x5eed))
			<-gate
			for i := range perCaller {
				lane := pickLane(rng)
				ctx := WithRequestID(context.Background(), fmt.Sprintf("sat-%d-%d", c, i))
				prio := PriorityInteractive
				if rng.IntN(10) < 3 {
					prio = PriorityBackground
				}
				ctx = WithPriority(ctx, prio)
				call := wireCall(client, base, lane, c*perCaller+i)
				t0 := time.Now()
				err := ts.Do(ctx, lane, "saturate", func(ctx context.Context) error {
					w := time.Since(t0)
					mu.Lock()
					_ = waits.RecordValue(w.Microseconds())
					_ = byPrio[prio].RecordValue(w.Microseconds())
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
	elapsed := time.Since(t0)
	res := saturationResult{
		calls: total, callers: callers, waits: waits, waitsByPrio: byPrio, limiterErrs: errs, elapsed: elapsed,
		final: fetchStats(t, client, base),
	}
	select {
	case res.backlog = <-snap:
	case <-time.After(10 * time.Second):
		t.Fatal("backlog snapshot never arrived")
	}
	return res
}

func jsonDecode(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}

// TestSaturationKeepsRateAndLanes is the saturating test: 2,000
// mixed calls from 200 concurrent callers. The figures come from the
// simulator's own accounting (/_sim/stats).
func TestSaturationKeepsRateAndLanes(t *testing.T) {
	figureTest(t)
	res := runSaturation(t, 200, 10)
	st := res.final
	t.Logf("calls=%d callers=%d elapsed=%s total_requests=%d window_max=%d mean_use=%.1f%% wait_p50=%s wait_p99=%s",
		res.calls, res.callers, res.elapsed.Round(time.Millisecond), st.TotalRequests, st.MaxRequestsInAny1sWindow,
		100*res.meanUse(40), time.Duration(res.waits.ValueAtQuantile(50))*time.Microsecond,
		time.Duration(res.waits.ValueAtQuantile(99))*time.Microsecond)
	for api, a := range st.APIs {
		t.Logf("%s: requests=%d max_in_flight=%d", api, a.Requests, a.MaxInFlight)
	}

	require.Empty(t, res.limiterErrs, "no call may be refused by the limiter under saturation")
	require.EqualValues(t, res.calls, st.TotalRequests, "every call reached the wire exactly once")
	require.LessOrEqual(t, st.MaxRequestsInAny1sWindow, 40, "no burst above 40 in any 1 s window")
	caps := map[string]int{"anthropic": 2, "spotify": 5, "lastfm": 10, "deezer": 10}
	for api, limit := range caps {
		require.LessOrEqual(t, st.APIs[api].MaxInFlight, int64(limit), "%s in flight", api)
		require.Positive(t, st.APIs[api].Requests, "%s got traffic", api)
	}
	require.GreaterOrEqual(t, res.meanUse(40), 0.95, "mean use of 40 rps while a backlog exists")
}

// TestReferenceDeadlockCaseCompletes is anchor-infra §1.8: Last.fm artist
// info for a batch with five or more (here 12) uncached artists, whose
// nested permits hang the reference app for good. Here each lookup holds
// one permit around its one round trip, so the batch completes; the
// reference's nested shape is refused at once instead of hanging.
func TestReferenceDeadlockCaseCompletes(t *testing.T) {
	srv := startSim(t, map[string]sim.Latency{"lastfm": {Median: 20 * time.Millisecond, P99: 60 * time.Millisecond}})
	client := newHTTPClient(t)
	ts := newTestSystem(t, Config{})
	base := srv.URL()
	ctx := WithBudget(WithRequestID(context.Background(), "req-artists"), NewBudget(950, 10))

	cache := map[string]bool{}
	var artists []string
	for _, a := range srv.Catalog().Artists[:15] {
		artists = append(artists, a.Name)
	}
	for _, a := range artists[:3] { // a few cache hits, as in the reference runs
		cache[a] = true
	}
	getArtistInfo := func(name string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			u := fmt.Sprintf("%s/lastfm/2.0/?method=artist.getInfo&artist=%s&api_key=test&format=json", base, url.QueryEscape(name))
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return upstream.TransportError("lastfm", "artist.getInfo", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return upstream.StatusError("lastfm", "artist.getInfo", resp, time.Now())
			}
			return nil
		}
	}

	// batchGetArtistInfo, Go style: tracked work per uncached artist.
	tr := ts.NewTracker(ctx)
	uncached := 0
	for _, a := range artists {
		if cache[a] {
			continue
		}
		uncached++
		tr.Go("artist.getInfo", func(ctx context.Context) error {
			return ts.Do(ctx, LaneLastfm, "artist.getInfo", getArtistInfo(a))
		})
	}
	require.Equal(t, 12, uncached)
	wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, tr.Wait(wctx), "the batch completes")
	tr.Finish()
	require.Equal(t, TrackerStatus{Started: 12, Done: 12}, tr.Status())
	require.EqualValues(t, 12, srv.Stats().APIs["lastfm"].Requests)

	// The reference's shape: outer task holding a permit asks for more.
	err := ts.Do(ctx, LaneLastfm, "batchGetArtistInfo", func(ctx context.Context) error {
		for _, a := range artists {
			if err := ts.Do(ctx, LaneLastfm, "artist.getInfo", getArtistInfo(a)); err != nil {
				return err
			}
		}
		return nil
	})
	require.ErrorIs(t, err, ErrNestedPermit)
	require.EqualValues(t, 12, srv.Stats().APIs["lastfm"].Requests, "the refused nested calls never reached the wire")
	require.Equal(t, 0, ts.status(t).Lanes[LaneLastfm].InFlight, "no permit left behind")
	require.Equal(t, 13, BudgetOf(ctx).Used(), "12 lookups and the outer call")
}

// TestRetryAfterPausesLane: a 429 with Retry-After: 1 pauses the Deezer
// lane for that long (measured on the simulator's clock), while other
// lanes go on.
func TestRetryAfterPausesLane(t *testing.T) {
	srv := startSim(t, nil, sim.Fault{API: "deezer", Kind: sim.Fault429, RetryAfter: 1, Count: 1})
	client := newHTTPClient(t)
	ts := newTestSystem(t, Config{})
	base := srv.URL()
	ctx := WithRequestID(context.Background(), "req-429")

	var got429 time.Time
	err := ts.Do(ctx, LaneDeezer, "track", func(ctx context.Context) error {
		err := wireCall(client, base, LaneDeezer, 1)(ctx)
		got429 = time.Now()
		return err
	})
	require.ErrorIs(t, err, upstream.ErrRateLimited)
	ra, ok := upstream.RetryAfter(err)
	require.True(t, ok)
	require.Equal(t, time.Second, ra)
	ts.rec.waitFor(t, "lane/deezer", "paused", 1)
	require.Equal(t, 1.0, ts.metric(t, "dj_upstream_requests_total", "lane", "deezer", "outcome", "rate_limited"))

	next := goDo(ts.System, ctx, LaneDeezer, "track", wireCall(client, base, LaneDeezer, 2))
	// Another lane is not paused.
	err = ts.Do(ctx, LaneLastfm, "artist.getInfo", wireCall(client, base, LaneLastfm, 3))
	var le *Error
	require.False(t, errors.As(err, &le), "lastfm call refused by the limiter: %v", err)
	require.NoError(t, <-next)
	ts.rec.waitFor(t, "lane/deezer", "resumed", 1)
	// The Last.fm call got its permit while Deezer was paused.
	order := map[string]int{}
	for i, e := range ts.rec.all() {
		if _, seen := order[e.actor+" "+e.what]; !seen {
			order[e.actor+" "+e.what] = i
		}
	}
	require.Less(t, order["lane/deezer paused"], order["lane/lastfm granted"])
	require.Less(t, order["lane/lastfm granted"], order["lane/deezer resumed"])
	st := srv.Stats()
	require.EqualValues(t, 2, st.APIs["deezer"].Requests)
	require.GreaterOrEqual(t, st.LastRequestAt.Sub(got429), time.Second,
		"the next Deezer request reached the wire no sooner than Retry-After after the 429")
}

// TestBreakerOpensUnder5xxAndRecovers: three injected 500s open the
// Last.fm breaker; the next call fails fast without reaching the wire;
// after the open timeout a probe goes through and closes it.
func TestBreakerOpensUnder5xxAndRecovers(t *testing.T) {
	srv := startSim(t, nil, sim.Fault{API: "lastfm", Kind: sim.Fault500, Count: 3})
	client := newHTTPClient(t)
	ts := newTestSystem(t, Config{Breaker: BreakerConfig{ConsecutiveFailures: 3, OpenTimeout: 150 * time.Millisecond}})
	base := srv.URL()
	ctx := WithRequestID(context.Background(), "req-breaker")
	call := wireCall(client, base, LaneLastfm, 1)

	for range 3 {
		require.ErrorIs(t, ts.Do(ctx, LaneLastfm, "artist.getInfo", call), upstream.ErrUnavailable)
	}
	ts.rec.waitFor(t, "lane/lastfm", "breaker:open", 1)
	require.Equal(t, 2.0, ts.metric(t, "dj_breaker_state", "lane", "lastfm"))
	require.Equal(t, "open", ts.status(t).Lanes[LaneLastfm].Breaker)

	err := ts.Do(ctx, LaneLastfm, "artist.getInfo", call)
	require.ErrorIs(t, err, ErrBreakerOpen)
	require.EqualValues(t, 3, srv.Stats().APIs["lastfm"].Requests, "an open breaker fails fast, off the wire")
	// Other lanes are not affected.
	require.NoError(t, ts.Do(ctx, LaneDeezer, "track", wireCall(client, base, LaneDeezer, 1)))

	ts.rec.waitFor(t, "lane/lastfm", "breaker:half-open", 1)
	require.Equal(t, 1.0, ts.metric(t, "dj_breaker_state", "lane", "lastfm"))
	require.NoError(t, ts.Do(ctx, LaneLastfm, "artist.getInfo", call), "the half-open probe succeeds")
	ts.rec.waitFor(t, "lane/lastfm", "breaker:closed", 1)
	require.Equal(t, 0.0, ts.metric(t, "dj_breaker_state", "lane", "lastfm"))
	require.Equal(t, "closed", ts.status(t).Lanes[LaneLastfm].Breaker)
	require.EqualValues(t, 4, srv.Stats().APIs["lastfm"].Requests)
}
