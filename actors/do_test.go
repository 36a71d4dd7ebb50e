package actors

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// blocker is a call that holds its permit until released.
type blocker struct {
	entered chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{entered: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blocker) call(ctx context.Context) error {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// goDo runs Do in a goroutine and returns its result channel.
func goDo(s *System, ctx context.Context, lane Lane, op string, call func(context.Context) error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- s.Do(ctx, lane, op, call) }()
	return ch
}

func noop(context.Context) error { return nil }

func TestDoRunsCallAndCountsMetrics(t *testing.T) {
	ts := newTestSystem(t, Config{})
	ctx := WithRequestID(context.Background(), "req-1")
	ran := false
	require.NoError(t, ts.Do(ctx, LaneDeezer, "track", func(ctx context.Context) error {
		ran = true
		require.Equal(t, "req-1", RequestID(ctx), "the call sees the caller's values")
		_, held := permitHeld(ctx)
		require.True(t, held)
		return nil
	}))
	require.True(t, ran)
	require.Equal(t, 1.0, ts.metric(t, "dj_upstream_requests_total", "lane", "deezer", "outcome", "ok"))
	require.Equal(t, 1.0, ts.metric(t, "dj_upstream_wait_seconds", "lane", "deezer"))
	st := ts.status(t)
	require.Equal(t, 0, st.Lanes[LaneDeezer].InFlight)
	require.Equal(t, 1, st.Rate.InWindow)

	// Actors are counted by kind.
	require.Equal(t, 4.0, ts.metric(t, "dj_actors_alive", "kind", "lane"))
	require.Equal(t, 1.0, ts.metric(t, "dj_actors_alive", "kind", "rate"))
	require.Equal(t, 1.0, ts.metric(t, "dj_actors_alive", "kind", "upstream"))
	require.Positive(t, ts.metric(t, "dj_actor_message_duration_seconds", "kind", "lane", "message", "acquireLane"))

	err := ts.Do(ctx, Lane("myspace"), "x", noop)
	require.ErrorIs(t, err, ErrUnknownLane)
}

func TestLaneCapAndFIFO(t *testing.T) {
	ts := newTestSystem(t, Config{})
	ctx := context.Background()
	b := newBlocker()
	var results []<-chan error
	for range 2 { // the anthropic cap
		results = append(results, goDo(ts.System, ctx, LaneAnthropic, "hold", b.call))
	}
	<-b.entered
	<-b.entered
	// Three more queue in order; none may enter while both permits are out.
	order := make(chan int, 3)
	for i := range 3 {
		results = append(results, goDo(ts.System, ctx, LaneAnthropic, "wait", func(context.Context) error {
			order <- i
			return nil
		}))
		ts.rec.waitFor(t, "lane/anthropic", "queued", 3+i)
	}
	st := ts.status(t)
	require.Equal(t, 2, st.Lanes[LaneAnthropic].InFlight)
	require.Equal(t, 3, st.Lanes[LaneAnthropic].Queued)
	require.Equal(t, 2.0, ts.metric(t, "dj_lane_in_flight", "lane", "anthropic"))
	require.Equal(t, 3.0, ts.metric(t, "dj_lane_queued", "lane", "anthropic"))
	require.Len(t, order, 0)

	close(b.release)
	for _, r := range results {
		require.NoError(t, <-r)
	}
	require.Len(t, order, 3)
	// Permits went out in the order the waiters queued.
	var queued, grants []uint64
	for _, e := range ts.rec.match("lane/anthropic", "queued") {
		queued = append(queued, e.ticket)
	}
	for _, e := range ts.rec.match("lane/anthropic", "granted") {
		grants = append(grants, e.ticket)
	}
	require.Equal(t, queued, grants)
	require.Equal(t, 0, ts.status(t).Lanes[LaneAnthropic].InFlight)
}

func TestCancelledCallerFreesItsPlace(t *testing.T) {
	ts := newTestSystem(t, Config{})
	b := newBlocker()
	hold := []<-chan error{
		goDo(ts.System, context.Background(), LaneAnthropic, "hold", b.call),
		goDo(ts.System, context.Background(), LaneAnthropic, "hold", b.call),
	}
	<-b.entered
	<-b.entered

	ctx, cancel := context.WithCancel(context.Background())
	var cancelledRan atomic.Bool
	gone := goDo(ts.System, ctx, LaneAnthropic, "cancelled", func(context.Context) error {
		cancelledRan.Store(true)
		return nil
	})
	ts.rec.waitFor(t, "lane/anthropic", "queued", 3)
	next := goDo(ts.System, context.Background(), LaneAnthropic, "next", noop)
	ts.rec.waitFor(t, "lane/anthropic", "queued", 4)

	cancel()
	err := <-gone
	require.ErrorIs(t, err, context.Canceled)
	ts.rec.waitFor(t, "lane/anthropic", "dropped", 1)
	st := ts.status(t)
	require.Equal(t, 1, st.Lanes[LaneAnthropic].Queued, "the cancelled waiter left the queue")
	require.Equal(t, 2, st.Lanes[LaneAnthropic].InFlight)

	b.release <- struct{}{} // one holder finishes: its permit goes to "next"
	require.NoError(t, <-next)
	close(b.release)
	for _, r := range hold {
		require.NoError(t, <-r)
	}
	require.False(t, cancelledRan.Load(), "a dropped waiter is never granted")
	require.Equal(t, 0, ts.status(t).Lanes[LaneAnthropic].InFlight)
	require.Equal(t, 1.0, ts.metric(t, "dj_upstream_requests_total", "lane", "anthropic", "outcome", "cancelled"))
}

func TestCancelWhileWaitingForGrantReturnsPermit(t *testing.T) {
	// One start per hour: the second call holds its lane permit and waits
	// for a grant that will not come in this test.
	ts := newTestSystem(t, Config{RatePerSecond: 1, Window: time.Hour})
	require.NoError(t, ts.Do(context.Background(), LaneSpotify, "first", noop))

	ctx, cancel := context.WithCancel(context.Background())
	waiting := goDo(ts.System, ctx, LaneSpotify, "second", noop)
	ts.rec.waitFor(t, "rate", "queued", 2)
	require.Equal(t, 1, ts.status(t).Lanes[LaneSpotify].InFlight, "holds its permit while waiting for the grant")
	cancel()
	require.ErrorIs(t, <-waiting, context.Canceled)
	ts.rec.waitFor(t, "rate", "dropped", 1)
	st := ts.status(t)
	require.Equal(t, 0, st.Lanes[LaneSpotify].InFlight)
	require.Equal(t, 0, st.Rate.Queued)
}

func TestInteractiveGoesBeforeBackground(t *testing.T) {
	ts := newTestSystem(t, Config{LaneCaps: map[Lane]int{LaneDeezer: 1}})
	b := newBlocker()
	held := goDo(ts.System, context.Background(), LaneDeezer, "hold", b.call)
	<-b.entered

	order := make(chan string, 2)
	bg := goDo(ts.System, WithPriority(context.Background(), PriorityBackground), LaneDeezer, "enrich",
		func(context.Context) error { order <- "background"; return nil })
	ts.rec.waitFor(t, "lane/deezer", "queued", 2)
	fg := goDo(ts.System, WithPriority(context.Background(), PriorityInteractive), LaneDeezer, "queue-add",
		func(context.Context) error { order <- "interactive"; return nil })
	ts.rec.waitFor(t, "lane/deezer", "queued", 3)

	close(b.release)
	require.NoError(t, <-held)
	require.NoError(t, <-fg)
	require.NoError(t, <-bg)
	require.Equal(t, "interactive", <-order)
	require.Equal(t, "background", <-order)
}

func TestNestedDoIsRefusedNotDeadlocked(t *testing.T) {
	// The reference app's shape (anchor-infra §1.8): an outer task holds a
	// Last.fm permit and asks for more. Here the lane has 10 permits and
	// 12 outer tasks; every inner call is refused at once.
	ts := newTestSystem(t, Config{})
	ctx := WithRequestID(context.Background(), "req-nested")
	var outer []<-chan error
	inner := make(chan error, 12)
	for i := range 12 {
		_ = i
		outer = append(outer, goDo(ts.System, ctx, LaneLastfm, "batchGetArtistInfo", func(ctx context.Context) error {
			inner <- ts.Do(ctx, LaneLastfm, "artist.getInfo", noop)
			return nil
		}))
	}
	for _, r := range outer {
		require.NoError(t, <-r)
	}
	for range 12 {
		err := <-inner
		require.ErrorIs(t, err, ErrNestedPermit)
		var e *Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, "req-nested", e.RequestID)
	}
	require.Equal(t, 0, ts.status(t).Lanes[LaneLastfm].InFlight)
}

