package reliability

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/upstream/sim"
)

// r7Load is the load R7 puts on djd before SIGTERM.
type r7Load struct {
	storm   *storm
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	streams []*r7Stream
	tokens  []string
}

// r7Stream is an open stream and the final event it must end with.
type r7Stream struct {
	*sseStream
	final func(frame string) bool
	what  string
}

// startR7Load opens a player stream and a chat-events stream per ledger
// user, starts chat answers for two of them and the edit storm for all,
// and starts four players that keep playing their queue heads.
func startR7Load(ctx context.Context, t *testing.T, p *djdProc, c *client, ledgers []*ledger, v r7Variant, seed uint64) *r7Load {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	l := &r7Load{cancel: cancel}
	open := func(what, method, path, token string, body any, final func(string) bool) {
		st, err := openSSE(ctx, p.URL, method, path, token, body)
		if err != nil {
			t.Fatalf("open %s: %v", what, err)
		}
		l.streams = append(l.streams, &r7Stream{sseStream: st, final: final, what: what})
	}
	for i, led := range ledgers {
		token := led.session()
		open(led.user+" player stream", "GET", "/api/player/stream", token, nil,
			func(f string) bool { return strings.HasPrefix(f, "event: reconnect\n") })
		open(led.user+" chat events", "GET", "/api/chat-stream/events", token, nil,
			func(f string) bool { return envelopeType(f) == "error" && strings.Contains(f, `"shutting_down"`) })
		if i < 2 {
			open(led.user+" chat answer", "POST", "/api/chat-stream/message", token,
				map[string]any{"message": "What should come next, and why? Explain the flow of the queue in detail."},
				func(f string) bool { t := envelopeType(f); return t == "done" || t == "error" })
		}
	}
	l.storm = startStorm(ctx, c, ledgers, seed, http.StatusServiceUnavailable)
	players := []string{"user-0005", "user-0006", "user-0007", "user-0008"}
	l.tokens = make([]string, len(players))
	tracks := make([][]string, len(players))
	errs := make([]error, len(players))
	var setup sync.WaitGroup
	for i, u := range players {
		setup.Go(func() { l.tokens[i], tracks[i], errs[i] = startPlayer(ctx, c, p.SimURL, u, v.fills) })
	}
	setup.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i := range players {
		rng := rand.New(rand.NewPCG(seed, uint64(100+i)))
		l.wg.Go(func() { keepPlaying(ctx, c, l.tokens[i], tracks[i], rng) })
	}
	return l
}

// startPlayer logs user in and starts a fresh mix with auto-fill as
// given; it returns the session token and tracks to queue.
func startPlayer(ctx context.Context, c *client, simURL, user string, fills bool) (string, []string, error) {
	token, err := c.login(ctx, user)
	if err != nil {
		return "", nil, err
	}
	tracks, err := playlistTracks(ctx, c, simURL, user, token)
	if err != nil {
		return "", nil, err
	}
	body := map[string]any{"restart": true, "preferences": map[string]any{"autoFill": fills}}
	if err := c.json(ctx, "POST", "/api/mix/start", token, body, nil); err != nil {
		return "", nil, fmt.Errorf("start %s's mix: %w", user, err)
	}
	return token, tracks, nil
}

// keepPlaying plays a mix the way the player stream reports it: the
// queue head is reported played, which feeds the next head to Spotify
// (and, with auto-fill, tops the queue up) as tracked background work.
// A short queue gets a track added first. It runs until ctx ends or the
// server stops answering.
func keepPlaying(ctx context.Context, c *client, token string, tracks []string, rng *rand.Rand) {
	for ctx.Err() == nil {
		var cur struct{ Session *wireSession }
		if c.json(ctx, "GET", "/api/mix/current", token, nil, &cur) != nil || cur.Session == nil {
			return
		}
		var err error
		if q := cur.Session.Queue; len(q) < 3 {
			_, err = c.do(ctx, "POST", "/api/mix/queue/add", token, map[string]any{"trackUri": tracks[rng.IntN(len(tracks))]})
		} else {
			body := map[string]string{"trackUri": q[0].TrackURI, "trackId": strings.TrimPrefix(q[0].TrackURI, "spotify:track:")}
			_, err = c.do(ctx, "POST", "/api/mix/playback/track-played", token, body)
		}
		if err != nil {
			return
		}
	}
}

// setLatency sets the simulator's latency per API at run time.
func setLatency(ctx context.Context, t *testing.T, simURL string, l map[string]sim.Latency) {
	t.Helper()
	c := newClient(simURL)
	defer c.close()
	if err := c.json(ctx, "PUT", "/_sim/latency", "", l, nil); err != nil {
		t.Fatalf("set the simulator's latency: %v", err)
	}
}

// stop ends the load once djd has exited: the editors' last edits stay
// pending, every stream must already have ended.
func (l *r7Load) stop(t *testing.T) {
	t.Helper()
	if err := l.storm.stop(); err != nil {
		t.Errorf("storm: %v", err)
	}
	for _, s := range l.streams {
		if !s.wait(5 * time.Second) {
			t.Errorf("%s still open after djd exited", s.what)
		}
	}
	l.cancel()
	l.wg.Wait()
}
