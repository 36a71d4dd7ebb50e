package reliability

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dj/upstream/sim"
)

// r2Phase runs one phase: resets the simulator's accounting, injects
// faults and waits until the load has met every one of them (bounded).
// It logs the simulator's busiest second: the limiter's own tests judge
// the rate (a CPU-starved machine can push it past 40, a known limiter
// issue, docs/reliability.md), this one judges the faults.
func r2Phase(t *testing.T, ctl *simCtl, name string, limit time.Duration, faults ...sim.Fault) time.Duration {
	t.Helper()
	ctl.resetStats()
	ctl.inject(faults...)
	took, spent := ctl.waitSpent(limit)
	if !spent {
		t.Errorf("%s: the load did not meet every fault within %s; left: %+v", name, took, ctl.active())
		ctl.clear()
	}
	t.Logf("%s: %d faults met in %s; busiest second at the simulator: %d requests",
		name, len(faults), took.Round(time.Millisecond), ctl.stats().MaxRequestsInAny1sWindow)
	return took
}

// r2PhaseA: Last.fm and Deezer answer errors inside 200 bodies,
// malformed JSON, resets, 5xx and hangs; the model answers 529, 500 and
// broken streams; one Spotify player call hangs until the call
// timeout. Four faults per API at a time, fewer than the five in a row
// that open a breaker (phase C trips one on purpose).
func r2PhaseA(t *testing.T, ctl *simCtl, load *r2Load, callTimeout time.Duration) {
	t.Helper()
	start := time.Now()
	partialBefore := load.partialLookups()
	r2Phase(t, ctl, "phase A1", 30*time.Second,
		sim.Fault{API: "spotify", Path: "/v1/me/player", Kind: sim.FaultHang, Count: 1},
		sim.Fault{API: "lastfm", Kind: sim.FaultError200, Code: 8, Count: 1},
		sim.Fault{API: "lastfm", Kind: sim.FaultError200, Code: 11, Count: 1},
		sim.Fault{API: "lastfm", Kind: sim.FaultMalformed, Count: 1},
		sim.Fault{API: "lastfm", Kind: sim.Fault502, Count: 1},
		sim.Fault{API: "deezer", Kind: sim.FaultError200, Code: 4, Count: 1},
		sim.Fault{API: "deezer", Kind: sim.FaultError200, Code: 700, Count: 1},
		sim.Fault{API: "deezer", Kind: sim.FaultMalformed, Count: 1},
		sim.Fault{API: "deezer", Kind: sim.FaultReset, Count: 1},
		sim.Fault{API: "anthropic", Kind: sim.Fault529, Count: 1},
		sim.Fault{API: "anthropic", Kind: sim.Fault500, Count: 1},
		sim.Fault{API: "anthropic", Kind: sim.FaultStreamError, After: 3, Count: 1},
		sim.Fault{API: "anthropic", Kind: sim.FaultStreamCut, After: 2, Count: 1},
	)
	time.Sleep(time.Second) // successes in between: no breaker counts five in a row
	r2Phase(t, ctl, "phase A2", 30*time.Second,
		sim.Fault{API: "lastfm", Kind: sim.FaultHang, Count: 1},
		sim.Fault{API: "lastfm", Kind: sim.FaultError200, Code: 29, Count: 1},
		sim.Fault{API: "lastfm", Kind: sim.Fault500, Count: 1},
		sim.Fault{API: "deezer", Kind: sim.Fault503, Count: 1},
		sim.Fault{API: "deezer", Kind: sim.FaultHang, Count: 1},
		sim.Fault{API: "deezer", Kind: sim.Fault500, Count: 1},
		sim.Fault{API: "anthropic", Kind: sim.Fault503, Count: 1},
		sim.Fault{API: "anthropic", Kind: sim.FaultMalformed, Count: 1},
	)
	hung := callTimeout - 500*time.Millisecond
	_, _ = waitFor(callTimeout+2*time.Second, func() bool { return load.spotify.take(false).max > hung })
	time.Sleep(time.Second)
	s := load.take(t, fmt.Sprintf("phase A (errors in 200s, malformed, resets, 5xx, hangs; %s)", time.Since(start).Round(time.Millisecond)), true)
	// Degraded data: plays without a tempo, or enrichments served with
	// one source missing (what suggestions and plays then use).
	partial := load.partialLookups() - partialBefore
	t.Logf("phase A: %d plays degraded, %.0f enrichments served partial", s["plays"].degraded, partial)
	if s["plays"].degraded == 0 && partial == 0 {
		t.Errorf("phase A: no degraded data while Deezer and Last.fm failed: %s", s["plays"])
	}
	if s["chat"].events["error"] == 0 {
		t.Errorf("phase A: no chat got an error event while the model failed: %s", s["chat"])
	}
	if s["spotify"].max < hung {
		t.Errorf("phase A: no player call waited for the hang's timeout: %s", s["spotify"])
	}
}

