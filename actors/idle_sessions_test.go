package actors

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"dj/mix"
	"dj/store"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// P6 (issue 8): memory per idle session and re-activation latency with
// 100,000 sessions. The figure test needs DJ_FIGURE_TESTS=1; its size and
// the passivation timeout can be changed after -args.
var (
	idleSessionsN = flag.Int("idle.sessions", 100_000,
		"P6 figure test: how many users' mixes are activated, left idle and re-activated")
	idleSessionsTimeout = flag.Duration("idle.timeout", 45*time.Second,
		"P6 figure test: session passivation timeout; must exceed the time activating every session takes")
	idleSessionsProfiles = flag.String("idle.profiles", "",
		"P6 figure test: write heap profiles of each stage to this directory (go tool pprof -base before.pprof live.pprof)")
)

// idleEnv is the mix service on a real Badger store in a temporary
// directory and a real actor system, without upstreams: reading, holding
// and re-loading mixes needs none. Logs are discarded, so that 100,000
// passivation lines are not held in memory while the heap is measured.
type idleEnv struct {
	st    *store.Store
	table *store.Table[*mix.Session]
	m     *Mixes
}

func newIdleEnv(t *testing.T, dir string, idle time.Duration) *idleEnv {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	st, err := store.Open(store.Config{Dir: dir, Logger: log}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	sys, err := NewSystem(Config{DeadLetterThrottle: 5 * time.Millisecond}, prometheus.NewRegistry(), log)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = sys.Shutdown(ctx)
	})
	m, err := NewMixes(Deps{System: sys, Store: st, Log: log}, WithMixIdleTimeout(idle))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		require.NoError(t, m.Close(ctx))
	})
	return &idleEnv{st: st, table: store.Mixes[*mix.Session](st), m: m}
}

// idleUser is the i-th user of the population.
func idleUser(prefix string, i int) string { return fmt.Sprintf("%s-%06d", prefix, i) }

// idleMix is a mix the way one looks after a while of listening: a seeded
// vibe, the auto-fill target of five queued tracks, ten played tracks,
// a full fallback pool, and preferences (about 3.5 KB of JSON).
func idleMix(userID string, i int, now time.Time) (*mix.Session, error) {
	s, err := mix.NewSession(newSessionID(), userID, nil, now.Add(-time.Hour))
	if err != nil {
		return nil, err
	}
	track := func(n int) (id, uri, art string) {
		id = fmt.Sprintf("%022d", i*100+n)
		return id, "spotify:track:" + id, fmt.Sprintf("https://i.scdn.co/image/ab67616d0000b273%024x", i*100+n)
	}
	s.Vibe.Genres = []string{"indie rock", "dream pop", "shoegaze"}
	s.Vibe.Mood = []string{"melancholic", "hazy"}
	for n := range mix.TargetQueueSize {
		tid, uri, art := track(n)
		s.Queue = append(s.Queue, mix.QueuedTrack{AddedBy: mix.AddedByAI, AlbumArt: art, Artist: "Artist " + tid[16:],
			Name: "Track name " + tid[14:], Position: n, Reason: "fits the hazy, mid-tempo vibe", TrackID: tid, TrackURI: uri, VibeScore: 70 + n})
	}
	for n := range 10 {
		tid, uri, art := track(50 + n)
		bpm, energy := 100.0+float64(n), 0.5
		s.History = append(s.History, mix.PlayedTrack{AlbumArt: art, Artist: "Artist " + tid[16:], BPM: &bpm, Energy: &energy,
			Name: "Played track " + tid[14:], PlayedAt: now.Add(-time.Duration(n) * 4 * time.Minute).UTC().Truncate(time.Millisecond),
			TrackID: tid, TrackURI: uri})
	}
	for n := range mix.MaxFallbackPool {
		_, uri, _ := track(80 + n)
		s.FallbackPool = append(s.FallbackPool, uri)
	}
	s.Preferences.FavoriteArtists = []string{"Slowdive", "Beach House"}
	return s, s.Validate()
}

// seedIdleMixes stores n users' mixes in a store under dir and closes it,
// which flushes Badger's memtables: a store opened on dir afterwards
// starts with empty memtables that no background flush will free in the
// middle of a heap measurement. It returns each user's mix id.
func seedIdleMixes(t testing.TB, dir, prefix string, n int) map[string]string {
	t.Helper()
	st, err := store.Open(store.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)}, nil)
	require.NoError(t, err)
	table := store.Mixes[*mix.Session](st)
	now := time.Now()
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				u := idleUser(prefix, i)
				s, err := idleMix(u, i, now)
				if err != nil {
					errs <- fmt.Errorf("mix of %s: %w", u, err)
					return
				}
				ids[i] = s.ID
				if err := table.Put(context.Background(), sessionKey(u), s); err != nil {
					errs <- fmt.Errorf("put %s: %w", u, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())
	out := make(map[string]string, n)
	for i, id := range ids {
		out[idleUser(prefix, i)] = id
	}
	return out
}

