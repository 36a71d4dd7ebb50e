package reliability

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
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
	mode := pick(r5Mode{name: "lifetime", lifetime: 10 * time.Second, limit: 40 * time.Second},
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

	// The normal client: a request every 20 ms, and its own player stream.
	probe := startProbe(ctx, t, c, env.URL, normal)
	defer probe.stop()
	time.Sleep(2 * time.Second)
	before := probe.take()
	censusBefore := takeCensus()
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
	// Every goroutine the streams had is gone but fasthttp's idle workers
	// (each kept 10 s after its connection ends, then dropped).
	if _, ok := waitFor(10*time.Second, func() bool { return len(takeCensus().excess(censusBefore)) == 0 }); !ok {
		t.Errorf("goroutines left by the stalled streams:\n%s", strings.Join(takeCensus().excess(censusBefore), "\n"))
	}
	heapAfter, stacksAfter := memBreakdown()
	memAfter := heapAfter + stacksAfter
	t.Logf("after: heap %+.1f MiB and stacks %+.1f MiB over the baseline, %d goroutines (%d before; idle fasthttp workers leave within 10 s)",
		mib(heapAfter-heapBase), mib(stacksAfter-stacksBase), runtime.NumGoroutine(), censusBefore.total())
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
