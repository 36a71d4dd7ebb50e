package sim

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// playing reads GET /me/player: the item's id, progress and is_playing.
func (e *spEnv) playing(tok string) (id string, progress time.Duration, playing bool, state map[string]any) {
	e.t.Helper()
	st := e.api("GET", "/me/player", tok, nil).wantStatus(e.t, http.StatusOK).json(e.t)
	ms := spDig(e.t, st, "progress_ms").(float64)
	return spDig(e.t, st, "item", "id").(string), time.Duration(ms) * time.Millisecond, st["is_playing"].(bool), st
}

func (e *spEnv) wantNoContent(r spResp) {
	e.t.Helper()
	r.wantStatus(e.t, http.StatusNoContent)
	if len(r.body) != 0 || r.header.Get("Content-Type") != "" {
		e.t.Fatalf("204 with body %q and Content-Type %q", r.body, r.header.Get("Content-Type"))
	}
}

func TestSpotifyPlayerAdvancesWithTheClock(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	cat := e.srv.Catalog()
	alice, _ := cat.UserByID("alice")
	list := alice.Playlists[0].Tracks

	id, progress, playing, st := e.playing(tok)
	if id != cat.Tracks[list[0]].ID || !playing {
		t.Fatalf("start: %s playing=%v, want first track of the first playlist", id, playing)
	}
	if spDig(t, st, "context", "uri") != "spotify:playlist:"+alice.Playlists[0].ID || spDig(t, st, "device", "is_active") != true {
		t.Fatalf("start state %v", st)
	}
	e.clock.Advance(2 * time.Second)
	if _, p2, _, _ := e.playing(tok); p2 != progress+2*time.Second {
		t.Fatalf("progress %v after 2 s from %v", p2, progress)
	}

	// Run past the end of the first track.
	left := time.Duration(cat.Tracks[list[0]].DurationMs)*time.Millisecond - progress - 2*time.Second
	e.clock.Advance(left + 1500*time.Millisecond)
	id, progress, _, st = e.playing(tok)
	if id != cat.Tracks[list[1]].ID || progress != 1500*time.Millisecond {
		t.Fatalf("after the end: %s at %v, want the second track at 1.5s", id, progress)
	}
	if ts := int64(spDig(t, st, "timestamp").(float64)); ts != e.clock.Now().Add(-1500*time.Millisecond).UnixMilli() {
		t.Fatalf("timestamp %d is not the track change", ts)
	}
	recent := e.api("GET", "/me/player/recently-played?limit=1", tok, nil).wantStatus(t, http.StatusOK).json(t)
	if spDig(t, recent, "items", 0, "track", "id") != cat.Tracks[list[0]].ID {
		t.Fatalf("finished track not in history: %v", spDig(t, recent, "items", 0, "track", "name"))
	}

	// A queued track plays next, then the context resumes.
	queued := cat.Tracks[7]
	e.wantNoContent(e.api("POST", "/me/player/queue?uri=spotify:track:"+queued.ID, tok, nil))
	q := e.api("GET", "/me/player/queue", tok, nil).wantStatus(t, http.StatusOK).json(t)
	if spDig(t, q, "queue", 0, "id") != queued.ID || spDig(t, q, "currently_playing", "id") != cat.Tracks[list[1]].ID {
		t.Fatalf("queue %v", q)
	}
	if spDig(t, q, "queue", 1, "id") != cat.Tracks[list[2]].ID {
		t.Fatal("queue does not continue with the context")
	}
	e.clock.Advance(time.Duration(cat.Tracks[list[1]].DurationMs) * time.Millisecond)
	if id, _, _, st = e.playing(tok); id != queued.ID || st["context"] != nil {
		t.Fatalf("after queue: %s context %v", id, st["context"])
	}
	e.wantNoContent(e.api("POST", "/me/player/next", tok, nil))
	if id, _, _, _ = e.playing(tok); id != cat.Tracks[list[2]].ID {
		t.Fatalf("after next: %s, want the context's third track", id)
	}
	e.wantNoContent(e.api("POST", "/me/player/previous", tok, nil))
	if id, _, _, _ = e.playing(tok); id != cat.Tracks[list[1]].ID {
		t.Fatalf("after previous: %s", id)
	}

	// The control route skips too, and the dump shows it.
	d := e.call("POST", "/_sim/spotify/users/alice/advance", "", nil).wantStatus(t, http.StatusOK).json(t)
	if spDig(t, d, "playback", "item", "id") != cat.Tracks[list[2]].ID {
		t.Fatalf("advance route: %v", spDig(t, d, "playback", "item", "name"))
	}

	// repeat track replays the same track.
	e.wantNoContent(e.api("PUT", "/me/player/repeat?state=track", tok, nil))
	e.clock.Advance(time.Duration(cat.Tracks[list[2]].DurationMs)*time.Millisecond + time.Second)
	if id, _, _, st = e.playing(tok); id != cat.Tracks[list[2]].ID || st["repeat_state"] != "track" {
		t.Fatalf("repeat track: %s, %v", id, st["repeat_state"])
	}
}