// activate sends every user's first request (spawn + store load) from a
// few goroutines and checks each answer against want (nil: no mix).
func (e *idleEnv) activate(t testing.TB, users []string, want map[string]string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(users); i += 4 {
				if err := e.check(users[i], want); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// check reads one user's mix through its session actor.
func (e *idleEnv) check(u string, want map[string]string) error {
	ctx, cancel := context.WithTimeout(testCtx("idle"), 30*time.Second)
	defer cancel()
	s, err := e.m.snapshot(ctx, u)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", u, err)
	case want == nil && s != nil:
		return fmt.Errorf("%s: a mix appeared", u)
	case want != nil && (s == nil || s.ID != want[u]):
		return fmt.Errorf("%s: got mix %v, want %s", u, s, want[u])
	}
	return nil
}

// live is the number of session actors alive.
func (e *idleEnv) live(t testing.TB) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := e.m.liveSessions(ctx)
	require.NoError(t, err)
	return n
}

// waitPassivated waits until every session actor has been stopped for
// idleness, failing after within. While the registry is busy stopping
// actors its count may not answer within the ask timeout; that is retried.
func (e *idleEnv) waitPassivated(t testing.TB, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(within)
	busy := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		n, err := e.m.liveSessions(ctx)
		cancel()
		switch {
		case err == nil && n == 0:
			if busy > 0 {
				t.Logf("the session registry did not answer a count within the ask timeout %d times while actors passivated", busy)
			}
			return time.Since(start)
		case err != nil && !errors.Is(err, actor.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded):
			t.Fatalf("count session actors: %v", err)
		case err != nil:
			busy++
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("session actors still alive %s after the last request (last count %d, err %v)", within, n, err)
		}
	}
}

// liveHeap is the heap after two collections; with -idle.profiles, its
// heap profile is written as stage.pprof.
func liveHeap(t testing.TB, stage string) runtime.MemStats {
	t.Helper()
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if dir := *idleSessionsProfiles; dir != "" {
		f, err := os.Create(filepath.Join(dir, stage+".pprof"))
		require.NoError(t, err)
		require.NoError(t, pprof.Lookup("heap").WriteTo(f, 0))
		require.NoError(t, f.Close())
	}
	return ms
}

// perSession is the heap growth from before to after, per session.
func perSession(before, after runtime.MemStats, n int) float64 {
	return (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
}

func users(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = idleUser(prefix, i)
	}
	return out
}

// TestIdleSessionsPassivateAndReactivate: 2,000 users' session actors are
// started from the store, all of them passivate, and the first request
// after that starts a fresh actor that loads the same mix.
func TestIdleSessionsPassivateAndReactivate(t *testing.T) {
	const n = 2000
	dir := t.TempDir()
	want := seedIdleMixes(t, dir, "u", n)
	e := newIdleEnv(t, dir, 100*time.Millisecond)
	all := users("u", n)
	e.activate(t, all, want)
	e.waitPassivated(t, time.Minute)
	e.activate(t, all, want)
	// Users without a mix get an actor too, and it passivates the same way.
	e.activate(t, users("none", 200), nil)
	e.waitPassivated(t, time.Minute)
	_, found, err := e.table.Get(context.Background(), sessionKey(idleUser("none", 0)))
	require.NoError(t, err)
	require.False(t, found, "a read-only request must not store a mix")
}

