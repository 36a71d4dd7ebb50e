package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Latency is a log-normal response-time distribution given by its median
// and 99th percentile, the two figures people quote for real APIs.
type Latency struct {
	Median time.Duration `json:"median"`
	P99    time.Duration `json:"p99"`
}

// DefaultLatencies are plausible figures for the real services (medians
// from public reports, not measurements). Tests usually run with none.
func DefaultLatencies() map[string]Latency {
	return map[string]Latency{
		"accounts":  {Median: 200 * time.Millisecond, P99: 600 * time.Millisecond},
		"spotify":   {Median: 120 * time.Millisecond, P99: 450 * time.Millisecond},
		"lastfm":    {Median: 250 * time.Millisecond, P99: 900 * time.Millisecond},
		"deezer":    {Median: 150 * time.Millisecond, P99: 500 * time.Millisecond},
		"anthropic": {Median: 600 * time.Millisecond, P99: 1500 * time.Millisecond},
		// Time between streamed text deltas, after the first event.
		AnthropicStreamLatency: {Median: 40 * time.Millisecond, P99: 90 * time.Millisecond},
	}
}

// latencyModel samples delays from a seeded generator, so a run with the
// same seed and the same request order sees the same delays.
type latencyModel struct {
	mu    sync.Mutex
	rng   *rand.Rand
	byAPI map[string]Latency
}

func newLatencyModel(seed uint64, byAPI map[string]Latency) *latencyModel {
	m := &latencyModel{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), byAPI: map[string]Latency{}}
	for k, v := range byAPI {
		m.byAPI[k] = v
	}
	return m
}

func (m *latencyModel) set(api string, l Latency) {
	m.mu.Lock()
	m.byAPI[api] = l
	m.mu.Unlock()
}

func (m *latencyModel) all() map[string]Latency {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Latency, len(m.byAPI))
	for k, v := range m.byAPI {
		out[k] = v
	}
	return out
}

// sample draws one delay for api; zero when none is configured.
func (m *latencyModel) sample(api string) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.byAPI[api]
	if !ok || l.Median <= 0 {
		return 0
	}
	sigma := 0.0
	if l.P99 > l.Median {
		sigma = math.Log(float64(l.P99)/float64(l.Median)) / 2.3263
	}
	return time.Duration(float64(l.Median) * math.Exp(sigma*m.rng.NormFloat64()))
}

// wait sleeps for d or until ctx ends, whichever is first.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
