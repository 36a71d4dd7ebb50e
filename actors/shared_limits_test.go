package actors

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dj/internal/quota"
	"dj/internal/redistest"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

var _ SharedLimits = (*quota.Limits)(nil)

// newClusterNode starts a System that shares its limits through the
// redis-server srv under prefix (one per test): one node of a cluster,
// with its own Redis client as a separate djd would have.
func newClusterNode(t testing.TB, srv *redistest.Server, prefix string, cfg Config) *testSystem {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), ContextTimeoutEnabled: true,
		DialTimeout: time.Second, MaxRetries: -1, PoolSize: 32,
	})
	t.Cleanup(func() { _ = rdb.Close() }) // runs after the System's shutdown
	q, err := quota.New(rdb, quota.Options{Prefix: prefix})
	require.NoError(t, err)
	cfg.Shared = q
	if cfg.SharedTimeout == 0 {
		cfg.SharedTimeout = 250 * time.Millisecond
	}
	return newTestSystem(t, cfg)
}

// newQuota is a direct view of the shared state, for checks.
func newQuota(t testing.TB, srv *redistest.Server, prefix string) *quota.Limits {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	q, err := quota.New(rdb, quota.Options{Prefix: prefix})
	require.NoError(t, err)
	return q
}

func clusterPrefix(t testing.TB) string { return "test:" + t.Name() + ":" }

// metricSum adds up every sample of a counter or gauge whose labels match.
func (ts *testSystem) metricSum(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	fams, err := ts.reg.Gather()
	require.NoError(t, err)
	sum := 0.0
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if got[labels[i]] != labels[i+1] {
					continue next
				}
			}
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

// logCount counts the log lines whose msg contains what.
func (ts *testSystem) logCount(t testing.TB, what string) int {
	t.Helper()
	n := 0
	for _, l := range ts.logs.lines(t) {
		if msg, _ := l["msg"].(string); strings.Contains(msg, what) {
			n++
		}
	}
	return n
}

// TestClusterSingleNodeConfigUnchanged: without Shared nothing of the
// glue exists, so a single node runs exactly as before.
func TestClusterSingleNodeConfigUnchanged(t *testing.T) {
	ts := newTestSystem(t, Config{})
	require.Nil(t, ts.rate.link)
	require.Nil(t, ts.rate.sh)
	for _, rt := range ts.lanes {
		require.Nil(t, rt.sh)
	}
	require.NoError(t, ts.Do(context.Background(), LaneDeezer, "track", noop))
	require.Zero(t, ts.metricSum(t, "dj_shared_limits_calls_total"))

	_, err := Config{Shared: &quota.Limits{}, SharedTTL: time.Second, SharedTimeout: time.Second}.withDefaults()
	require.Error(t, err, "a timeout over a third of the TTL is refused")
}

// refusedAnywhere waits until one of the nodes' actor was refused by
// the shared limits at least once.
func refusedAnywhere(t testing.TB, actorName string, nodes ...*testSystem) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, n := range nodes {
			if len(n.rec.match(actorName, "shared:refused")) > 0 {
				return true
			}
		}
		return false
	}, 20*time.Second, time.Millisecond, "no node's %s was refused by the shared limits", actorName)
}

// TestClusterCapsHoldAcrossNodes: two nodes with the Anthropic cap of 2;
// four blocked calls, two on each, never hold more than 2 permits
// together, and each permit released on one node is granted to a waiter
// on either.
func TestClusterCapsHoldAcrossNodes(t *testing.T) {
	srv := redistest.Start(t)
	prefix := clusterPrefix(t)
	a, b := newClusterNode(t, srv, prefix, Config{}), newClusterNode(t, srv, prefix, Config{})
	q := newQuota(t, srv, prefix)
	ctx := WithRequestID(context.Background(), "req-caps")

	blk := newBlocker()
	var results []<-chan error
	for _, n := range []*testSystem{a, b, a, b} {
		results = append(results, goDo(n.System, ctx, LaneAnthropic, "messages", blk.call))
	}
	<-blk.entered
	<-blk.entered
	// Each node alone would let its two calls through.
	refusedAnywhere(t, "lane/anthropic", a, b)
	inFlight := a.status(t).Lanes[LaneAnthropic].InFlight + b.status(t).Lanes[LaneAnthropic].InFlight
	require.Equal(t, 2, inFlight, "permits out on both nodes together")
	n, err := q.Leases(ctx, "anthropic")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	select {
	case <-blk.entered:
		t.Fatal("a third call started while two held the cluster's permits")
	default:
	}

	for range 2 {
		blk.release <- struct{}{}
		<-blk.entered
	}
	close(blk.release)
	for _, r := range results {
		require.NoError(t, <-r)
	}
	require.Eventually(t, func() bool {
		n, err := q.Leases(ctx, "anthropic")
		return err == nil && n == 0
	}, 10*time.Second, 5*time.Millisecond, "every lease released")
	require.Equal(t, 4.0, a.metricSum(t, "dj_shared_limits_calls_total", "op", "release", "result", "ok")+
		b.metricSum(t, "dj_shared_limits_calls_total", "op", "release", "result", "ok"))
}

