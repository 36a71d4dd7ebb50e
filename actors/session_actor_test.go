package actors

import (
	"errors"
	"sync"
	"testing"
	"time"

	"dj/mix"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panicRequest makes the session actor panic halfway through a change
// (after emptying its working copy of the queue).
type panicRequest struct{ reqID string }

func (p *panicRequest) requestID() string { return p.reqID }

func (p *panicRequest) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	s.ClearQueue()
	panic("injected failure")
}

// startQuiet starts alice's mix without auto-fill and queues n tracks.
func startQuiet(t *testing.T, env *mixEnv, n int) *mix.Session {
	t.Helper()
	ctx := testCtx("start-quiet")
	s, err := env.m.Start(ctx, "alice", StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	require.Empty(t, s.Queue)
	for _, uri := range env.trackURIs(n, nil) {
		_, err := env.m.AddToQueue(ctx, "alice", uri, nil)
		require.NoError(t, err)
	}
	s, err = env.m.Session(ctx, "alice")
	require.NoError(t, err)
	require.Len(t, s.Queue, n)
	return s
}

func TestSessionPassivatesAndReloadsFromStore(t *testing.T) {
	env := newMixEnv(t, mixOpts{idle: 150 * time.Millisecond})
	env.signIn(t, "alice")
	before := startQuiet(t, env, 3)

	require.Eventually(t, func() bool {
		n, err := env.m.liveSessions(testCtx("count"))
		return err == nil && n == 0
	}, 5*time.Second, 20*time.Millisecond, "idle session actor was not stopped")
	require.Zero(t, env.ts.metric(t, "dj_actors_alive", "kind", "session"))
	require.Equal(t, before.ID, env.stored(t, "alice").ID, "the mix must be in the store while no actor holds it")

	after, err := env.m.Current(testCtx("reactivate"), "alice")
	require.NoError(t, err)
	require.Equal(t, before.ID, after.ID)
	require.Equal(t, uris(before.Queue), uris(after.Queue))
	require.Equal(t, before.Vibe, after.Vibe)
	n, err := env.m.liveSessions(testCtx("count"))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, 1.0, env.ts.metric(t, "dj_actors_alive", "kind", "session"))
}

// TestPassivationLosesNoRequest edits while the actor keeps timing out:
// requests that arrive while it stops are held and handed to a fresh one.
func TestPassivationLosesNoRequest(t *testing.T) {
	env := newMixEnv(t, mixOpts{idle: time.Millisecond})
	env.signIn(t, "alice")
	before := startQuiet(t, env, 2)
	for i := range 200 {
		q, err := env.m.Reorder(testCtx("churn"), "alice", 0, 1)
		require.NoError(t, err, "edit %d", i)
		want := uris(before.Queue)
		if i%2 == 0 {
			want = []string{want[1], want[0]}
		}
		require.Equal(t, want, uris(q), "edit %d", i)
		if i%20 == 0 {
			time.Sleep(3 * time.Millisecond) // let the actor time out mid-run
		}
	}
	passivated := 0
	for _, l := range env.ts.logs.lines(t) {
		if l["msg"] == "mix session actor passivated" {
			passivated++
		}
	}
	require.Positive(t, passivated, "the actor never passivated; the test proves nothing")
}

func TestSessionRestartAfterPanicKeepsState(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	before := startQuiet(t, env, 3)

	_, err := env.m.ask(testCtx("boom"), "alice", &panicRequest{reqID: "boom"})
	require.ErrorIs(t, err, errSessionCrashed)

	after, err := env.m.Session(testCtx("after"), "alice")
	require.NoError(t, err)
	require.Equal(t, before.ID, after.ID)
	require.Equal(t, uris(before.Queue), uris(after.Queue), "the half-applied change must not survive the restart")
	require.Equal(t, 1.0, env.ts.metric(t, "dj_actor_restarts_total", "kind", "session"))

	// The restarted actor keeps working.
	q, err := env.m.RemoveFromQueue(testCtx("edit"), "alice", 0)
	require.NoError(t, err)
	require.Equal(t, uris(before.Queue)[1:], uris(q))
	require.Equal(t, uris(q), uris(env.stored(t, "alice").Queue))
}

