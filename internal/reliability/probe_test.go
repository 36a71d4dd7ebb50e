package reliability

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

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

// check: the normal client was served throughout and was not held up.
// A stalled stream that blocked anyone would show as a second or more
// (the stall timeout, the close grace); the bounds are below that but
// leave room for the work a thousand more streams cost and for a busy
// machine (make test runs other packages' tests at the same time). The
// figures of a quiet run are in docs/reliability.md.
func (s probeStats) check(t *testing.T, before probeStats) {
	t.Helper()
	if s.failures > 0 || s.n == 0 || s.streamErr != nil {
		t.Errorf("the normal client was not served: %s (stream: %v)", s, s.streamErr)
	}
	if s.p99 > max(10*before.p99, 800*time.Millisecond) || s.p50 > max(5*before.p50, 250*time.Millisecond) {
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