// TestClusterRateHoldsAcrossNodes: three nodes, each allowing 4 starts
// per (hour-long) window; of twelve calls, four start and the other
// eight wait, whatever node they are on, until their callers give up.
func TestClusterRateHoldsAcrossNodes(t *testing.T) {
	srv := redistest.Start(t)
	prefix := clusterPrefix(t)
	cfg := Config{RatePerSecond: 4, Window: time.Hour}
	nodes := []*testSystem{newClusterNode(t, srv, prefix, cfg), newClusterNode(t, srv, prefix, cfg), newClusterNode(t, srv, prefix, cfg)}
	q := newQuota(t, srv, prefix)
	ctx, cancel := context.WithCancel(WithRequestID(context.Background(), "req-rate"))
	defer cancel()

	type result struct {
		node int
		err  error
	}
	var startedN atomic.Int32
	done := make(chan result, 12)
	for i := range 12 {
		go func() {
			err := nodes[i%3].Do(ctx, LaneDeezer, "track", func(context.Context) error {
				startedN.Add(1)
				return nil
			})
			done <- result{i % 3, err}
		}()
	}
	perNode := [3]int{}
	for range 4 {
		r := <-done
		require.NoError(t, r.err)
		perNode[r.node]++
	}
	// Every node that still has waiters asks the cluster and is refused.
	for i, n := range nodes {
		if perNode[i] < 4 {
			n.rec.waitFor(t, "rate", "shared:refused", 1)
		}
	}
	require.EqualValues(t, 4, startedN.Load())
	inWindow, err := q.Starts(ctx, cfg.Window+25*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, 4, inWindow)

	cancel()
	for range 8 {
		r := <-done
		require.ErrorIs(t, r.err, context.Canceled, "a waiter beyond the cluster's rate never starts")
	}
	require.EqualValues(t, 4, startedN.Load())
}

// TestClusterDeadNodeFreesItsSlots: a node stops without giving anything
// back, its calls still out (as after SIGKILL: nobody releases, nobody
// renews). Another node waiting for those slots gets them once the TTL
// after the dead node's last renewal has passed: lane leases expire, and
// pending starts lapse (then leave the window after one span).
func TestClusterDeadNodeFreesItsSlots(t *testing.T) {
	srv := redistest.Start(t)
	cases := []struct {
		name    string
		cfg     Config
		lane    Lane
		waitsOn string // the live node's actor the cluster holds back
	}{
		{"lane leases", Config{}, LaneAnthropic, "lane/anthropic"},
		{"pending starts", Config{RatePerSecond: 2}, LaneDeezer, "rate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix := clusterPrefix(t)
			c.cfg.SharedTTL, c.cfg.SharedTimeout = 900*time.Millisecond, 300*time.Millisecond
			dead, live := newClusterNode(t, srv, prefix, c.cfg), newClusterNode(t, srv, prefix, c.cfg)
			ctx := WithRequestID(context.Background(), "req-dead")

			// Two calls on the dead node fill the cluster: the Anthropic
			// cap, or the rate of 2 (a call that sends no request is never
			// stamped, so its start stays pending).
			blk := newBlocker()
			held := []<-chan error{
				goDo(dead.System, ctx, c.lane, "held", blk.call),
				goDo(dead.System, ctx, c.lane, "held", blk.call),
			}
			<-blk.entered
			<-blk.entered
			waiting := goDo(live.System, ctx, c.lane, "waiting", noop)
			live.rec.waitFor(t, c.waitsOn, "shared:refused", 1)

			require.NoError(t, dead.Shutdown(context.Background()))
			select {
			case err := <-waiting:
				require.NoError(t, err, "the live node's call went through once the dead node's slots lapsed")
			case <-time.After(20 * time.Second):
				t.Fatal("the dead node's slots never freed")
			}
			require.Zero(t, dead.metricSum(t, "dj_shared_limits_calls_total", "op", "release"), "the dead node released nothing")
			require.Zero(t, dead.metricSum(t, "dj_shared_limits_calls_total", "op", "return"), "the dead node returned nothing")

			close(blk.release)
			for _, r := range held {
				<-r // the dead node's calls end; their releases go nowhere
			}
		})
	}
}

