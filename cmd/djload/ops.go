package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// route is an operation's HTTP method and path pattern as it appears in
// djd's /api/openapi.json.
type route struct{ method, path string }

// opRoutes maps every operation to the route it exercises
// (reference/anchor-api.md §4–§8).
var opRoutes = map[string]route{
	"playlists":       {http.MethodGet, "/api/spotify/playlists"},
	"playlist_tracks": {http.MethodGet, "/api/spotify/playlists/{id}/tracks"},
	"search":          {http.MethodPost, "/api/spotify/search"},
	"mix_start":       {http.MethodPost, "/api/mix/start"},
	"mix_restart":     {http.MethodPost, "/api/mix/start"},
	"mix_current":     {http.MethodGet, "/api/mix/current"},
	"mix_queue":       {http.MethodGet, "/api/mix/queue"},
	"mix_vibe":        {http.MethodGet, "/api/mix/vibe"},
	"queue_add":       {http.MethodPost, "/api/mix/queue/add"},
	"queue_remove":    {http.MethodDelete, "/api/mix/queue/{position}"},
	"queue_reorder":   {http.MethodPut, "/api/mix/queue/reorder"},
	"suggestions":     {http.MethodGet, "/api/mix/suggestions"},
	"steer":           {http.MethodPost, "/api/mix/vibe/steer"},
	"vibe_update":     {http.MethodPut, "/api/mix/vibe"},
	"track_played":    {http.MethodPost, "/api/mix/playback/track-played"},
	"player_state":    {http.MethodGet, "/api/player/state"},
	"player_stream":   {http.MethodGet, "/api/player/stream"},
	"chat_events":     {http.MethodGet, "/api/chat-stream/events"},
	"chat":            {http.MethodPost, "/api/chat-stream/message"},
	"steer_stream":    {http.MethodPost, "/api/mix/vibe/steer-stream"},
}

// holdOps maps a held stream kind to the operation that opens it.
var holdOps = map[string]string{"player": "player_stream", "chat_events": "chat_events"}

// Response shapes, reduced to what djload reads.
type (
	sessionBody struct {
		Session *struct {
			Queue []queued `json:"queue"`
		} `json:"session"`
	}
	queueBody struct {
		Queue *[]queued `json:"queue"`
	}
	suggestionsBody struct {
		Suggestions []queued `json:"suggestions"`
	}
	playlistTracksBody struct {
		Items []struct {
			Track *struct {
				URI string `json:"uri"`
			} `json:"track"`
		} `json:"items"`
	}
	searchBody struct {
		Tracks *struct {
			Items []struct {
				URI string `json:"uri"`
			} `json:"items"`
		} `json:"tracks"`
	}
)

// defaultTexts are used when an operation lists no texts of its own.
var defaultTexts = map[string][]string{
	"steer":        {"more energy", "chill vibes", "go retro", "90s throwback", "indie mood", "speed it up"},
	"steer_stream": {"more energy", "something mellow for late night", "go 90s"},
	"chat":         {"What should play next?", "Queue something upbeat", "Why did you pick this track?"},
	"search":       {"love", "night", "fire", "dance", "summer"},
}

// do runs one operation (plus any call it needs first, such as fetching
// suggestions before queueing one) and records every outcome.
func (v *vu) do(ctx context.Context, op Operation) {
	u := v.user
	switch op.Op {
	case "playlists":
		v.call(ctx, op, http.MethodGet, "/api/spotify/playlists?limit=20", nil, nil)
	case "playlist_tracks":
		v.playlistTracks(ctx, op)
	case "search":
		var out searchBody
		if v.call(ctx, op, http.MethodPost, "/api/spotify/search", map[string]any{"query": v.text(op), "type": "track"}, &out) && out.Tracks != nil {
			u.mu.Lock()
			for _, t := range out.Tracks.Items {
				u.addCandidates(t.URI)
			}
			u.mu.Unlock()
		}
	case "mix_start", "mix_restart":
		v.startMix(ctx, op, op.Op == "mix_restart")
	case "mix_current":
		v.current(ctx, op)
	case "mix_queue":
		u.mu.Lock()
		v.queueCall(ctx, op, http.MethodGet, "/api/mix/queue", nil)
		u.mu.Unlock()
	case "mix_vibe":
		v.call(ctx, op, http.MethodGet, "/api/mix/vibe", nil, nil)
	case "queue_add", "queue_remove", "queue_reorder", "track_played":
		v.editQueue(ctx, op)
	case "suggestions":
		v.suggestions(ctx, op)
	case "steer":
		u.mu.Lock()
		v.queueCall(ctx, op, http.MethodPost, "/api/mix/vibe/steer", map[string]any{"direction": v.text(op)})
		u.mu.Unlock()
	case "vibe_update":
		u.mu.Lock()
		v.queueCall(ctx, op, http.MethodPut, "/api/mix/vibe", map[string]any{"energyLevel": 1 + v.rng.IntN(10)})
		u.mu.Unlock()
	case "player_state":
		v.call(ctx, op, http.MethodGet, "/api/player/state", nil, nil)
	case "player_stream", "chat_events":
		v.holdOnce(ctx, op)
	case "chat":
		v.chat(ctx, op)
	case "steer_stream":
		v.steerStream(ctx, op)
	default:
		v.record(ctx, outcome{op: op.Op, kind: kindBadBody, err: fmt.Errorf("operation %q is not implemented", op.Op)})
	}
}