func TestSpotifyPlayerCommands(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("bob")
	cat := e.srv.Catalog()

	e.wantNoContent(e.api("PUT", "/me/player/pause", tok, nil))
	r := e.api("PUT", "/me/player/pause", tok, nil)
	r.wantSpError(t, http.StatusForbidden, "")
	if spDig(t, r.json(t), "error", "reason") != "ALREADY_PAUSED" {
		t.Fatalf("second pause: %s", r.body)
	}
	_, before, _, _ := e.playing(tok)
	e.clock.Advance(time.Minute)
	if _, after, playing, _ := e.playing(tok); after != before || playing {
		t.Fatalf("paused playback moved from %v to %v", before, after)
	}
	e.wantNoContent(e.api("PUT", "/me/player/play", tok, nil))

	uris := []string{"spotify:track:" + cat.Tracks[3].ID, "spotify:track:" + cat.Tracks[4].ID}
	e.wantNoContent(e.api("PUT", "/me/player/play", tok, map[string]any{"uris": uris, "offset": map[string]any{"position": 1}, "position_ms": 5000}))
	id, progress, playing, st := e.playing(tok)
	if id != cat.Tracks[4].ID || progress != 5*time.Second || !playing || st["context"] != nil {
		t.Fatalf("play uris: %s at %v, context %v", id, progress, st["context"])
	}
	alb := cat.Albums[cat.Tracks[20].Album]
	e.wantNoContent(e.api("PUT", "/me/player/play", tok, map[string]any{"context_uri": "spotify:album:" + alb.ID, "offset": map[string]any{"uri": "spotify:track:" + cat.Tracks[20].ID}}))
	if id, _, _, st = e.playing(tok); id != cat.Tracks[20].ID || spDig(t, st, "context", "type") != "album" {
		t.Fatalf("play album: %s %v", id, st["context"])
	}
	e.api("PUT", "/me/player/play", tok, map[string]any{"context_uri": "spotify:album:" + alb.ID, "uris": uris}).wantSpError(t, http.StatusBadRequest, "")

	e.wantNoContent(e.api("PUT", "/me/player/seek?position_ms=10000", tok, nil))
	if _, progress, _, _ = e.playing(tok); progress != 10*time.Second {
		t.Fatalf("seek: %v", progress)
	}
	e.api("PUT", "/me/player/seek", tok, nil).wantSpError(t, http.StatusBadRequest, "")

	e.wantNoContent(e.api("PUT", "/me/player/volume?volume_percent=33", tok, nil))
	e.wantNoContent(e.api("PUT", "/me/player/shuffle?state=true", tok, nil))
	e.wantNoContent(e.api("PUT", "/me/player/repeat?state=context", tok, nil))
	_, _, _, st = e.playing(tok)
	if spDig(t, st, "device", "volume_percent") != float64(33) || st["shuffle_state"] != true || st["repeat_state"] != "context" {
		t.Fatalf("echo: %v", st)
	}
	e.api("PUT", "/me/player/volume?volume_percent=101", tok, nil).wantSpError(t, http.StatusBadRequest, "")
	e.api("PUT", "/me/player/repeat?state=all", tok, nil).wantSpError(t, http.StatusBadRequest, "")

	devs := e.api("GET", "/me/player/devices", tok, nil).wantStatus(t, http.StatusOK).json(t)["devices"].([]any)
	if len(devs) < 2 {
		t.Fatalf("devices %v", devs)
	}
	other := devs[1].(map[string]any)["id"].(string)
	e.wantNoContent(e.api("PUT", "/me/player", tok, map[string]any{"device_ids": []string{other}}))
	if _, _, _, st = e.playing(tok); spDig(t, st, "device", "id") != other {
		t.Fatalf("transfer: %v", st["device"])
	}
	e.api("PUT", "/me/player", tok, map[string]any{"device_ids": []string{"nope"}}).wantSpError(t, http.StatusNotFound, "")
	e.api("POST", "/me/player/queue?uri=spotify:track:0000000000000000000000", tok, nil).wantSpError(t, http.StatusNotFound, "")
	e.api("POST", "/me/player/queue?uri=bogus", tok, nil).wantSpError(t, http.StatusBadRequest, "")
}

