package gateway_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"dj/actors"
	"dj/upstream/sim"
)

func TestPlayerStreamHeadersAndConnectOrder(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	resp := env.Do("GET", "/api/player/stream", "", nil)
	problemOf(t, resp, http.StatusUnauthorized, "player stream without a token")

	token := env.Login("alice")
	c := openPlayer(t, env, token)
	for h, want := range map[string]string{
		"Content-Type":      "text/event-stream",
		"Cache-Control":     "no-cache, no-transform",
		"X-Accel-Buffering": "no",
	} {
		if got := c.resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	connected, _ := c.next()
	if connected.Name != "connected" || connected.Data["pollingInterval"] != float64(40) ||
		!strings.Contains(connected.Raw, "delta protocol v2") {
		t.Fatalf("first event %s %s", connected.Name, connected.Raw)
	}
	init, _ := c.next()
	if init.Name != "init" || init.trackID() != simPlaying(t, env, "alice") || init.Data["isPlaying"] != true {
		t.Fatalf("second event %s %s, want init of alice's track", init.Name, init.Raw)
	}
	device, _ := init.Data["device"].(map[string]any)
	if device["name"] == "" || device["type"] != "computer" || init.Data["playingType"] != "track" {
		t.Fatalf("init device/playingType: %s", init.Raw)
	}
	// Then ticks, each with a larger seq (one per poll).
	last := init.seq(t)
	for range 3 {
		tick, skipped := c.waitFor("tick")
		if len(skipped) > 0 {
			t.Fatalf("unexpected events while playing steadily: %v", evNames(skipped))
		}
		if s := tick.seq(t); s <= last {
			t.Fatalf("tick seq %v after %v", s, last)
		}
		last = tick.seq(t)
		if _, ok := tick.Data["p"].(float64); !ok {
			t.Fatalf("tick without progress: %s", tick.Raw)
		}
	}
}

func TestPlayerStreamTrackChangeRecordedOnceAcrossTabs(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	token := env.Login("alice")
	if status := env.JSON("POST", "/api/mix/start", token, map[string]any{"preferences": map[string]any{"autoFill": false}}, nil); status != 200 {
		t.Fatalf("mix start: %d", status)
	}
	tabs := []*playerConn{openPlayer(t, env, token), openPlayer(t, env, token), openPlayer(t, env, token)}
	first := simPlaying(t, env, "alice")
	for _, c := range tabs {
		if init, _ := c.waitFor("init"); init.trackID() != first {
			t.Fatalf("init track %q, want %q", init.trackID(), first)
		}
	}
	if n := pollersAlive(t, env); n != 1 {
		t.Fatalf("%v pollers for three tabs of one user, want 1", n)
	}
	if n := playerMetric(t, env, "dj_sse_streams_open", map[string]string{"stream": "player"}); n != 3 {
		t.Fatalf("%v player streams open, want 3", n)
	}

	playerSim(t, env, "POST", "/_sim/spotify/users/alice/advance", struct{}{}, nil)
	second := simPlaying(t, env, "alice")
	for _, c := range tabs {
		if ev, _ := c.waitFor("track"); ev.trackID() != second {
			t.Fatalf("track event %s, want %q", ev.Raw, second)
		}
	}
	playerWaitUntil(t, "the play in history", func() bool { return len(playerMix(t, env, token).History) > 0 })
	// Several more polls with three tabs open add nothing.
	for range 5 {
		tabs[0].waitFor("tick")
	}
	s := playerMix(t, env, token)
	if len(s.History) != 1 || s.History[0].TrackID != first {
		t.Fatalf("history %+v, want exactly one entry for %s", s.History, first)
	}
	if len(s.Signals) != 1 || s.Signals[0].TrackID != first {
		t.Fatalf("signals %+v, want one for %s", s.Signals, first)
	}
}

func TestPlayerStreamIdleTransitions(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	token := env.Login("alice")
	if status := env.JSON("POST", "/api/mix/start", token, map[string]any{"preferences": map[string]any{"autoFill": false}}, nil); status != 200 {
		t.Fatalf("mix start: %d", status)
	}
	c := openPlayer(t, env, token)
	init, _ := c.waitFor("init")
	playing := init.trackID()

	// playing → idle: the track that stopped is recorded (the reference
	// skipped it), and nothing but idle is sent.
	playerSim(t, env, "POST", "/_sim/spotify/users/alice/player", map[string]any{"active": false}, nil)
	idle, _ := c.waitFor("idle")
	idle.seq(t)
	playerWaitUntil(t, "the stopped track in history", func() bool { return len(playerMix(t, env, token).History) == 1 })
	if h := playerMix(t, env, token).History[0]; h.TrackID != playing {
		t.Fatalf("history %+v, want %s", h, playing)
	}
	time.Sleep(200 * time.Millisecond) // five polls while idle
	for _, ev := range c.all()[2:] {
		if ev.Name != "tick" && ev.Name != "idle" {
			t.Fatalf("%s while going idle", ev.Name)
		}
	}
	if last := c.all()[len(c.all())-1]; last.Name != "idle" {
		t.Fatalf("%s sent while idle", last.Name)
	}

	// idle → playing: init again; the same track resuming is not a new play.
	playerSim(t, env, "POST", "/_sim/spotify/users/alice/player", map[string]any{"active": true}, nil)
	again, _ := c.waitFor("init")
	if again.trackID() != playing {
		t.Fatalf("init after idle %s", again.Raw)
	}
	c.waitFor("tick")
	if n := len(playerMix(t, env, token).History); n != 1 {
		t.Fatalf("history has %d entries after resuming, want 1", n)
	}
}

func TestPlayerStreamUsersNeverSeeEachOther(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	alice := openPlayer(t, env, env.Login("alice"))
	bob := openPlayer(t, env, env.Login("bob"))
	aliceTrack, bobTrack := simPlaying(t, env, "alice"), simPlaying(t, env, "bob")
	if aliceTrack == bobTrack {
		t.Fatal("alice and bob play the same track; the test cannot tell them apart")
	}
	if init, _ := alice.waitFor("init"); init.trackID() != aliceTrack {
		t.Fatalf("alice's init %s", init.Raw)
	}
	if init, _ := bob.waitFor("init"); init.trackID() != bobTrack {
		t.Fatalf("bob's init %s", init.Raw)
	}
	if n := pollersAlive(t, env); n != 2 {
		t.Fatalf("%v pollers for two users", n)
	}
	playerSim(t, env, "POST", "/_sim/spotify/users/alice/advance", struct{}{}, nil)
	next := simPlaying(t, env, "alice")
	alice.waitFor("track")
	for range 5 {
		bob.waitFor("tick")
	}
	for _, ev := range bob.all() {
		if id := ev.trackID(); id != "" && id != bobTrack || ev.Name == "track" || strings.Contains(ev.Raw, next) {
			t.Fatalf("bob's stream got %s %s", ev.Name, ev.Raw)
		}
	}
}

func TestPlayerStreamOnePollerStopsWithLastStream(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	baseline := playerGoroutines()
	token := env.Login("carol")
	tabs := []*playerConn{openPlayer(t, env, token), openPlayer(t, env, token), openPlayer(t, env, token)}
	for _, c := range tabs {
		c.waitFor("tick")
	}
	if n := pollersAlive(t, env); n != 1 {
		t.Fatalf("%v pollers, want 1", n)
	}
	// Three tabs cost one poll per tick.
	env.Sim.ResetStats()
	first, _ := tabs[0].waitFor("tick")
	var last playerEv
	for range 20 {
		last, _ = tabs[0].waitFor("tick")
	}
	polls := last.seq(t) - first.seq(t)
	if got := env.Sim.Stats().APIs["spotify"].Requests; float64(got) > polls+2 {
		t.Fatalf("%d Spotify requests during %v polls of three tabs", got, polls)
	}
	t.Logf("three tabs, %v polls: %d Spotify requests", polls, env.Sim.Stats().APIs["spotify"].Requests)
	tabs[0].close()
	tabs[1].close()
	tabs[2].waitFor("tick")
	tabs[2].waitFor("tick")
	if n := pollersAlive(t, env); n != 1 {
		t.Fatalf("%v pollers with one tab left, want 1", n)
	}
	tabs[2].close()
	playerWaitUntil(t, "the poller to stop", func() bool {
		return pollersAlive(t, env) == 0 &&
			playerMetric(t, env, "dj_sse_streams_open", map[string]string{"stream": "player"}) == 0
	})
	playerWaitUntil(t, "the poller's goroutines to end", func() bool { return playerGoroutines() <= baseline })

	// A new stream starts a fresh poller.
	c := openPlayer(t, env, token)
	c.waitFor("init")
	if n := pollersAlive(t, env); n != 1 {
		t.Fatalf("%v pollers after reconnecting, want 1", n)
	}
}

func TestPlayerStreamAuthExpired(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	c := openPlayer(t, env, env.Login("alice"))
	c.waitFor("init")
	if err := env.Sim.AddFault(sim.Fault{API: "spotify", Path: "/v1/me/player", Kind: sim.Fault401}); err != nil {
		t.Fatal(err)
	}
	expired, skipped := c.waitFor("auth_expired")
	for _, ev := range skipped {
		if ev.Name == "error" {
			t.Fatalf("a rejected sign-in is not a recoverable error: %s", ev.Raw)
		}
	}
	if expired.Data["message"] != "Spotify token expired, please refresh" {
		t.Fatalf("auth_expired %s", expired.Raw)
	}
	if rest := c.rest(); len(rest) != 0 {
		t.Fatalf("events after auth_expired: %v", evNames(rest))
	}
	playerWaitUntil(t, "the poller to stop", func() bool { return pollersAlive(t, env) == 0 })
}

func TestPlayerStreamSpotify503IsRecoverable(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	c := openPlayer(t, env, env.Login("alice"))
	c.waitFor("tick")
	if err := env.Sim.AddFault(sim.Fault{API: "spotify", Path: "/v1/me/player", Kind: sim.Fault503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	ev, _ := c.waitFor("error")
	if ev.Data["code"] != "spotify_unavailable" || ev.Data["retriesRemaining"] != float64(4) {
		t.Fatalf("error event %s", ev.Raw)
	}
	msg, _ := ev.Data["message"].(string)
	for _, leak := range []string{"503", "Service Unavailable", "status", "upstream", "/v1/"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("error message leaks upstream detail: %q", msg)
		}
	}
	// The stream goes on.
	for range 3 {
		c.waitFor("tick")
	}
	if names := evNames(c.all()); slices.Contains(names, "reconnect") || slices.Contains(names, "auth_expired") {
		t.Fatalf("stream ended: %v", names)
	}
}

func TestPlayerStreamQueueLowRefills(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t)
	token := env.Login("alice")
	if status := env.JSON("POST", "/api/mix/start", token, map[string]any{}, nil); status != 200 {
		t.Fatalf("mix start: %d", status)
	}
	for range 3 { // 5 → 2
		if status := env.JSON("DELETE", "/api/mix/queue/0", token, nil, nil); status != 200 {
			t.Fatalf("remove: %d", status)
		}
	}
	t0 := time.Now()
	c := openPlayer(t, env, token)
	low, _ := c.waitFor("queue_low")
	t.Logf("queue_low after %v", time.Since(t0))
	if low.Data["depth"] != float64(2) {
		t.Fatalf("queue_low %s", low.Raw)
	}
	low.seq(t)
	playerWaitUntil(t, "the background refill", func() bool {
		var q struct {
			Queue []any `json:"queue"`
		}
		env.JSON("GET", "/api/mix/queue", token, nil, &q)
		return len(q.Queue) >= 3
	})
	t.Logf("refilled after %v", time.Since(t0))
}

// TestPlayerStreamLifetime: after its lifetime a stream says reconnect
// and ends; the poller outlives it by its grace only.
func TestPlayerStreamLifetime(t *testing.T) {
	t.Parallel()
	env := startPlayerEnv(t, func(c *actors.PlayerStreamConfig) { c.Lifetime = 300 * time.Millisecond })
	c := openPlayer(t, env, env.Login("alice"))
	evs := c.rest()
	if last := evs[len(evs)-1]; last.Name != "reconnect" || last.Data["message"] != "Stream lifetime exceeded" {
		t.Fatalf("last event %s %s", last.Name, last.Raw)
	}
	playerWaitUntil(t, "the poller to stop", func() bool { return pollersAlive(t, env) == 0 })
}