// call makes one JSON request as this user and records it; it reports
// whether it succeeded with a 2xx.
func (v *vu) call(ctx context.Context, op Operation, method, path string, body, out any) bool {
	o := v.l.c.call(ctx, op.Op, method, path, v.token, body, out, op.Expect)
	v.record(ctx, o)
	return o.kind == "" && o.status >= 200 && o.status < 300
}

// queueCall makes a request whose answer carries the queue and keeps
// the user's view of it; the caller holds u.mu.
func (v *vu) queueCall(ctx context.Context, op Operation, method, path string, body any) bool {
	var out queueBody
	ok := v.call(ctx, op, method, path, body, &out)
	if ok && out.Queue != nil {
		v.user.queue = *out.Queue
	}
	return ok
}

// startMix starts the user's mix from its first playlist. Users sharing
// a demo user start it once; mix_restart replaces an existing mix.
func (v *vu) startMix(ctx context.Context, op Operation, restart bool) {
	u := v.user
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.started && !restart {
		return
	}
	body := map[string]any{"restart": restart}
	if len(u.playlists) > 0 {
		body["seedPlaylistId"] = u.playlists[v.rng.IntN(len(u.playlists))]
	}
	var out sessionBody
	if v.call(ctx, op, http.MethodPost, "/api/mix/start", body, &out) {
		u.started = true
		if out.Session != nil {
			u.queue = out.Session.Queue
		}
	}
}

// current reads the mix; a user whose mix is gone starts a new one.
func (v *vu) current(ctx context.Context, op Operation) {
	u := v.user
	var out sessionBody
	u.mu.Lock()
	ok := v.call(ctx, op, http.MethodGet, "/api/mix/current", nil, &out)
	if ok && out.Session != nil {
		u.queue = out.Session.Queue
	}
	gone := ok && out.Session == nil
	if gone {
		u.started = false
	}
	u.mu.Unlock()
	if gone {
		v.startMix(ctx, Operation{Op: "mix_start"}, false)
	}
}

// editQueue runs a queue edit that fits the queue as it is: removing or
// reordering needs tracks, adding needs room and a track to add.
func (v *vu) editQueue(ctx context.Context, op Operation) {
	u := v.user
	u.mu.Lock()
	defer u.mu.Unlock()
	n := len(u.queue)
	switch {
	case op.Op == "queue_add" && n >= 10:
		op.Op = "queue_remove"
	case op.Op == "queue_remove" && n == 0, op.Op == "queue_reorder" && n < 2, op.Op == "track_played" && n == 0:
		op.Op = "queue_add"
	}
	switch op.Op {
	case "queue_add":
		uri, ok := u.candidate(v.rng)
		if !ok {
			v.fetchPlaylistTracks(ctx, Operation{Op: "playlist_tracks"})
			if uri, ok = u.candidate(v.rng); !ok {
				return
			}
		}
		v.queueCall(ctx, op, http.MethodPost, "/api/mix/queue/add", map[string]any{"trackUri": uri})
	case "queue_remove":
		v.queueCall(ctx, op, http.MethodDelete, fmt.Sprintf("/api/mix/queue/%d", v.rng.IntN(n)), nil)
	case "queue_reorder":
		from, to := v.rng.IntN(n), v.rng.IntN(n)
		v.queueCall(ctx, op, http.MethodPut, "/api/mix/queue/reorder", map[string]any{"from": from, "to": to})
	case "track_played":
		t := u.queue[0]
		var out sessionBody
		if v.call(ctx, op, http.MethodPost, "/api/mix/playback/track-played", map[string]any{"trackId": t.TrackID, "trackUri": t.TrackURI}, &out) && out.Session != nil {
			u.queue = out.Session.Queue
		}
	}
}

// suggestions asks for suggestions and remembers them as candidates.
func (v *vu) suggestions(ctx context.Context, op Operation) {
	v.user.mu.Lock()
	defer v.user.mu.Unlock()
	v.fetchSuggestions(ctx, op)
}

// fetchSuggestions is suggestions with u.mu held.
func (v *vu) fetchSuggestions(ctx context.Context, op Operation) {
	count := op.Count
	if count == 0 {
		count = 5
	}
	var out suggestionsBody
	if v.call(ctx, op, http.MethodGet, fmt.Sprintf("/api/mix/suggestions?count=%d", count), nil, &out) {
		for _, s := range out.Suggestions {
			v.user.addCandidates(s.TrackURI)
		}
	}
}

// playlistTracks reads one of the user's playlists.
func (v *vu) playlistTracks(ctx context.Context, op Operation) {
	v.user.mu.Lock()
	defer v.user.mu.Unlock()
	v.fetchPlaylistTracks(ctx, op)
}

// fetchPlaylistTracks is playlistTracks with u.mu held: the tracks become
// candidates to queue, as when a person adds from a playlist.
func (v *vu) fetchPlaylistTracks(ctx context.Context, op Operation) {
	u := v.user
	if len(u.playlists) == 0 {
		return
	}
	id := u.playlists[v.rng.IntN(len(u.playlists))]
	var out playlistTracksBody
	if v.call(ctx, op, http.MethodGet, "/api/spotify/playlists/"+url.PathEscape(id)+"/tracks?limit=50", nil, &out) {
		for _, it := range out.Items {
			if it.Track != nil {
				u.addCandidates(it.Track.URI)
			}
		}
	}
}

// text draws one of the operation's texts.
func (v *vu) text(op Operation) string {
	texts := op.Texts
	if len(texts) == 0 {
		texts = defaultTexts[op.Op]
	}
	if len(texts) == 0 {
		return "more energy"
	}
	return texts[v.rng.IntN(len(texts))]
}