// TestClusterFailsClosedWhenSharedLimitsDown: with Redis stalled or gone,
// calls are refused with ErrSharedLimitsDown (also ErrLimiterDown) within
// the round-trip bound, never sent and never hung; the outage is logged
// once, not per call, and no Redis text reaches the error callers see.
// When Redis is back, calls go through again.
func TestClusterFailsClosedWhenSharedLimitsDown(t *testing.T) {
	srv := redistest.Start(t)
	ts := newClusterNode(t, srv, clusterPrefix(t), Config{SharedTTL: 900 * time.Millisecond, SharedTimeout: 200 * time.Millisecond})
	ctx := WithRequestID(context.Background(), "req-down")
	const downLog, backLog = "cluster-wide limits unavailable", "cluster-wide limits answer again"

	// quiet waits until n calls' stamps and releases have answered, so no
	// round trip from before an outage ends inside it.
	quiet := func(n float64) {
		t.Helper()
		require.Eventually(t, func() bool {
			return ts.metricSum(t, "dj_shared_limits_calls_total", "op", "stamp", "result", "ok") == n &&
				ts.metricSum(t, "dj_shared_limits_calls_total", "op", "release", "result", "ok") == n
		}, 10*time.Second, time.Millisecond)
	}
	// refusedAll runs 20 calls on all lanes and checks each is refused.
	refusedAll := func() {
		t.Helper()
		errs := make(chan error, 20)
		ran := atomic.Int32{}
		for i := range 20 {
			go func() {
				errs <- ts.Do(ctx, Lanes()[i%4], "op", func(context.Context) error { ran.Add(1); return nil })
			}()
		}
		for range 20 {
			select {
			case err := <-errs:
				require.ErrorIs(t, err, ErrSharedLimitsDown)
				require.ErrorIs(t, err, ErrLimiterDown, "handled wherever a stopped limiter is")
				var le *Error
				require.True(t, errors.As(err, &le))
				require.NoError(t, le.Err, "no cause, so no Redis text, travels with the error")
			case <-time.After(10 * time.Second):
				t.Fatal("a call hung while the shared limits were down")
			}
		}
		require.Zero(t, ran.Load(), "no call went out without the cluster's grant")
		require.Equal(t, 1.0, ts.metric(t, "dj_shared_limits_down"))
	}
	recovered := func(n float64) {
		t.Helper()
		require.Eventually(t, func() bool { return ts.Do(ctx, LaneSpotify, "op", noop) == nil },
			10*time.Second, 5*time.Millisecond, "calls go through once Redis answers")
		require.Equal(t, 0.0, ts.metric(t, "dj_shared_limits_down"))
		quiet(n)
	}

	require.NoError(t, ts.Do(ctx, LaneDeezer, "op", noop))
	quiet(1)

	// Outage 1: Redis stalls (connections open, nothing answered), then
	// dies; one outage, one log line.
	srv.Pause()
	refusedAll()
	srv.Kill()
	refusedAll()
	require.Equal(t, 1, ts.logCount(t, downLog), "logged once for the whole outage, not per call")
	srv.Restart()
	recovered(2)
	require.Equal(t, 1, ts.logCount(t, backLog))

	// Outage 2: Redis is gone at once.
	srv.Kill()
	refusedAll()
	require.Equal(t, 2, ts.logCount(t, downLog))
	srv.Restart()
	recovered(3)
	require.Equal(t, 2, ts.logCount(t, backLog))

	require.GreaterOrEqual(t, ts.metricSum(t, "dj_upstream_requests_total", "outcome", "shared_limits_down"), 60.0,
		"three rounds of 20 refused calls, counted by their outcome")
	require.Positive(t, ts.metricSum(t, "dj_shared_limits_calls_total", "result", "error"))
}
