package actors

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
)

// playerEnv is the player stream on real parts: the mix environment
// (simulator, Badger store, login, mixes) plus a stream registry and
// Players with a fast cadence.
type playerEnv struct {
	*mixEnv
	streams *Streams
	players *Players
}

func newPlayerEnv(t *testing.T, cfg PlayerStreamConfig) *playerEnv {
	t.Helper()
	env := newMixEnv(t, mixOpts{noAI: true})
	streams := newTestStreams(t, env.ts, StreamsConfig{Heartbeat: time.Hour})
	if cfg.Interval == 0 {
		cfg.Interval = 20 * time.Millisecond
	}
	if cfg.Grace == 0 {
		cfg.Grace = 50 * time.Millisecond
	}
	cfg.PollShare = 1000
	cfg.Registerer = env.ts.reg
	players, err := NewPlayers(Deps{System: env.ts.System, Store: env.st, Login: env.login}, env.m, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, players.Close(ctx))
	})
	return &playerEnv{mixEnv: env, streams: streams, players: players}
}

// open attaches a new pipe stream to user's poller and starts reading it.
func (e *playerEnv) open(t *testing.T, user string) *pipeStream {
	t.Helper()
	ps := openPipeStream(t, e.streams, e.players.OpenOptions())
	require.NoError(t, e.players.Attach(testCtx("req-"+user), user, ps.Stream))
	ps.client.start()
	return ps
}

// simPost calls a simulator control route.
func (e *playerEnv) simPost(t *testing.T, path string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL()+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.http.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, path)
}

// playerFrame is one named event of a stream's output.
type playerFrame struct {
	name string
	data map[string]any
}

func playerFrames(t *testing.T, out string) []playerFrame {
	t.Helper()
	var fs []playerFrame
	for _, f := range sseDataFrames(out) {
		name, data, ok := strings.Cut(f, "\ndata: ")
		require.True(t, ok, "frame %q", f)
		var d map[string]any
		require.NoError(t, json.Unmarshal([]byte(data), &d), f)
		fs = append(fs, playerFrame{name: strings.TrimPrefix(name, "event: "), data: d})
	}
	return fs
}

// count is how many frames of a stream's output are named name.
func countFrames(t *testing.T, out, name string) int {
	n := 0
	for _, f := range playerFrames(t, out) {
		if f.name == name {
			n++
		}
	}
	return n
}

func waitFrames(t *testing.T, ps *pipeStream, name string, n int) string {
	t.Helper()
	return ps.client.waitFor(t, name, func(out string, _ bool) bool {
		return strings.Count(out, "event: "+name+"\n") >= n
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPollerOnePerUserStopsAfterLastStream(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{})
	e.signIn(t, "alice")
	e.signIn(t, "bob")
	sys := e.ts.Actors()

	alice := []*pipeStream{e.open(t, "alice"), e.open(t, "alice"), e.open(t, "alice")}
	bob := e.open(t, "bob")
	for _, ps := range append(alice, bob) {
		out := waitFrames(t, ps, "tick", 1)
		fs := playerFrames(t, out)
		require.Equal(t, "connected", fs[0].name)
		require.Equal(t, "init", fs[1].name)
	}
	require.Equal(t, 2, liveActorsPrefixed(sys, "pollers/poller/"), "one poller per user")
	require.EqualValues(t, 2, e.ts.metric(t, "dj_actors_alive", "kind", "poller"))

	for _, ps := range alice {
		ps.ClientGone(nil)
	}
	waitUntil(t, "alice's poller to stop", func() bool { return liveActorsPrefixed(sys, "pollers/poller/alice") == 0 })
	require.Equal(t, 1, liveActorsPrefixed(sys, "pollers/poller/bob"), "bob's poller is untouched")
	before := countFrames(t, mustText(bob), "tick")
	waitFrames(t, bob, "tick", before+2)

	bob.ClientGone(nil)
	waitUntil(t, "every poller to stop", func() bool { return e.players.Pollers() == 0 })
	require.Equal(t, 0, liveActorsPrefixed(sys, "pollers/poller/"))
	require.EqualValues(t, 0, e.ts.metric(t, "dj_actors_alive", "kind", "poller"))
}

// Closing the players stops every poller as part of shutdown: that is
// not a supervision stop and must not be logged as one.
func TestPollersClosedWithoutSupervisionWarnings(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{})
	e.signIn(t, "alice")
	waitFrames(t, e.open(t, "alice"), "tick", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.players.Close(ctx))
	require.Equal(t, 0, liveActorsPrefixed(e.ts.Actors(), "pollers/poller/"))
	for _, l := range e.ts.logs.lines(t) {
		require.NotEqual(t, "poller stopped by supervision; its streams were closed", l["msg"])
	}
}

func mustText(ps *pipeStream) string {
	out, _ := ps.client.text()
	return out
}

func TestPollerNeverOverlapsPolls(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{Interval: 10 * time.Millisecond, SlowWait: time.Hour})
	e.signIn(t, "alice")
	req, err := http.NewRequest(http.MethodPut, e.srv.URL()+"/_sim/latency",
		strings.NewReader(`{"spotify":{"median":80000000,"p99":120000000}}`))
	require.NoError(t, err)
	resp, err := e.http.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	e.srv.ResetStats()

	ps := e.open(t, "alice")
	out := waitFrames(t, ps, "tick", 6)
	st := e.srv.Stats().APIs["spotify"]
	require.EqualValues(t, 1, st.MaxInFlight, "a user's polls never overlap")
	require.Greater(t, e.ts.metric(t, "dj_player_polls_total", "outcome", "skipped"), float64(0),
		"ticks while a poll is out are skipped")
	var last float64
	for _, f := range playerFrames(t, out)[1:] {
		seq, ok := f.data["seq"].(float64)
		require.True(t, ok, "%s has a seq", f.name)
		require.Greater(t, seq, last, "seq grows with every poll")
		last = seq
	}
}