// TestFiftyConcurrentEditorsLoseNothing races 50 adds against a queue
// with room for 10, then 50 moves. Every acknowledged edit must be in the
// result, and the moves must have been applied one after the other.
func TestFiftyConcurrentEditorsLoseNothing(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	_, err := env.m.Start(testCtx("start"), "alice", StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	candidates := env.trackURIs(50, nil)

	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		full  int
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for i, uri := range candidates {
		wg.Go(func() {
			<-start
			pos := i % 3
			q, err := env.m.AddToQueue(testCtx("add"), "alice", uri, &pos)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, mix.ErrQueueFull):
				full++
			case err != nil:
				t.Errorf("add %s: %v", uri, err)
			default:
				acked[uri] = true
				assert.Contains(t, uris(q), uri)
			}
		})
	}
	close(start)
	wg.Wait()
	require.Len(t, acked, mix.MaxQueueSize)
	require.Equal(t, 50-mix.MaxQueueSize, full)
	s := env.stored(t, "alice")
	require.Len(t, s.Queue, mix.MaxQueueSize)
	for _, uri := range uris(s.Queue) {
		require.True(t, acked[uri], "%s is queued but was refused", uri)
	}

	// 50 rotations by one: each answer must be the start order rotated by
	// a distinct count, so each residue mod 10 appears exactly 5 times.
	order := uris(s.Queue)
	residues := make([]int, mix.MaxQueueSize)
	start = make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			q, err := env.m.Reorder(testCtx("rotate"), "alice", 0, mix.MaxQueueSize-1)
			if err != nil {
				t.Errorf("reorder: %v", err)
				return
			}
			got := uris(q)
			k := indexOf(order, got[0])
			if !assert.Equal(t, rotate(order, max(k, 0)), got) {
				return
			}
			mu.Lock()
			residues[k]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	for k, n := range residues {
		require.Equal(t, 5, n, "rotation by %d seen %d times: %v", k, n, residues)
	}
	require.Equal(t, order, uris(env.stored(t, "alice").Queue))
}

func TestConcurrentStartMakesOneSession(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	playlist := env.playlist(t, "alice")
	ids := make([]string, 20)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			s, err := env.m.Start(testCtx("start"), "alice", StartRequest{SeedPlaylistID: playlist})
			if err != nil {
				t.Errorf("start: %v", err)
				return
			}
			ids[i] = s.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		require.Equal(t, ids[0], id)
	}
	require.Equal(t, ids[0], env.stored(t, "alice").ID)
	n, err := env.m.liveSessions(testCtx("count"))
	require.NoError(t, err)
	require.Equal(t, 1, n)

	// A restart replaces the mix; a plain start returns it.
	restarted, err := env.m.Start(testCtx("restart"), "alice", StartRequest{Restart: true, Preferences: noFill()})
	require.NoError(t, err)
	require.NotEqual(t, ids[0], restarted.ID)
	again, err := env.m.Start(testCtx("again"), "alice", StartRequest{SeedPlaylistID: playlist})
	require.NoError(t, err)
	require.Equal(t, restarted.ID, again.ID)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// rotate moves the first k entries to the end.
func rotate(list []string, k int) []string {
	return append(append([]string{}, list[k:]...), list[:k]...)
}

// TestSessionEditLatency reports the cost of one edit (a round trip to
// the session actor including its write-through to Badger) for 1 and for
// 50 concurrent editors. It asserts only a generous bound; the figures go
// to the test log.
func TestSessionEditLatency(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	startQuiet(t, env, 10)
	const edits = 2000
	t0 := time.Now()
	for range edits {
		_, err := env.m.Reorder(testCtx("lat"), "alice", 0, 9)
		require.NoError(t, err)
	}
	serial := time.Since(t0) / edits
	var wg sync.WaitGroup
	t0 = time.Now()
	for range 50 {
		wg.Go(func() {
			for range edits / 50 {
				if _, err := env.m.Reorder(testCtx("lat"), "alice", 0, 9); err != nil {
					t.Errorf("reorder: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	concurrent := time.Since(t0) / edits
	t.Logf("per edit: %v serial, %v with 50 concurrent editors (throughput %.0f edits/s)",
		serial, concurrent, float64(time.Second)/float64(concurrent))
	require.Less(t, serial, 50*time.Millisecond)
}
