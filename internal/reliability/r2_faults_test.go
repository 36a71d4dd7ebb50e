package reliability

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dj/actors"
	"dj/internal/djtest"
	"dj/internal/server"
	"dj/upstream/sim"
)

// TestR2FaultMatrixUnderLoad is R2: a whole server under steady load
// from four kinds of clients (see r2Load) while the simulator misbehaves
// in every way it can, phase by phase:
//
//	A. Last.fm and Deezer errors inside 200 bodies, malformed JSON,
//	   resets, 5xx and hangs; Anthropic 529s, 500s and broken streams; a
//	   Spotify hang on the player;
//	B. a Spotify 429 storm with Retry-After;
//	C. a burst of Spotify resets, malformed bodies and 5xx that trips the
//	   Spotify breaker, which must recover once the upstream does.
//
// Throughout: no crash (no recovered panic, no actor restart), no 500,
// every error a problem document without internals (503s with
// Retry-After), affected clients get error events or degraded data, and
// the clients that need no upstream are answered, quickly, every time.
//
// make test shortens the breakers' open timeout to 5 s and the Spotify,
// Last.fm and Deezer call timeouts (what a hang costs) to 3 s; make soak
// keeps the production 30 s and 10 s.
func TestR2FaultMatrixUnderLoad(t *testing.T) {
	t.Parallel() // runs after R5 and R6, which measure the whole process alone
	openTimeout := pick(5*time.Second, 30*time.Second)
	callTimeout := pick(3*time.Second, 10*time.Second)
	env, logs := djtest.StartLogged(t, func(c *server.Config) {
		c.Actors.Breaker.OpenTimeout = openTimeout
		c.Actors.CallTimeouts = map[actors.Lane]time.Duration{
			actors.LaneSpotify: callTimeout, actors.LaneLastfm: callTimeout, actors.LaneDeezer: callTimeout,
		}
	})
	ctl := newSimCtl(t, env.Sim.URL())
	c := newClient(env.URL)
	t.Cleanup(c.close)
	ctx := context.Background()

	tok := r2Tokens{alice: env.Login("alice"), bob: env.Login("bob"), carol: env.Login("carol"), dave: env.Login("dave")}
	for _, u := range []string{tok.bob, tok.dave} {
		if code := env.JSON("POST", "/api/mix/start", u, map[string]any{"restart": true}, nil); code != 200 {
			t.Fatalf("start mix: %d", code)
		}
	}
	var tracks []sim.Track
	for _, tr := range env.Sim.Catalog().Tracks {
		if tr.InDeezer && tr.DeezerBPMKnown && tr.InLastfm {
			tracks = append(tracks, tr)
		}
	}
	load := startR2Load(ctx, c, tok, tracks)
	defer load.stop()
	if _, ok := waitFor(30*time.Second, func() bool { return load.plays.take(false).healthy >= 5 }); !ok {
		t.Fatalf("no plays answered under load: %s", load.plays.take(false))
	}
	healthy := load.plays.take(true)
	if healthy.degraded > healthy.healthy/2 {
		t.Fatalf("before any fault, plays are not enriched: %s", healthy)
	}
	load.take(t, "warm-up", true)

	r2PhaseA(t, ctl, load, callTimeout)
	r2PhaseB(t, ctl, load)
	r2PhaseC(t, ctx, c, ctl, load, openTimeout)

	// Every breaker is closed again and every class is served.
	_, closed := waitFor(openTimeout+15*time.Second, func() bool {
		m, err := scrapeMetrics(ctx, c)
		return err == nil && m.sum("dj_breaker_state") == 0
	})
	if !closed {
		m, _ := scrapeMetrics(ctx, c)
		t.Fatalf("breakers still open after the faults ended: spotify %v lastfm %v deezer %v anthropic %v",
			m.sum("dj_breaker_state", `lane="spotify"`), m.sum("dj_breaker_state", `lane="lastfm"`),
			m.sum("dj_breaker_state", `lane="deezer"`), m.sum("dj_breaker_state", `lane="anthropic"`))
	}
	_, _ = waitFor(10*time.Second, func() bool { return load.plays.take(false).healthy >= 3 })
	after := load.take(t, "recovered", true)
	for name, s := range after {
		if s.ok() == 0 {
			t.Errorf("%s clients are not served after recovery: %s", name, s)
		}
	}
	if after["plays"].healthy == 0 {
		t.Errorf("plays are not enriched again after recovery: %s", after["plays"])
	}
	load.stop()

	m, err := scrapeMetrics(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if p, r := m.sum("dj_http_panics_total"), m.sum("dj_actor_restarts_total"); p != 0 || r != 0 {
		t.Errorf("recovered panics %v, actor restarts %v; want none", p, r)
	}
	for _, line := range logs.Lines("") {
		if strings.Contains(line, "api_key=") || strings.Contains(line, "dj-offline") {
			t.Errorf("a log line shows the Last.fm API key: %.400s", line)
			break
		}
	}
}

// take checks and resets every class's outcomes and returns them.
func (l *r2Load) take(t *testing.T, phase string, reset bool) map[string]summary {
	t.Helper()
	out := map[string]summary{
		"spotify": l.spotify.take(reset), "plays": l.plays.take(reset), "chat": l.chat.take(reset), "local": l.local.take(reset),
	}
	for name, s := range out {
		for _, b := range s.bad[:min(len(s.bad), 5)] {
			t.Errorf("%s, %s: %s", phase, name, b)
		}
		t.Logf("%s, %s: %s", phase, name, s)
	}
	local := out["local"]
	if local.ok() != local.n || local.n == 0 {
		t.Errorf("%s: the clients that need no upstream were not all answered: %s", phase, local)
	}
	if local.p99 > time.Second {
		t.Errorf("%s: the clients that need no upstream waited: %s", phase, local)
	}
	return out
}

// r2Phase runs one phase: resets the simulator's accounting, injects
// faults, waits until the load has met every one of them (bounded), and
// checks the global rate held meanwhile.
func r2Phase(t *testing.T, ctl *simCtl, name string, limit time.Duration, faults ...sim.Fault) time.Duration {
	t.Helper()
	ctl.resetStats()
	ctl.inject(faults...)
	took, spent := ctl.waitSpent(limit)
	if !spent {
		t.Errorf("%s: the load did not meet every fault within %s; left: %+v", name, took, ctl.active())
		ctl.clear()
	}
	if w := ctl.stats().MaxRequestsInAny1sWindow; w > 40 {
		t.Errorf("%s: the simulator saw %d requests in one second; the limit is 40", name, w)
	}
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
	if s["plays"].degraded == 0 {
		t.Errorf("phase A: no play came back degraded while Deezer and Last.fm failed: %s", s["plays"])
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
	if w := ctl.stats().MaxRequestsInAny1sWindow; w > 40 {
		t.Errorf("phase C: the simulator saw %d requests in one second; the limit is 40", w)
	}
	time.Sleep(time.Second)
	s := load.take(t, "phase C, recovered", true)
	if s["spotify"].ok() == 0 {
		t.Errorf("phase C: Spotify clients not served after the breaker closed: %s", s["spotify"])
	}
}