func TestPerCallTimeoutReleasesPermit(t *testing.T) {
	ts := newTestSystem(t, Config{CallTimeouts: map[Lane]time.Duration{LaneSpotify: 20 * time.Millisecond}})
	err := ts.Do(context.Background(), LaneSpotify, "hang", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	require.ErrorIs(t, err, ErrCallTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 0, ts.status(t).Lanes[LaneSpotify].InFlight)
	require.Equal(t, 1.0, ts.metric(t, "dj_upstream_requests_total", "lane", "spotify", "outcome", "timeout"))
}

func TestPanickingCallReleasesPermit(t *testing.T) {
	ts := newTestSystem(t, Config{})
	require.Panics(t, func() {
		_ = ts.Do(context.Background(), LaneDeezer, "boom", func(context.Context) error { panic("boom") })
	})
	require.Equal(t, 0, ts.status(t).Lanes[LaneDeezer].InFlight)
	require.NoError(t, ts.Do(context.Background(), LaneDeezer, "after", noop))
}

func TestQueueBoundRefuses(t *testing.T) {
	ts := newTestSystem(t, Config{MaxQueue: 1, LaneCaps: map[Lane]int{LaneDeezer: 1}})
	b := newBlocker()
	held := goDo(ts.System, context.Background(), LaneDeezer, "hold", b.call)
	<-b.entered
	queued := goDo(ts.System, context.Background(), LaneDeezer, "queued", noop)
	ts.rec.waitFor(t, "lane/deezer", "queued", 2)
	err := ts.Do(context.Background(), LaneDeezer, "refused", noop)
	require.ErrorIs(t, err, ErrQueueFull)
	close(b.release)
	require.NoError(t, <-held)
	require.NoError(t, <-queued)
}

func TestMaxWaitRefusesWithTypedError(t *testing.T) {
	ts := newTestSystem(t, Config{MaxWait: 30 * time.Millisecond, LaneCaps: map[Lane]int{LaneDeezer: 1}})
	b := newBlocker()
	held := goDo(ts.System, context.Background(), LaneDeezer, "hold", b.call)
	<-b.entered
	err := ts.Do(context.Background(), LaneDeezer, "waits", noop)
	require.ErrorIs(t, err, ErrWaitTimeout)
	require.False(t, errors.Is(err, context.DeadlineExceeded), "the caller's own context did not end")
	close(b.release)
	require.NoError(t, <-held)
	require.Equal(t, 0, ts.status(t).Lanes[LaneDeezer].Queued)
}

func TestBudget(t *testing.T) {
	ts := newTestSystem(t, Config{})
	b := NewBudget(5, 2)
	ctx := WithBudget(WithRequestID(context.Background(), "req-b"), b)
	for range 3 {
		require.NoError(t, ts.Do(ctx, LaneDeezer, "track", noop))
	}
	require.Equal(t, 3, b.Used())
	require.Zero(t, b.Remaining())
	err := ts.Do(ctx, LaneDeezer, "track", noop)
	require.ErrorIs(t, err, ErrBudgetExhausted)
	require.Equal(t, 3, b.Used(), "a refused call is not counted")

	// Overhead (a token refresh) may use the reserve, and only it.
	octx := WithOverhead(ctx)
	require.NoError(t, ts.Do(octx, LaneSpotify, "token", noop))
	require.NoError(t, ts.Do(octx, LaneSpotify, "token", noop))
	require.ErrorIs(t, ts.Do(octx, LaneSpotify, "token", noop), ErrBudgetExhausted)
	require.Equal(t, 5, b.Used())

	// A call that never reached the wire is refunded.
	b2 := NewBudget(950, 10)
	cctx, cancel := context.WithCancel(WithBudget(context.Background(), b2))
	cancel()
	require.ErrorIs(t, ts.Do(cctx, LaneDeezer, "x", noop), context.Canceled)
	require.Zero(t, b2.Used())
	require.Equal(t, 940, b2.Remaining())

	tr := ts.NewTracker(ctx)
	tr.Finish()
	require.Equal(t, 1.0, ts.metric(t, "dj_budget_used"))
}

func TestBudgetConcurrentTakeNeverOverspends(t *testing.T) {
	b := NewBudget(950, 10)
	var ok atomic.Int64
	done := make(chan struct{})
	for range 20 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 100 {
				if b.take(false) {
					ok.Add(1)
				}
			}
		}()
	}
	for range 20 {
		<-done
	}
	require.Equal(t, int64(940), ok.Load())
	require.Equal(t, 940, b.Used())
}
