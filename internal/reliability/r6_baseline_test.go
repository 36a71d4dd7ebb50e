package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dj/actors"
	"dj/internal/djtest"
	"dj/internal/server"
)

// TestR6GoroutinesAndActorsReturnToBaseline is R6: after a load run —
// mix edits, background fills, suggestions, steering, player and chat
// streams opened and dropped mid-way, chats and streamed steers — every
// actor kind is back to its count before the run, no SSE stream or
// tracked work is left, and every goroutine is gone except those idling
// in connection and worker pools (which their pools bound and expire).
// The baseline is taken after a warm-up run of the same load, so the
// session actors and pools it needs exist in both.
func TestR6GoroutinesAndActorsReturnToBaseline(t *testing.T) {
	users := pick([]string{"alice", "bob", "carol"}, []string{"alice", "bob", "carol", "dave"})
	env := djtest.Start(t, func(c *server.Config) {
		c.PlayerStream = actors.PlayerStreamConfig{Interval: 100 * time.Millisecond, PollShare: 1000, Grace: 500 * time.Millisecond}
	})
	ctx := context.Background()
	c := newClient(env.URL)
	t.Cleanup(c.close)
	tokens := make([]string, len(users))
	for i, u := range users {
		tokens[i] = env.Login(u)
		if code := env.JSON("POST", "/api/mix/start", tokens[i], map[string]any{"restart": true}, nil); code != 200 {
			t.Fatalf("start %s's mix: %d", u, code)
		}
	}

	r6Load(ctx, c, env.URL, tokens, 2*time.Second) // warm-up
	base, ok := settle(ctx, c, nil, 30*time.Second)
	if !ok {
		t.Fatalf("the warm-up's work did not end: %s", base)
	}
	dur := pick(5*time.Second, 90*time.Second)
	stats := r6Load(ctx, c, env.URL, tokens, dur)
	start := time.Now()
	after, ok := settle(ctx, c, &base, 40*time.Second)
	t.Logf("R6: load run of %s (%s); peak %d goroutines, %.0f actors", dur, stats, stats.peak.Load(), stats.peakActors)
	t.Logf("baseline: %s", base)
	t.Logf("after %s: %s", time.Since(start).Round(time.Millisecond), after)
	if !ok {
		t.Errorf("not back to the baseline within 40 s: actors %v (baseline %v), streams %v, tracked work %v; goroutines over the baseline:\n%s",
			after.actors, base.actors, after.streams, after.tracked, strings.Join(after.census.excess(base.census), "\n"))
	}
}

// snapshot is what R6 compares: actors by kind, open streams, tracked
// work and the goroutine census.
type snapshot struct {
	actors          map[string]float64
	streams         float64
	tracked         float64
	census          goroutineCensus
	pooled, running int
}

