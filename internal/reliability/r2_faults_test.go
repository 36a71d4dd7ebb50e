package reliability

import (
	"context"
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