func TestPollerLifetimeEndsWithReconnect(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{Lifetime: 200 * time.Millisecond})
	e.signIn(t, "alice")
	t0 := time.Now()
	ps := e.open(t, "alice")
	out := ps.client.untilEOF(t)
	require.GreaterOrEqual(t, time.Since(t0), 200*time.Millisecond)
	fs := playerFrames(t, out)
	require.Equal(t, "reconnect", fs[len(fs)-1].name)
	require.Equal(t, "Stream lifetime exceeded", fs[len(fs)-1].data["message"])
	waitUntil(t, "the poller to stop", func() bool { return e.players.Pollers() == 0 })
}

func TestPollerShutdownSaysReconnect(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{})
	e.signIn(t, "alice")
	ps := e.open(t, "alice")
	waitFrames(t, ps, "init", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, e.streams.CloseAll(ctx))
	fs := playerFrames(t, ps.client.untilEOF(t))
	require.Equal(t, "reconnect", fs[len(fs)-1].name, "the farewell is reconnect")
}

func TestPollerRecordsEachTrackChangeOnce(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{})
	e.signIn(t, "alice")
	_, err := e.m.Start(testCtx("start"), "alice", StartRequest{Preferences: noFill()})
	require.NoError(t, err)

	tabs := []*pipeStream{e.open(t, "alice"), e.open(t, "alice"), e.open(t, "alice")}
	var first string
	for _, ps := range tabs {
		fs := playerFrames(t, waitFrames(t, ps, "init", 1))
		track := fs[1].data["track"].(map[string]any)
		if first == "" {
			first = track["id"].(string)
		}
		require.Equal(t, first, track["id"])
	}
	e.simPost(t, "/_sim/spotify/users/alice/advance", struct{}{})
	for _, ps := range tabs {
		waitFrames(t, ps, "track", 1)
	}
	waitUntil(t, "the play in history", func() bool {
		s := e.stored(t, "alice")
		return len(s.History) > 0 && len(s.Signals) > 0
	})
	// More polls, with three tabs still open, record nothing more.
	before := countFrames(t, mustText(tabs[0]), "tick")
	waitFrames(t, tabs[0], "tick", before+5)
	s := e.stored(t, "alice")
	require.Len(t, s.History, 1, "one track change, one history entry")
	require.Equal(t, first, s.History[0].TrackID)
	require.Len(t, s.Signals, 1)
	require.Equal(t, first, s.Signals[0].TrackID)
}

func TestPollerRestartKeepsItsStreamsThenStopsClosingThem(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{Restarts: 2, RestartWindow: time.Minute})
	e.signIn(t, "alice")
	ps := e.open(t, "alice")
	waitFrames(t, ps, "tick", 2)
	sys := e.ts.Actors()
	pid := actor.NewPID(sys.Address(), "pollers/poller/alice")

	sys.Root.Send(pid, &injectedPanic{reason: "test: poller fault"})
	waitUntil(t, "the restart", func() bool { return e.ts.metric(t, "dj_actor_restarts_total", "kind", "poller") == 1 })
	n := countFrames(t, mustText(ps), "tick")
	out := waitFrames(t, ps, "tick", n+3)
	require.Equal(t, 1, countFrames(t, out, "init"), "a restart does not re-init the stream")
	var last float64
	for _, f := range playerFrames(t, out)[1:] {
		seq := f.data["seq"].(float64)
		require.Greater(t, seq, last, "seq goes on across the restart")
		last = seq
	}

	for range 3 { // past Restarts within the window: stopped
		sys.Root.Send(pid, &injectedPanic{reason: "test: poller fault"})
	}
	fs := playerFrames(t, ps.client.untilEOF(t))
	require.Equal(t, "error", fs[len(fs)-1].name)
	require.Equal(t, "player_unavailable", fs[len(fs)-1].data["code"])
	waitUntil(t, "the poller gone", func() bool { return e.players.Pollers() == 0 })

	// The user's next stream gets a fresh poller.
	again := e.open(t, "alice")
	waitFrames(t, again, "init", 1)
}

func TestPollerDropsASlowStreamOthersGoOn(t *testing.T) {
	e := newPlayerEnv(t, PlayerStreamConfig{Interval: 5 * time.Millisecond})
	e.signIn(t, "alice")
	fast := e.open(t, "alice")
	slow := openPipeStream(t, e.streams, e.players.OpenOptions()) // never read
	require.NoError(t, e.players.Attach(testCtx("req-slow"), "alice", slow.Stream))

	waitStreamClosed(t, slow.Done(), 10*time.Second, "the slow stream closed")
	require.ErrorIs(t, slow.Err(), ErrSlowConsumer)
	n := countFrames(t, mustText(fast), "tick")
	waitFrames(t, fast, "tick", n+5)
	require.Equal(t, 1, e.players.Pollers())
}
