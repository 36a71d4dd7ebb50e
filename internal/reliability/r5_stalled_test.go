package reliability

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/actors"
	"dj/internal/djtest"
	"dj/internal/server"
)

// r5Mode is how R5's stalled streams come to an end.
type r5Mode struct {
	name string
	// lifetime, when set, is the player streams' lifetime: each ends with
	// `reconnect` then, read or not. Zero keeps the 5-minute default and
	// floods the streams with track changes instead, so that their
	// buffers fill and the server closes them as slow consumers.
	lifetime time.Duration
	limit    time.Duration // for all of them to be closed
}

// TestR5StalledClientsAreBoundedAndClosed is R5: 1,000 player streams
// whose clients never read a byte. The server's memory per stalled
// stream stays small and bounded, every one of them is closed by the
// server, and a normal client's requests and its own stream are served
// as fast as before. make test lets the streams' lifetime close them;
// make soak floods them with events until the server closes them as
// slow consumers.
func TestR5StalledClientsAreBoundedAndClosed(t *testing.T) {
	mode := pick(r5Mode{name: "lifetime", lifetime: 12 * time.Second, limit: 40 * time.Second},
		r5Mode{name: "slow consumers", limit: 3 * time.Minute})
	const n = 1000
	users := []string{"alice", "bob", "carol", "dave"}
	env := djtest.Start(t, func(c *server.Config) {
		c.PlayerStream = actors.PlayerStreamConfig{Interval: 100 * time.Millisecond, PollShare: 1000, Grace: time.Second, Lifetime: mode.lifetime}
	})
	ctx := context.Background()
	c := newClient(env.URL)
	t.Cleanup(c.close)
	tokens := make([]string, len(users))
	for i, u := range users {
		tokens[i] = env.Login(u)
	}
	normal := env.Login("user-0005")
	goroutinesBefore := runtime.NumGoroutine()

	// The normal client: a request every 20 ms, and its own player stream.
	probe := startProbe(ctx, t, c, env.URL, normal)
	defer probe.stop()
	time.Sleep(2 * time.Second)
	before := probe.take()
	heapBase, stacksBase := memBreakdown()
	memBase := heapBase + stacksBase

	addr := strings.TrimPrefix(env.URL, "http://")
	stalled := make([]*stalledClient, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	opened := time.Now()
	for i := range n {
		wg.Go(func() {
			sc, err := dialStalled(addr, "/api/player/stream", tokens[i%len(tokens)])
			if err != nil {
				errs <- err
				return
			}
			stalled[i] = sc
		})
		if i%50 == 49 {
			wg.Wait()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("open a stalled stream: %v", err)
	}
	t.Cleanup(func() {
		for _, sc := range stalled {
			sc.close()
		}
	})
	openGauge := func() float64 {
		m, err := scrapeMetrics(ctx, c)
		if err != nil {
			return -1
		}
		return m.sum("dj_sse_streams_open", `stream="player"`)
	}
	// The gauge counts the probe's own player stream too.
	if took, ok := waitFor(60*time.Second, func() bool { return openGauge() >= n+1 }); !ok {
		t.Fatalf("only %v of %d stalled streams open after %s", openGauge(), n, took)
	}
	openedIn := time.Since(opened)

	stopFlood := make(chan struct{})
	var flood sync.WaitGroup
	if mode.lifetime == 0 {
		flood.Go(func() { floodTrackChanges(env.Sim.URL(), users, stopFlood) })
	}
	time.Sleep(3 * time.Second) // events reach the stalled streams
	probe.take()                // the opening burst is not what is measured
	heap1, stacks1 := memBreakdown()
	time.Sleep(4 * time.Second)
	heap2, stacks2 := memBreakdown()
	memHeld := heap2 + stacks2
	during := probe.take()
	perStream := (memHeld - memBase) / n
	t.Logf("held: heap %+.1f MiB and stacks %+.1f MiB over the baseline; %+.1f MiB more 4 s later, while events kept coming",
		mib(heap1-heapBase), mib(stacks1-stacksBase), mib(memHeld-heap1-stacks1))
	if grew := memHeld - heap1 - stacks1; grew > max(memHeld-memBase, 0)/10+4<<20 {
		t.Errorf("server memory grew by %.1f MiB in 4 s with the same stalled streams", mib(grew))
	}

	took, ok := waitFor(mode.limit, func() bool { return openGauge() <= 1 })
	close(stopFlood)
	flood.Wait()
	if !ok {
		t.Fatalf("%v stalled streams still open %s after they were opened", openGauge()-1, mode.limit)
	}
	ends := map[string]int{}
	var frames int
	for _, sc := range stalled {
		closed, last, k, err := sc.drain(5 * time.Second)
		frames += k
		switch {
		case !closed:
			ends[fmt.Sprint("not closed: ", err)]++
		case strings.HasPrefix(last, "event: reconnect\n"):
			ends["final reconnect"]++
		case strings.HasPrefix(last, "event: error\n") && strings.Contains(last, "slow_consumer"):
			ends["final slow_consumer error"]++
		default:
			ends["closed without a final event (cut: the socket was full)"]++
		}
	}
	after := probe.take()
	probe.stop()
	// fasthttp keeps an idle worker (and its stack) for 10 s after its
	// connection ends; wait for the goroutines to go back down.
	_, _ = waitFor(20*time.Second, func() bool { return runtime.NumGoroutine() <= goroutinesBefore+20 })
	heapAfter, stacksAfter := memBreakdown()
	memAfter := heapAfter + stacksAfter
	t.Logf("after: heap %+.1f MiB and stacks %+.1f MiB over the baseline, %d goroutines",
		mib(heapAfter-heapBase), mib(stacksAfter-stacksBase), runtime.NumGoroutine())
	m, _ := scrapeMetrics(ctx, c)

	t.Logf("R5 (%s): %d stalled streams open in %s; server memory %+.1f MiB while held (%.1f KiB per stream), %+.1f MiB after they closed; closed %s after opening: %v; %d frames waited in their sockets; closed by reason: slow_consumer %v, shutdown %v, done %v",
		mode.name, n, openedIn.Round(time.Millisecond), mib(memHeld-memBase), float64(perStream)/1024, mib(memAfter-memBase),
		took.Round(time.Millisecond), ends, frames,
		m.sum("dj_sse_streams_closed_total", `stream="player"`, `reason="slow_consumer"`),
		m.sum("dj_sse_streams_closed_total", `stream="player"`, `reason="shutdown"`),
		m.sum("dj_sse_streams_closed_total", `stream="player"`, `reason="done"`))
	t.Logf("normal client: before %s; with %d stalled streams %s; after %s", before, n, during, after)

	if perStream > 96<<10 {
		t.Errorf("%.1f KiB of server memory per stalled stream; the bound is 96 KiB", float64(perStream)/1024)
	}
	if mib(memAfter-memBase) > 32 {
		t.Errorf("server memory stayed %.1f MiB above its baseline after the stalled streams closed", mib(memAfter-memBase))
	}
	for end, k := range ends {
		if strings.HasPrefix(end, "not closed") {
			t.Errorf("%d stalled streams were not closed by the server: %s", k, end)
		}
	}
	if mode.lifetime == 0 && m.sum("dj_sse_streams_closed_total", `stream="player"`, `reason="slow_consumer"`) < n {
		t.Errorf("flooded stalled streams were not closed as slow consumers")
	}
	during.check(t, before)
}

// floodTrackChanges skips each user's track every 100 ms until stop, so
// every poll finds a new track and every stream of the user gets events.
func floodTrackChanges(simURL string, users []string, stop <-chan struct{}) {
	c := newClient(simURL)
	defer c.close()
	for {
		for _, u := range users {
			_, _ = c.do(context.Background(), "POST", "/_sim/spotify/users/"+url.PathEscape(u)+"/advance", "", nil)
		}
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// liveMemory is the process's heap and stacks in use after two GCs (the
// second empties the pools' victim caches): the server's, since the
// test's own clients are a few bytes each.
func liveMemory() int64 {
	heap, stacks := memBreakdown()
	return heap + stacks
}

func memBreakdown() (heap, stacks int64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse), int64(ms.StackInuse)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// probe is a normal client running beside the stalled ones: a request
// every 20 ms (its latency), and its own player stream (events
// arriving), reopened when the server ends it, as the SPA does.
type probe struct {
	mu        sync.Mutex
	latencies []time.Duration
	failures  int
	events    int
	streamErr error // a reopen that failed
	since     time.Time
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

func startProbe(ctx context.Context, t *testing.T, c *client, base, token string) *probe {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	p := &probe{cancel: cancel, since: time.Now()}
	p.wg.Go(func() {
		for ctx.Err() == nil {
			start := time.Now()
			r, err := c.do(ctx, "GET", "/api/mix/current", token, nil)
			d := time.Since(start)
			p.mu.Lock()
			if err != nil || r.status != 200 {
				p.failures++
			} else {
				p.latencies = append(p.latencies, d)
			}
			p.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	})
	p.wg.Go(func() {
		for ctx.Err() == nil {
			st, err := openSSE(ctx, base, "GET", "/api/player/stream", token, nil)
			if err != nil {
				p.mu.Lock()
				p.streamErr = err
				p.mu.Unlock()
				return
			}
			seen := 0
			for !st.wait(100 * time.Millisecond) {
				frames, _ := st.snapshot()
				p.mu.Lock()
				p.events += len(frames) - seen
				p.mu.Unlock()
				seen = len(frames)
			}
			frames, _ := st.snapshot()
			p.mu.Lock()
			p.events += len(frames) - seen
			p.mu.Unlock()
		}
	})
	return p
}

// probeStats is what the normal client saw over one window.
type probeStats struct {
	n, failures   int
	p50, p99, max time.Duration
	eventsPerSec  float64
	streamErr     error
}

func (p *probe) take() probeStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.latencies
	s := probeStats{n: len(l), failures: p.failures, streamErr: p.streamErr,
		eventsPerSec: float64(p.events) / time.Since(p.since).Seconds()}
	p.latencies, p.failures, p.events, p.since = nil, 0, 0, time.Now()
	if len(l) > 0 {
		slices.Sort(l)
		s.p50, s.p99, s.max = l[len(l)/2], l[min(len(l)-1, len(l)*99/100)], l[len(l)-1]
	}
	return s
}

func (s probeStats) String() string {
	return fmt.Sprintf("%d requests (%d failed), p50 %s p99 %s max %s, its stream %.1f events/s",
		s.n, s.failures, s.p50.Round(100*time.Microsecond), s.p99.Round(100*time.Microsecond), s.max.Round(100*time.Microsecond), s.eventsPerSec)
}

// check: the normal client was served throughout, about as fast as
// before. A stalled stream that blocked anyone would show as seconds
// (the stall timeout, the close grace); the bounds leave room for the
// extra work the server does for a thousand more streams.
func (s probeStats) check(t *testing.T, before probeStats) {
	t.Helper()
	if s.failures > 0 || s.n == 0 || s.streamErr != nil {
		t.Errorf("the normal client was not served: %s (stream: %v)", s, s.streamErr)
	}
	if s.p99 > max(10*before.p99, 250*time.Millisecond) || s.p50 > max(5*before.p50, 50*time.Millisecond) {
		t.Errorf("the normal client's latency suffered: before %s, during %s", before, s)
	}
	if s.eventsPerSec < before.eventsPerSec/3 {
		t.Errorf("the normal client's own stream slowed down: before %s, during %s", before, s)
	}
}

// stop ends the probe.
func (p *probe) stop() {
	p.cancel()
	p.wg.Wait()
}