// TestIdleSessionsFigure measures P6 with -idle.sessions users: the heap
// per idle live session and what it is made of (the session actor of a
// user without a mix; the decoded mix alone), the heap left once the
// sessions passivated, and the latency of the first request to each
// passivated user (spawn + store load + reply), one user at a time in
// random order. The stages run in this order because protoactor keeps a
// stopped child reachable until the parent's next spawns overwrite it
// (see the P6 section of docs/benchmarks.md): each "live" figure is taken
// against the heap before any session actor existed.
//
//	DJ_FIGURE_TESTS=1 go test -run TestIdleSessionsFigure -count=1 -v -timeout 60m ./actors/ \
//	    -args -idle.sessions=100000 -idle.timeout=45s [-idle.profiles=DIR]
func TestIdleSessionsFigure(t *testing.T) {
	figureTest(t)
	n, idle := *idleSessionsN, *idleSessionsTimeout
	dir := t.TempDir()
	start := time.Now()
	want := seedIdleMixes(t, dir, "u", n)
	t.Logf("stored %d mixes in %s", n, time.Since(start).Round(time.Millisecond))
	e := newIdleEnv(t, dir, idle)
	all := users("u", n)

	// The decoded mix alone: n sessions read from the store and held. This
	// also warms Badger's caches, so they are in every baseline below.
	base := liveHeap(t, "base")
	held := make([]*mix.Session, n)
	for i, u := range all {
		s, found, err := e.table.Get(context.Background(), sessionKey(u))
		require.NoError(t, err)
		require.True(t, found)
		held[i] = s
	}
	decoded := liveHeap(t, "decoded")
	mixBytes := perSession(base, decoded, n)
	runtime.KeepAlive(held)
	held = nil

	// The session actor alone: users without a mix.
	before := liveHeap(t, "before")
	start = time.Now()
	e.activate(t, users("none", n), nil)
	activation := time.Since(start)
	empty := liveHeap(t, "live-nomix")
	require.Equal(t, n, e.live(t), "sessions passivated before the measurement: raise -idle.timeout above the activation time %s", activation)
	perEmpty := perSession(before, empty, n)
	t.Logf("activated %d sessions without a mix in %s (%.0f/s); goroutines %d", n, activation.Round(time.Millisecond), float64(n)/activation.Seconds(), runtime.NumGoroutine())
	took := e.waitPassivated(t, idle+10*time.Minute)
	t.Logf("all passivated %s after the measurement", took.Round(time.Millisecond))

	// Live idle sessions with their mixes.
	start = time.Now()
	e.activate(t, all, want)
	activation = time.Since(start)
	live := liveHeap(t, "live")
	require.Equal(t, n, e.live(t), "sessions passivated before the measurement: raise -idle.timeout above the activation time %s", activation)
	perLive := perSession(before, live, n)
	t.Logf("activated %d sessions with a mix in %s (%.0f/s); heap %.1f MiB before any session actor, %.1f MiB with them",
		n, activation.Round(time.Millisecond), float64(n)/activation.Seconds(), mib(before.HeapAlloc), mib(live.HeapAlloc))

	// Passivated: every actor stopped, the mixes only in the store.
	took = e.waitPassivated(t, idle+10*time.Minute)
	passive := liveHeap(t, "passivated")
	perPassive := perSession(before, passive, n)
	t.Logf("all passivated %s after the measurement", took.Round(time.Millisecond))

	// Re-activation: the first request to each passivated user.
	h := hdrhistogram.New(1, 60_000_000, 3) // µs
	rng := rand.New(rand.NewPCG(6, 6))
	start = time.Now()
	for _, i := range rng.Perm(n) {
		t0 := time.Now()
		err := e.check(all[i], want)
		d := time.Since(t0)
		require.NoError(t, err)
		require.NoError(t, h.RecordValue(max(1, d.Microseconds())))
	}
	reactivation := time.Since(start)
	// Stop them again before the cleanup closes the service: stopping this
	// many children takes the registry longer than Close waits.
	took = e.waitPassivated(t, idle+20*time.Minute)
	t.Logf("all passivated %s after the last re-activation", took.Round(time.Millisecond))
	sample, err := idleMix(all[0], 0, time.Now())
	require.NoError(t, err)
	encoded, err := json.Marshal(sample)
	require.NoError(t, err)

	const goalBytes, goalP99 = 2048, 1000.0
	p99 := float64(h.ValueAtQuantile(99))
	t.Logf("P6 with %d sessions (GOMAXPROCS %d):", n, runtime.GOMAXPROCS(0))
	t.Logf("  heap per idle live session        %7.0f B (goal ≤ %d B: %s)", perLive, goalBytes, verdict(perLive <= goalBytes))
	t.Logf("    the session actor alone          %7.0f B (a user without a mix: registry entry, PID, process, context, mailbox, timer)", perEmpty)
	t.Logf("    the decoded mix.Session alone    %7.0f B (%d B of JSON in the store)", mixBytes, len(encoded))
	t.Logf("  heap per passivated session        %7.0f B (stopped actors protoactor still reaches, maps that do not shrink)", perPassive)
	t.Logf("  re-activation (spawn + store load + reply), %d users one at a time in %s:", n, reactivation.Round(time.Millisecond))
	t.Logf("    p50 %d µs, p90 %d µs, p99 %d µs (goal ≤ %.0f µs: %s), p99.9 %d µs, max %d µs",
		h.ValueAtQuantile(50), h.ValueAtQuantile(90), h.ValueAtQuantile(99), goalP99, verdict(p99 <= goalP99),
		h.ValueAtQuantile(99.9), h.Max())
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