func (s snapshot) String() string {
	kinds := make([]string, 0, len(s.actors))
	for k, v := range s.actors {
		kinds = append(kinds, fmt.Sprintf("%s=%.0f", k, v))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("%d goroutines (%d idle in pools), actors %s, %.0f streams open, %.0f tracked work",
		s.census.total(), s.pooled, strings.Join(kinds, " "), s.streams, s.tracked)
}

// takeSnapshot reads the server's metrics and the process's goroutines.
func takeSnapshot(ctx context.Context, c *client) (snapshot, error) {
	c.close() // our own idle connections are not the server's goroutines
	m, err := scrapeMetrics(ctx, c)
	c.close()
	if err != nil {
		return snapshot{}, err
	}
	s := snapshot{actors: map[string]float64{}, streams: m.sum("dj_sse_streams_open"), tracked: m.sum("dj_tracked_work_active")}
	for k, v := range m {
		if name, labels, ok := strings.Cut(k, "{"); ok && name == "dj_actors_alive" {
			s.actors[strings.TrimSuffix(strings.TrimPrefix(labels, `kind="`), `"}`)] = v
		}
	}
	s.census = takeCensus()
	s.pooled = s.census.pooledCount()
	return s, nil
}

// settle waits until nothing runs for a request any more: no open
// stream, no tracked work and, against base (when given), no actor kind
// and no goroutine group above it. It returns the last snapshot.
func settle(ctx context.Context, c *client, base *snapshot, limit time.Duration) (snapshot, bool) {
	var last snapshot
	_, ok := waitFor(limit, func() bool {
		s, err := takeSnapshot(ctx, c)
		if err != nil {
			return false
		}
		last = s
		if s.streams != 0 || s.tracked != 0 {
			return false
		}
		if base == nil {
			return true
		}
		for kind, n := range s.actors {
			if n > base.actors[kind] {
				return false
			}
		}
		return len(s.census.excess(base.census)) == 0
	})
	return last, ok
}

// r6Stats counts what a load run did.
type r6Stats struct {
	requests, streams atomic.Int64
	statuses          sync.Map // int → *atomic.Int64
	peak              atomic.Int64
	peakActors        float64
}

func (s *r6Stats) count(status int) {
	s.requests.Add(1)
	v, _ := s.statuses.LoadOrStore(status, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (s *r6Stats) String() string {
	var parts []string
	s.statuses.Range(func(k, v any) bool {
		parts = append(parts, fmt.Sprintf("%v:%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(parts)
	return fmt.Sprintf("%d requests {%s}, %d streams", s.requests.Load(), strings.Join(parts, " "), s.streams.Load())
}

// r6Load runs the mixed load for d: per user, an editor and a streamer.
func r6Load(ctx context.Context, c *client, base string, tokens []string, d time.Duration) *r6Stats {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	s := &r6Stats{}
	var wg sync.WaitGroup
	for i, token := range tokens {
		seed := uint64(time.Now().UnixNano())
		wg.Go(func() { r6Editor(ctx, c, token, rand.New(rand.NewPCG(seed, uint64(2*i))), s) })
		wg.Go(func() { r6Streamer(ctx, base, token, rand.New(rand.NewPCG(seed, uint64(2*i+1))), s) })
	}
	wg.Go(func() {
		for ctx.Err() == nil {
			s.peak.Store(max(s.peak.Load(), int64(runtime.NumGoroutine())))
			if m, err := scrapeMetrics(context.Background(), c); err == nil {
				s.peakActors = max(s.peakActors, m.sum("dj_actors_alive"))
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	wg.Wait()
	return s
}

// r6Editor edits the mix, reads it (which tops the queue up in the
// background), asks for suggestions and steers.
func r6Editor(ctx context.Context, c *client, token string, rng *rand.Rand, s *r6Stats) {
	steers := []string{"more energy", "chill", "go 90s", "less energy"}
	for ctx.Err() == nil {
		var method, path string
		var body any
		switch rng.IntN(6) {
		case 0:
			method, path, body = "PUT", "/api/mix/queue/reorder", map[string]int{"from": rng.IntN(3), "to": rng.IntN(3)}
		case 1:
			method, path = "DELETE", fmt.Sprintf("/api/mix/queue/%d", rng.IntN(3))
		case 2:
			method, path = "GET", "/api/mix/current"
		case 3:
			method, path = "GET", "/api/mix/suggestions?count=3"
		case 4:
			method, path, body = "POST", "/api/mix/vibe/steer", map[string]any{"direction": steers[rng.IntN(len(steers))]}
		default:
			method, path, body = "PATCH", "/api/mix/preferences", map[string]any{"avoidGenres": []string{"polka"}}
		}
		if r, err := c.do(ctx, method, path, token, body); err == nil {
			s.count(r.status)
		}
	}
}

// r6Streamer opens streams and leaves them early or reads them out:
// player streams and chat event streams dropped after a moment, chats
// and streamed steers read to the end or dropped mid-way.
func r6Streamer(ctx context.Context, base, token string, rng *rand.Rand, s *r6Stats) {
	for ctx.Err() == nil {
		sctx, cancel := context.WithCancel(ctx)
		var st *sseStream
		var err error
		switch rng.IntN(4) {
		case 0:
			st, err = openSSE(sctx, base, "GET", "/api/player/stream", token, nil)
		case 1:
			st, err = openSSE(sctx, base, "GET", "/api/chat-stream/events", token, nil)
		case 2:
			st, err = openSSE(sctx, base, "POST", "/api/chat-stream/message", token, map[string]any{"message": "What comes next?"})
		default:
			st, err = openSSE(sctx, base, "POST", "/api/mix/vibe/steer-stream", token, map[string]any{"direction": "more energy"})
		}
		if err == nil {
			s.streams.Add(1)
			if rng.IntN(2) == 0 {
				st.wait(time.Duration(rng.IntN(400)) * time.Millisecond) // then drop it
			} else {
				st.wait(3 * time.Second)
			}
		}
		cancel()
		if st != nil {
			st.wait(time.Second)
		}
	}
}
