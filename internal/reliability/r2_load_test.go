package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"dj/upstream/sim"
)

// r2Load is the steady load R2 keeps on the server while it injects
// faults: four classes of clients, each with its own outcomes. The
// upstream clients pause between calls so that together they stay under
// the global 40 requests/s (a saturated rate would slow every class and
// hide what the faults do); the local clients do not pause.
//
//   - spotify (alice): profile, search and player state — the Spotify lane;
//   - plays (bob): plays of random catalog tracks, each enriched through
//     Deezer and Last.fm, and suggestions — every lane;
//   - chat (carol): AI DJ chats streamed over SSE — the Anthropic lane;
//   - local (dave): health, queue reads, reorders and preference edits,
//     which need no upstream at all: they must keep serving whatever
//     the upstreams do.
type r2Load struct {
	spotify, plays, chat, local *outcomes
	c                           *client
	cancel                      context.CancelFunc
	wg                          sync.WaitGroup
}

// partialLookups is how many enrichments were served with a source
// missing so far (dj_enrich_lookups_total{outcome="partial"}).
func (l *r2Load) partialLookups() float64 {
	m, err := scrapeMetrics(context.Background(), l.c)
	if err != nil {
		return 0
	}
	return m.sum("dj_enrich_lookups_total", `outcome="partial"`)
}

// r2Tokens are the users' session tokens.
type r2Tokens struct{ alice, bob, carol, dave string }

// startR2Load starts the clients; tracks are catalog tracks whose tempo
// Deezer knows, so a play without one is degraded data.
func startR2Load(ctx context.Context, c *client, tok r2Tokens, tracks []sim.Track) *r2Load {
	ctx, cancel := context.WithCancel(ctx)
	l := &r2Load{spotify: newOutcomes(), plays: newOutcomes(), chat: newOutcomes(), local: newOutcomes(), c: c, cancel: cancel}
	loop := func(every time.Duration, f func()) {
		l.wg.Go(func() {
			for ctx.Err() == nil {
				f()
				select {
				case <-ctx.Done():
				case <-time.After(every):
				}
			}
		})
	}
	call := func(o *outcomes, what, method, path, token string, body any, allowed ...int) (reply, bool) {
		start := time.Now()
		r, err := c.do(ctx, method, path, token, body)
		if err != nil {
			if ctx.Err() == nil {
				o.failure(what, err)
			}
			return r, false
		}
		o.record(what, r, time.Since(start), allowed...)
		return r, true
	}
	busy := []int{http.StatusBadGateway, http.StatusServiceUnavailable}
	words := []string{"love", "night", "fire", "summer", "dream", "river", "echo", "gold"}
	loop(400*time.Millisecond, func() {
		call(l.spotify, "spotify me", "GET", "/api/spotify/me", tok.alice, nil, busy...)
		call(l.spotify, "spotify search", "POST", "/api/spotify/search", tok.alice, map[string]any{"query": words[rand.IntN(len(words))], "limit": 5}, busy...)
	})
	loop(400*time.Millisecond, func() {
		call(l.spotify, "spotify player state", "GET", "/api/player/state", tok.alice, nil, busy...)
	})
	loop(200*time.Millisecond, func() {
		t := tracks[rand.IntN(len(tracks))]
		body := map[string]string{"trackId": t.ID, "trackUri": "spotify:track:" + t.ID}
		r, ok := call(l.plays, "play", "POST", "/api/mix/playback/track-played", tok.bob, body, busy...)
		if ok && r.status == 200 {
			l.plays.enriched(playEnriched(r.body, t.ID))
		}
	})
	loop(3*time.Second, func() {
		call(l.plays, "suggestions", "GET", "/api/mix/suggestions?count=5", tok.bob, nil, busy...)
	})
	loop(500*time.Millisecond, func() { l.chatOnce(ctx, c, tok.carol) })
	loop(5*time.Millisecond, func() {
		call(l.local, "health", "GET", "/api/health", "", nil)
		call(l.local, "queue", "GET", "/api/mix/queue", tok.dave, nil)
		call(l.local, "reorder", "PUT", "/api/mix/queue/reorder", tok.dave, map[string]int{"from": 0, "to": 1})
		call(l.local, "preferences", "PATCH", "/api/mix/preferences", tok.dave, map[string]any{"avoidGenres": []string{words[rand.IntN(len(words))]}})
	})
	return l
}

// playEnriched reports whether the play of trackID came back with its
// tempo (enrichment worked) or without (degraded).
func playEnriched(body []byte, trackID string) bool {
	var r struct {
		MovedToHistory bool `json:"movedToHistory"`
		Session        struct {
			History []struct {
				TrackID string   `json:"trackId"`
				BPM     *float64 `json:"bpm"`
			} `json:"history"`
		} `json:"session"`
	}
	if json.Unmarshal(body, &r) != nil {
		return false
	}
	for i := len(r.Session.History) - 1; i >= 0; i-- {
		if h := r.Session.History[i]; h.TrackID == trackID {
			return h.BPM != nil
		}
	}
	return false
}

// chatOnce runs one chat to its end and counts how it ended: "done", or
// "error" (a recoverable or final error event); every frame must be
// free of internals.
func (l *r2Load) chatOnce(ctx context.Context, c *client, token string) {
	start := time.Now()
	st, err := openSSE(ctx, c.base, "POST", "/api/chat-stream/message", token, map[string]any{"message": "Why does the next track fit?"})
	if err != nil {
		if ctx.Err() == nil && !strings.Contains(err.Error(), "status 503") {
			l.chat.failure("chat open", err)
		}
		return
	}
	if !st.wait(90 * time.Second) {
		l.chat.failure("chat", fmt.Errorf("stream still open after 90 s"))
		return
	}
	frames, _ := st.snapshot()
	last := ""
	for _, f := range frames {
		if m := leakIn(f); m != "" {
			l.chat.failure("chat frame", fmt.Errorf("shows %q: %.300s", m, f))
		}
		if typ := envelopeType(f); typ == "error" {
			last = "error"
		} else if typ == "done" && last != "error" {
			last = "done"
		}
	}
	if last == "" && ctx.Err() == nil {
		l.chat.failure("chat", fmt.Errorf("ended without done or error after %d frames", len(frames)))
	}
	l.chat.event(last)
	l.chat.record("chat", reply{status: 200}, time.Since(start))
}

// stop ends the load and waits for its clients.
func (l *r2Load) stop() {
	l.cancel()
	l.wg.Wait()
}
