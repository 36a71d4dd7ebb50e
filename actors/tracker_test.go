package actors

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func findLog(t *testing.T, ts *testSystem, msg string) map[string]any {
	t.Helper()
	for _, l := range ts.logs.lines(t) {
		if l["msg"] == msg {
			return l
		}
	}
	t.Fatalf("no log line %q", msg)
	return nil
}

func TestTrackerLogsStatusAtRequestEnd(t *testing.T) {
	ts := newTestSystem(t, Config{})
	ctx := WithBudget(WithRequestID(context.Background(), "req-track"), NewBudget(950, 10))
	tr := ts.NewTracker(ctx)
	tr.Go("queue-add", func(ctx context.Context) error {
		require.Equal(t, "req-track", RequestID(ctx))
		return ts.Do(ctx, LaneSpotify, "queue", noop)
	})
	tr.Go("cache-write", func(context.Context) error { return errors.New("disk full") })
	require.NoError(t, tr.Wait(context.Background()))

	release := make(chan struct{})
	tr.Go("enrich", func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	require.Equal(t, TrackerStatus{Started: 3, Done: 1, Failed: 1, Pending: 1}, tr.Status())
	tr.Finish()

	l := findLog(t, ts, "request work status")
	require.Equal(t, "req-track", l["request_id"])
	require.EqualValues(t, 3, l["started"])
	require.EqualValues(t, 1, l["done"])
	require.EqualValues(t, 1, l["failed"])
	require.EqualValues(t, 1, l["pending"])
	require.EqualValues(t, 1, l["budget_used"])
	work := l["work"].([]any)
	require.Len(t, work, 3)
	states := map[string]string{}
	for _, w := range work {
		m := w.(map[string]any)
		states[m["name"].(string)] = m["state"].(string)
		require.Contains(t, m, "duration_ms")
	}
	require.Equal(t, map[string]string{"queue-add": "done", "cache-write": "failed", "enrich": "pending"}, states)

	close(release)
	require.NoError(t, tr.Wait(context.Background()))
	require.Equal(t, "req-track", findLog(t, ts, "request work drained after request end")["request_id"])
	require.Equal(t, 1.0, ts.metric(t, "dj_budget_used"))
}

func TestTrackerRecoversPanics(t *testing.T) {
	ts := newTestSystem(t, Config{})
	tr := ts.NewTracker(WithRequestID(context.Background(), "req-panic"))
	tr.Go("boom", func(context.Context) error { panic("boom") })
	require.NoError(t, tr.Wait(context.Background()))
	require.Equal(t, TrackerStatus{Started: 1, Failed: 1}, tr.Status())
	require.Equal(t, "req-panic", findLog(t, ts, "tracked work panicked")["request_id"])
}

func TestShutdownDrainsTrackedWork(t *testing.T) {
	ts := newTestSystem(t, Config{})
	tr := ts.NewTracker(WithRequestID(context.Background(), "req-drain"))
	release := make(chan struct{})
	finished := make(chan struct{})
	tr.Go("slow", func(ctx context.Context) error {
		<-release
		close(finished)
		return ts.Do(ctx, LaneDeezer, "track", noop) // the limiter still serves while draining
	})
	tr.Finish()

	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(context.Background()) }()
	// Shutdown is waiting: the work was still running when it looked.
	ts.rec.waitFor(t, "system", "draining", 1)
	select {
	case err := <-done:
		t.Fatalf("shutdown returned before tracked work ended: %v", err)
	default:
	}
	close(release)
	require.NoError(t, <-done)
	select {
	case <-finished:
	default:
		t.Fatal("shutdown returned before the tracked work finished")
	}
	require.Equal(t, TrackerStatus{Started: 1, Done: 1}, tr.Status())

	// After shutdown nothing new starts.
	require.ErrorIs(t, ts.Do(context.Background(), LaneDeezer, "late", noop), ErrLimiterDown)
	ran := false
	tr2 := ts.NewTracker(context.Background())
	tr2.Go("late", func(context.Context) error { ran = true; return nil })
	require.False(t, ran)
	require.Equal(t, TrackerStatus{Started: 1, Failed: 1}, tr2.Status())
}

func TestShutdownIsBoundedAndLogsWhatDidNotFinish(t *testing.T) {
	ts := newTestSystem(t, Config{DrainTimeout: 20 * time.Millisecond})
	tr := ts.NewTracker(WithRequestID(context.Background(), "req-stuck"))
	tr.Go("honours-cancel", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	stuck := make(chan struct{})
	tr.Go("ignores-cancel", func(context.Context) error {
		<-stuck
		return nil
	})
	defer close(stuck)

	err := ts.Shutdown(context.Background())
	require.Error(t, err)
	var cancelled, abandoned []string
	for _, l := range ts.logs.lines(t) {
		switch l["msg"] {
		case "tracked work did not finish; cancelling":
			require.Equal(t, "req-stuck", l["request_id"])
			cancelled = append(cancelled, l["work"].(string))
		case "tracked work abandoned at shutdown":
			require.Equal(t, "req-stuck", l["request_id"])
			abandoned = append(abandoned, l["work"].(string))
		}
	}
	require.ElementsMatch(t, []string{"honours-cancel", "ignores-cancel"}, cancelled)
	require.Equal(t, []string{"ignores-cancel"}, abandoned)
	st := tr.Status()
	require.Equal(t, 1, st.Failed, "the cancelled one ended with its context's error")
	require.Equal(t, 1, st.Pending)
}

// Redoable work (background fills) is cancelled as soon as shutdown
// begins, so the drain does not wait on it, while ordinary tracked work
// started alongside still runs to its end.
func TestShutdownCancelsRedoableWorkAtOnce(t *testing.T) {
	ts := newTestSystem(t, Config{DrainTimeout: time.Minute})
	tr := ts.NewTracker(WithRequestID(context.Background(), "req-redo"))
	started := make(chan struct{})
	tr.GoRedoable("fill", func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	release := make(chan struct{})
	tr.Go("must-finish", func(ctx context.Context) error {
		<-release
		return ctx.Err()
	})
	<-started

	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(context.Background()) }()
	ts.rec.waitFor(t, "system", "draining", 1)
	waitUntil(t, "the redoable work to end", func() bool { return tr.Status().Failed == 1 })
	select {
	case err := <-done:
		t.Fatalf("shutdown returned while ordinary work still ran: %v", err)
	default:
	}
	close(release)
	require.NoError(t, <-done, "the drain finished within its bound: nothing was left to cancel")
	require.Equal(t, TrackerStatus{Started: 2, Done: 1, Failed: 1}, tr.Status())
}