func TestSpotifyPlayerIdleAndFree(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("carol")
	e.call("POST", "/_sim/spotify/users/carol/player", "", map[string]bool{"active": false}).wantStatus(t, http.StatusOK)
	e.wantNoContent(e.api("GET", "/me/player", tok, nil))
	e.wantNoContent(e.api("GET", "/me/player/currently-playing", tok, nil))
	r := e.api("POST", "/me/player/next", tok, nil)
	r.wantSpError(t, http.StatusNotFound, "")
	if spDig(t, r.json(t), "error", "reason") != "NO_ACTIVE_DEVICE" {
		t.Fatalf("next while idle: %s", r.body)
	}
	devs := e.api("GET", "/me/player/devices", tok, nil).json(t)["devices"].([]any)
	first := devs[0].(map[string]any)["id"].(string)
	e.wantNoContent(e.api("PUT", "/me/player", tok, map[string]any{"device_ids": []string{first}, "play": true}))
	e.api("GET", "/me/player/currently-playing", tok, nil).wantStatus(t, http.StatusOK)

	e.call("POST", "/_sim/spotify/users/carol/player", "", map[string]bool{"premium": false}).wantStatus(t, http.StatusOK)
	r = e.api("PUT", "/me/player/pause", tok, nil)
	r.wantSpError(t, http.StatusForbidden, "")
	if spDig(t, r.json(t), "error", "reason") != "PREMIUM_REQUIRED" {
		t.Fatalf("free user pause: %s", r.body)
	}
	e.call("POST", "/_sim/spotify/users/nobody/advance", "", nil).wantStatus(t, http.StatusNotFound)
}

func TestSpotifyHistoryAndTop(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("dave")
	rp := func(q url.Values) spResp { return e.api("GET", "/me/player/recently-played?"+q.Encode(), tok, nil) }

	first := rp(url.Values{"limit": {"10"}}).wantStatus(t, http.StatusOK).json(t)
	items := first["items"].([]any)
	if len(items) != 10 || first["cursors"] == nil {
		t.Fatalf("%d items, cursors %v", len(items), first["cursors"])
	}
	playedAt := spDig(t, items, 0, "played_at").(string)
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", playedAt); err != nil {
		t.Fatalf("played_at %q: %v", playedAt, err)
	}
	next, err := url.Parse(first["next"].(string))
	if err != nil || next.Query().Get("before") != spDig(t, first, "cursors", "before") {
		t.Fatalf("next %v", first["next"])
	}
	second := rp(next.Query()).wantStatus(t, http.StatusOK).json(t)
	a, _ := time.Parse(time.RFC3339, spDig(t, items, 9, "played_at").(string))
	b, _ := time.Parse(time.RFC3339, spDig(t, second, "items", 0, "played_at").(string))
	if !b.Before(a) {
		t.Fatalf("second page starts at %v, not before %v", b, a)
	}
	after := rp(url.Values{"after": {spDig(t, second, "cursors", "after").(string)}, "limit": {"3"}}).wantStatus(t, http.StatusOK).json(t)
	if spDig(t, after, "items", 2, "played_at") != spDig(t, items, 9, "played_at") {
		t.Fatalf("after cursor: %v", after["items"])
	}
	rp(url.Values{"limit": {"51"}}).wantSpError(t, http.StatusBadRequest, "")
	rp(url.Values{"after": {"1"}, "before": {"2"}}).wantSpError(t, http.StatusBadRequest, "")

	top := e.api("GET", "/me/top/tracks?time_range=short_term&limit=5", tok, nil).wantStatus(t, http.StatusOK).json(t)
	if len(top["items"].([]any)) != 5 || top["total"] != float64(50) {
		t.Fatalf("top: %d items of %v", len(top["items"].([]any)), top["total"])
	}
	long := e.api("GET", "/me/top/tracks?time_range=long_term&limit=5", tok, nil).json(t)
	if spDig(t, long, "items", 0, "id") == spDig(t, top, "items", 0, "id") {
		t.Fatal("time ranges give the same order")
	}
	e.api("GET", "/me/top/artists", tok, nil).wantStatus(t, http.StatusOK)
	e.api("GET", "/me/top/tracks?time_range=forever", tok, nil).wantSpError(t, http.StatusBadRequest, "")
}
