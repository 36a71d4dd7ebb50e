package quota

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dj/internal/leakcheck"
	"dj/internal/redistest"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// newClient connects to addr the way djd must: context deadlines bound
// every call.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr: addr, ContextTimeoutEnabled: true,
		DialTimeout: time.Second, MaxRetries: -1,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// newLimits returns Limits on srv under a prefix of the test's own.
func newLimits(t testing.TB, srv *redistest.Server, opt Options) *Limits {
	t.Helper()
	if opt.Prefix == "" {
		opt.Prefix = "test:" + t.Name() + ":"
	}
	l, err := New(newClient(t, srv.Addr()), opt)
	require.NoError(t, err)
	return l
}

// eventually polls cond until it holds; the bound only catches a hang.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 20*time.Second, 5*time.Millisecond, what)
}

func TestNewRefusesClientWithoutContextTimeouts(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = rdb.Close() })
	_, err := New(rdb, Options{})
	require.ErrorIs(t, err, ErrNoContextTimeout)
	_, err = New(nil, Options{})
	require.Error(t, err)
}

func TestStartWindow(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	l := newLimits(t, srv, Options{})
	const span, hold = 80 * time.Millisecond, time.Hour

	try := func(id string) (bool, time.Duration) {
		t.Helper()
		ok, wait, err := l.TryStart(ctx, id, 3, span, hold)
		require.NoError(t, err)
		return ok, wait
	}
	for _, id := range []string{"a", "b", "c"} {
		ok, _ := try(id)
		require.True(t, ok, "start %s within the limit", id)
	}
	ok, _ := try("b")
	require.True(t, ok, "asking again for a start already in the window is granted")
	n, err := l.Starts(ctx, span)
	require.NoError(t, err)
	require.Equal(t, 3, n, "without taking a second slot")

	ok, wait := try("d")
	require.False(t, ok, "a fourth start inside the window is refused")
	require.Greater(t, wait, span, "every start is pending: the wait is their hold")

	require.NoError(t, l.Return(ctx, "c"))
	ok, _ = try("d")
	require.True(t, ok, "a returned grant frees its slot at once")

	// Stamp a: it now leaves span after the stamp. b and d stay pending,
	// however old they get.
	require.NoError(t, l.Stamp(ctx, "a", span))
	ok, wait = try("e")
	require.False(t, ok)
	require.LessOrEqual(t, wait, span, "the stamped start leaves within span")
	eventually(t, "the stamped start leaves the window", func() bool { ok, _ := try("e"); return ok })
	ok, _ = try("f")
	require.False(t, ok, "pending starts older than span still count")

	// A stamp for a start that left (or never was) does not bring it back.
	require.NoError(t, l.Stamp(ctx, "a", span))
	n, err = l.Starts(ctx, span)
	require.NoError(t, err)
	require.Equal(t, 3, n)
}

func TestPendingStartLapsesWithoutHold(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	l := newLimits(t, srv, Options{})
	const span = 50 * time.Millisecond

	ok, _, err := l.TryStart(ctx, "held", 2, span, 150*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)
	ok, _, err = l.TryStart(ctx, "dead", 2, span, 150*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)

	// The holder of "held" keeps renewing it; nobody renews "dead" (its
	// node died). "dead" lapses, "held" does not.
	var heldN atomic.Int64
	eventually(t, "the unrenewed pending start lapses", func() bool {
		n, err := l.Hold(ctx, []string{"held"}, 150*time.Millisecond, span)
		require.NoError(t, err)
		heldN.Store(int64(n))
		ok, _, err := l.TryStart(ctx, "next", 2, span, time.Hour)
		require.NoError(t, err)
		return ok
	})
	require.EqualValues(t, 1, heldN.Load(), "the renewed start was still pending")
	ok, _, err = l.TryStart(ctx, "more", 2, span, time.Hour)
	require.NoError(t, err)
	require.False(t, ok, "the renewed start and the new one fill the window")

	// Hold leaves a stamped start alone.
	require.NoError(t, l.Stamp(ctx, "held", span))
	n, err := l.Hold(ctx, []string{"held"}, time.Hour, span)
	require.NoError(t, err)
	require.Zero(t, n)
	eventually(t, "the stamped start leaves", func() bool {
		ok, _, err := l.TryStart(ctx, "more", 2, span, time.Hour)
		require.NoError(t, err)
		return ok
	})
}

func TestLeases(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	l := newLimits(t, srv, Options{})
	const long = time.Hour

	lease := func(lane, id string, ttl time.Duration) bool {
		t.Helper()
		ok, err := l.TryLease(ctx, lane, id, 2, ttl)
		require.NoError(t, err)
		return ok
	}
	require.True(t, lease("deezer", "a", long))
	require.True(t, lease("deezer", "b", long))
	require.True(t, lease("deezer", "a", long), "asking again for a held lease renews it")
	require.False(t, lease("deezer", "c", long), "cap 2 reached")
	require.True(t, lease("lastfm", "c", long), "lanes are independent")

	require.NoError(t, l.Release(ctx, "deezer", "a"))
	require.True(t, lease("deezer", "c", long), "a released lease frees its slot at once")

	// A lease nobody renews (its node was killed) frees itself after its
	// TTL; one that is renewed stays.
	require.NoError(t, l.Release(ctx, "deezer", "b"))
	require.True(t, lease("deezer", "dead", 100*time.Millisecond))
	eventually(t, "the abandoned lease expires", func() bool { return lease("deezer", "d", long) })
	n, err := l.Renew(ctx, "deezer", []string{"c", "d", "dead"}, long)
	require.NoError(t, err)
	require.Equal(t, 2, n, "an expired lease is not renewed")
	require.False(t, lease("deezer", "dead", long), "nor does it come back")
	got, err := l.Leases(ctx, "deezer")
	require.NoError(t, err)
	require.Equal(t, 2, got)
}