// r2PhaseB: a 429 storm. Each 429 must pause the whole Spotify lane for
// its Retry-After: after the simulator answers one, no Spotify request
// may arrive for the next 2 s (less the sampling and in-flight slack).
// The affected clients get 503 with Retry-After meanwhile.
func r2PhaseB(t *testing.T, ctl *simCtl, load *r2Load) {
	t.Helper()
	const count, retryAfter = 5, 2 * time.Second
	stop := make(chan struct{})
	samples := make(chan []statSample, 1)
	go func() { samples <- ctl.sample("spotify", stop) }()
	took := r2Phase(t, ctl, "phase B", 40*time.Second, sim.Fault{API: "spotify", Kind: sim.Fault429, RetryAfter: int(retryAfter / time.Second), Count: count})
	time.Sleep(retryAfter)
	close(stop)
	pauses, violations := pausesHonoured(<-samples, retryAfter)
	for _, v := range violations {
		t.Errorf("phase B: %s", v)
	}
	if pauses == 0 {
		t.Errorf("phase B: no 429 was seen by the sampler")
	}
	time.Sleep(time.Second)
	s := load.take(t, fmt.Sprintf("phase B (%d 429s with Retry-After %s, spent in %s, %d lane pauses checked)", count, retryAfter, took.Round(time.Millisecond), pauses), true)
	if s["spotify"].count(503) == 0 || s["spotify"].ok() == 0 {
		t.Errorf("phase B: want both 503s and recovery for the Spotify clients: %s", s["spotify"])
	}
}

// pausesHonoured checks samples of the Spotify counters: after each
// sample that shows a new 429 answered, the request count must not grow
// between 250 ms later (requests already granted may still land) and
// retryAfter − 100 ms later. It returns how many pauses it checked.
func pausesHonoured(samples []statSample, retryAfter time.Duration) (int, []string) {
	var pauses int
	var bad []string
	for i := 1; i < len(samples); i++ {
		if samples[i].faults == samples[i-1].faults {
			continue
		}
		pauses++
		t0 := samples[i].at
		var from *statSample
		for j := i; j < len(samples); j++ {
			d := samples[j].at.Sub(t0)
			if d < 250*time.Millisecond {
				continue
			}
			if d > retryAfter-100*time.Millisecond {
				break
			}
			if from == nil {
				from = &samples[j]
			} else if samples[j].requests != from.requests {
				bad = append(bad, fmt.Sprintf("%d Spotify requests arrived %s after a 429 with Retry-After %s",
					samples[j].requests-from.requests, d.Round(time.Millisecond), retryAfter))
				break
			}
		}
	}
	return pauses, bad
}

// r2PhaseC: Spotify fails every way at once until its breaker opens;
// while open, no call reaches Spotify and its clients get 503 at once;
// the upstream recovers and so must the breaker (after its open
// timeout, one probe).
func r2PhaseC(t *testing.T, ctx context.Context, c *client, ctl *simCtl, load *r2Load, openTimeout time.Duration) {
	t.Helper()
	breaker := func() float64 {
		m, err := scrapeMetrics(ctx, c)
		if err != nil {
			return -1
		}
		return m.sum("dj_breaker_state", `lane="spotify"`)
	}
	ctl.resetStats()
	ctl.inject(
		sim.Fault{API: "spotify", Kind: sim.FaultReset, Count: 3},
		sim.Fault{API: "spotify", Kind: sim.FaultMalformed, Count: 3},
		sim.Fault{API: "spotify", Kind: sim.Fault502, Count: 3},
		sim.Fault{API: "spotify", Kind: sim.Fault500, Count: 3},
		sim.Fault{API: "spotify", Kind: sim.Fault503, Count: 30},
	)
	tripped, ok := waitFor(20*time.Second, func() bool { return breaker() == 2 })
	if !ok {
		t.Fatalf("phase C: the Spotify breaker did not open within %s", tripped)
	}
	ctl.clear() // the upstream is well again; the breaker does not know yet
	time.Sleep(500 * time.Millisecond)
	load.take(t, "phase C, burst", true)
	before := ctl.stats().APIs["spotify"].Requests
	time.Sleep(3 * time.Second)
	open := load.take(t, "phase C, breaker open", true)
	if reached := ctl.stats().APIs["spotify"].Requests - before; reached > 0 && breaker() == 2 {
		t.Errorf("phase C: %d calls reached Spotify while its breaker was open", reached)
	}
	if sp := open["spotify"]; sp.count(503) == 0 || sp.p99 > time.Second {
		t.Errorf("phase C: the Spotify clients should get 503 at once while the breaker is open: %s", sp)
	}
	recovered, ok := waitFor(openTimeout+15*time.Second, func() bool { return breaker() == 0 })
	if !ok {
		t.Fatalf("phase C: the Spotify breaker did not close within %s of the upstream recovering", recovered)
	}
	t.Logf("phase C: breaker open %s after the burst began, closed again %s after the upstream recovered",
		tripped.Round(time.Millisecond), (recovered + 3500*time.Millisecond).Round(time.Millisecond))
	t.Logf("phase C: busiest second at the simulator: %d requests", ctl.stats().MaxRequestsInAny1sWindow)
	time.Sleep(time.Second)
	s := load.take(t, "phase C, recovered", true)
	if s["spotify"].ok() == 0 {
		t.Errorf("phase C: Spotify clients not served after the breaker closed: %s", s["spotify"])
	}
}