// TestAtomicAcrossClients: many goroutines on three clients (three
// nodes) race for one window and one lane; exactly the limit wins.
func TestAtomicAcrossClients(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	prefix := "test:" + t.Name() + ":"
	nodes := make([]*Limits, 3)
	for i := range nodes {
		nodes[i] = newLimits(t, srv, Options{Prefix: prefix})
	}
	var starts, leases atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := nodes[i%3]
			ok, _, err := l.TryStart(ctx, fmt.Sprintf("s%d", i), 40, time.Hour, time.Hour)
			if err != nil {
				errs <- err
				return
			}
			if ok {
				starts.Add(1)
			}
			ok, err = l.TryLease(ctx, "spotify", fmt.Sprintf("l%d", i), 5, time.Hour)
			if err != nil {
				errs <- err
				return
			}
			if ok {
				leases.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, 40, starts.Load())
	require.EqualValues(t, 5, leases.Load())
}

// TestUnreachable: a Redis that is gone or stalled fails calls with a
// wrapped error within the timeout, never a hang.
func TestUnreachable(t *testing.T) {
	srv := redistest.Start(t)
	l := newLimits(t, srv, Options{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	ok, _, err := l.TryStart(ctx, "warm", 40, time.Second, time.Second) // connection pooled
	require.NoError(t, err)
	require.True(t, ok)

	calls := []struct {
		name string
		call func(context.Context) error
	}{
		{"TryStart", func(ctx context.Context) error {
			_, _, err := l.TryStart(ctx, "x", 40, time.Second, time.Second)
			return err
		}},
		{"Stamp", func(ctx context.Context) error { return l.Stamp(ctx, "x", time.Second) }},
		{"Hold", func(ctx context.Context) error {
			_, err := l.Hold(ctx, []string{"x"}, time.Second, time.Second)
			return err
		}},
		{"Return", func(ctx context.Context) error { return l.Return(ctx, "x") }},
		{"TryLease", func(ctx context.Context) error { _, err := l.TryLease(ctx, "deezer", "x", 10, time.Second); return err }},
		{"Renew", func(ctx context.Context) error {
			_, err := l.Renew(ctx, "deezer", []string{"x"}, time.Second)
			return err
		}},
		{"Release", func(ctx context.Context) error { return l.Release(ctx, "deezer", "x") }},
	}
	check := func(t *testing.T, state string) {
		for _, c := range calls {
			t.Run(state+"/"+c.name, func(t *testing.T) {
				done := make(chan error, 1)
				go func() { done <- c.call(ctx) }()
				select {
				case err := <-done:
					require.Error(t, err)
					require.Contains(t, err.Error(), "quota: ")
				case <-time.After(10 * time.Second):
					t.Fatal("call did not return: the timeout does not bound it")
				}
			})
		}
	}
	srv.Pause()
	check(t, "stalled")
	srv.Resume()
	srv.Kill()
	check(t, "gone")

	// The caller's own deadline bounds a call too.
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	<-short.Done()
	_, _, err = l.TryStart(short, "y", 40, time.Second, time.Second)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
}

func TestBadArguments(t *testing.T) {
	srv := redistest.Start(t)
	l := newLimits(t, srv, Options{})
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
	}{
		{"empty start id", func() error { _, _, err := l.TryStart(ctx, "", 1, time.Second, time.Second); return err }},
		{"zero limit", func() error { _, _, err := l.TryStart(ctx, "a", 0, time.Second, time.Second); return err }},
		{"zero span", func() error { _, _, err := l.TryStart(ctx, "a", 1, 0, time.Second); return err }},
		{"zero hold", func() error { _, _, err := l.TryStart(ctx, "a", 1, time.Second, 0); return err }},
		{"empty lane", func() error { _, err := l.TryLease(ctx, "", "a", 1, time.Second); return err }},
		{"empty lease id", func() error { _, err := l.TryLease(ctx, "deezer", "", 1, time.Second); return err }},
		{"zero cap", func() error { _, err := l.TryLease(ctx, "deezer", "a", 0, time.Second); return err }},
		{"zero ttl", func() error { _, err := l.Renew(ctx, "deezer", []string{"a"}, 0); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { require.Error(t, c.call()) })
	}
	n, err := l.Renew(ctx, "deezer", nil, time.Second)
	require.NoError(t, err, "renewing nothing needs no round trip")
	require.Zero(t, n)
}

// TestKeysExpire: a prefix nobody uses leaves nothing behind.
func TestKeysExpire(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := newClient(t, srv.Addr())
	l, err := New(rdb, Options{Prefix: "exp:"})
	require.NoError(t, err)
	ok, _, err := l.TryStart(ctx, "a", 1, 10*time.Millisecond, 10*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = l.TryLease(ctx, "deezer", "a", 1, 10*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)
	for _, key := range []string{"exp:starts", "exp:lane:deezer"} {
		ttl, err := rdb.PTTL(ctx, key).Result()
		require.NoError(t, err)
		require.Positive(t, ttl, "%s has a TTL", key)
		require.LessOrEqual(t, ttl, 2*time.Second, "%s: its longest entry plus a second", key)
	}
}
