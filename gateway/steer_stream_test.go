package gateway_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"dj/internal/djtest"
	"dj/mix"
)

const steerPath = "/api/mix/vibe/steer-stream"

// steerStart logs user in and starts their mix from their first
// playlist.
func steerStart(t *testing.T, env *djtest.Env, user string, prefs map[string]any) (string, *mix.Session) {
	t.Helper()
	token := env.Login(user)
	u, _ := env.Sim.Catalog().UserByID(user)
	body := map[string]any{"seedPlaylistId": u.Playlists[0].ID}
	if prefs != nil {
		body["preferences"] = prefs
	}
	t0 := time.Now()
	defer func() { t.Logf("mix start took %v", time.Since(t0).Round(time.Millisecond)) }()
	var started struct{ Session *mix.Session }
	if code := env.JSON("POST", "/api/mix/start", token, body, &started); code != 200 || started.Session == nil {
		t.Fatalf("start: %d", code)
	}
	return token, started.Session
}

func steerData[T any](t *testing.T, f streamFrame) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(f.Data, &v); err != nil {
		t.Fatalf("%s data %s: %v", f.Type, f.Data, err)
	}
	return v
}

// TestSteerStreamChangesVibeAndQueue is the steer test: a free
// text direction, read by the simulator's model, changes the vibe (and
// the store has it) and rebuilds the queue with new tracks, streamed in
// the reference's order; Spotify's playback is not replaced.
//
// One server serves the steer tests (a mix start costs seconds): each
// uses its own user, and the one that breaks the model runs last.
func TestSteerStream(t *testing.T) {
	env := djtest.Start(t)
	t.Run("changes vibe and queue", func(t *testing.T) { steerChangesVibeAndQueue(t, env) })
	t.Run("saves vibe without tracks", func(t *testing.T) { steerSavesVibeWithoutTracks(t, env) })
	t.Run("problems before streaming", func(t *testing.T) { steerProblemsBeforeStreaming(t, env) })
	t.Run("model down falls back to presets", func(t *testing.T) { steerModelDownFallsBackToPresets(t, env) })
}

func steerChangesVibeAndQueue(t *testing.T, env *djtest.Env) {
	token, before := steerStart(t, env, "alice", nil)
	playingBefore := steerSimPlaying(t, env, "alice")

	t0 := time.Now()
	r := streamPost(t, env, steerPath, token, map[string]any{"direction": "pump it up with some upbeat party energy"})
	t.Logf("steer took %v, frames %v", time.Since(t0).Round(time.Millisecond), r.types())
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	streamNoLeak(t, r.body)
	types := r.types()
	head := []string{"ack", "progress", "thinking", "vibe_update", "progress", "progress"}
	if len(types) < len(head)+2 || !slices.Equal(types[:len(head)], head) ||
		!slices.Equal(types[len(types)-2:], []string{"suggestions", "done"}) {
		t.Fatalf("order %v", types)
	}
	added := 0
	for _, ty := range types[len(head) : len(types)-2] {
		if ty != "queue_update" {
			t.Fatalf("unexpected %s among queue updates: %v", ty, types)
		}
		added++
	}
	stages := []string{}
	for _, f := range r.frames {
		if f.Type == "progress" {
			stages = append(stages, steerData[struct{ Stage string }](t, f).Stage)
		}
	}
	if !slices.Equal(stages, []string{"analyzing", "adjusting", "building"}) {
		t.Fatalf("progress stages %v", stages)
	}
	preview := steerData[struct{ Preview string }](t, r.frames[2]).Preview
	if preview == "" || len([]rune(preview)) > 503 {
		t.Fatalf("thinking preview %q", preview)
	}
	update := steerData[struct {
		Changes []string
		Vibe    mix.Vibe
	}](t, r.frames[3])
	done := steerData[struct {
		Changes []string
		Message string
		Queue   []mix.QueuedTrack
		Vibe    mix.Vibe
	}](t, r.frames[len(r.frames)-1])
	if update.Vibe.EnergyLevel <= before.Vibe.EnergyLevel || update.Vibe.EnergyDirection != mix.Building || len(update.Changes) == 0 {
		t.Fatalf("vibe %+v (changes %v) from %+v", update.Vibe, update.Changes, before.Vibe)
	}
	if added == 0 || done.Message == "" || !strings.Contains(done.Message, "new tracks") {
		t.Fatalf("%d tracks added; done %+v", added, done)
	}
	// The store has the new vibe and queue.
	if vibe, code := steerStoredVibe(t, env, token); code != 200 || vibe.EnergyLevel != update.Vibe.EnergyLevel {
		t.Fatalf("stored vibe %+v (%d), streamed %+v", vibe, code, update.Vibe)
	}
	var queue struct{ Queue []mix.QueuedTrack }
	env.JSON("GET", "/api/mix/queue", token, nil, &queue)
	if !slices.EqualFunc(queue.Queue, done.Queue, func(a, b mix.QueuedTrack) bool { return a.TrackURI == b.TrackURI }) {
		t.Fatalf("stored queue differs from done's")
	}
	if slices.EqualFunc(queue.Queue, before.Queue, func(a, b mix.QueuedTrack) bool { return a.TrackURI == b.TrackURI }) {
		t.Fatalf("queue not rebuilt: %v", queue.Queue)
	}
	if now := steerSimPlaying(t, env, "alice"); now != playingBefore {
		t.Fatalf("playback replaced: %q → %q", playingBefore, now)
	}
}

// steerSavesVibeWithoutTracks: with auto-fill off nothing is
// added, and the new vibe is stored anyway (the reference dropped it, #10).
func steerSavesVibeWithoutTracks(t *testing.T, env *djtest.Env) {
	token, before := steerStart(t, env, "bob", map[string]any{"autoFill": false})
	r := streamPost(t, env, steerPath, token, map[string]any{"direction": "chill vibes, slow it down"})
	types := r.types()
	if slices.Contains(types, "queue_update") || types[len(types)-1] != "done" {
		t.Fatalf("frames %v", types)
	}
	done := steerData[struct {
		Message string
		Vibe    mix.Vibe
	}](t, r.frames[len(r.frames)-1])
	vibe, _ := steerStoredVibe(t, env, token)
	if !reflect.DeepEqual(vibe, done.Vibe) || vibe.EnergyDirection != mix.WindingDown || vibe.BPMRange == before.Vibe.BPMRange ||
		done.Message != "Vibes adjusted! 0 new tracks in your queue." {
		t.Fatalf("stored vibe %+v, done %+v, before %+v", vibe, done, before.Vibe)
	}
}

// steerProblemsBeforeStreaming: auth, body and a missing mix
// are answered as problems, auth first (#22).
func steerProblemsBeforeStreaming(t *testing.T, env *djtest.Env) {
	token := env.Login("dave")
	cases := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"no auth, bad body", "", map[string]any{"direction": ""}, 401},
		{"empty direction", token, map[string]any{"direction": ""}, 400},
		{"blank direction", token, map[string]any{"direction": "   "}, 400},
		{"long direction", token, map[string]any{"direction": strings.Repeat("x", 501)}, 400},
		{"no mix", token, map[string]any{"direction": "more energy"}, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := streamPost(t, env, steerPath, tc.token, tc.body)
			if r.status != tc.status || !strings.HasPrefix(r.ctype, "application/problem+json") {
				t.Fatalf("status %d (%s): %s", r.status, r.ctype, r.body)
			}
		})
	}
}

// steerModelDownFallsBackToPresets: the model fails; a preset
// in the direction still steers, and words nobody understands end with a
// safe error event.
func steerModelDownFallsBackToPresets(t *testing.T, env *djtest.Env) {
	token, before := steerStart(t, env, "carol", map[string]any{"autoFill": false})
	chatFault(t, env, map[string]any{"api": "anthropic", "kind": "500", "count": 2})
	r := streamPost(t, env, steerPath, token, map[string]any{"direction": "go retro please"})
	if types := r.types(); slices.Contains(types, "thinking") || types[len(types)-1] != "done" {
		t.Fatalf("frames %v", types)
	}
	update := steerData[struct{ Vibe mix.Vibe }](t, r.frames[2])
	if update.Vibe.Era == before.Vibe.Era || update.Vibe.Era.Start != 1970 {
		t.Fatalf("era %+v", update.Vibe.Era)
	}
	r = streamPost(t, env, steerPath, token, map[string]any{"direction": "zzzz qqqq"})
	types := r.types()
	if types[len(types)-1] != "error" || slices.Contains(types, "vibe_update") {
		t.Fatalf("frames %v", types)
	}
	streamNoLeak(t, r.body)
	e := steerData[struct{ Code, Message string }](t, r.frames[len(r.frames)-1])
	if e.Code != "ai_unavailable" || !strings.Contains(e.Message, "presets") {
		t.Fatalf("error %+v", e)
	}
}

// steerStoredVibe reads the mix's vibe through the API.
func steerStoredVibe(t *testing.T, env *djtest.Env, token string) (mix.Vibe, int) {
	t.Helper()
	var out struct{ Vibe mix.Vibe }
	code := env.JSON("GET", "/api/mix/vibe", token, nil, &out)
	return out.Vibe, code
}

// steerSimPlaying is the URI the simulator is playing for user ("" if
// none).
func steerSimPlaying(t *testing.T, env *djtest.Env, user string) string {
	t.Helper()
	resp, err := http.Get(env.Sim.URL() + "/_sim/spotify/users/" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var u struct {
		Playback *struct {
			Item *struct{ URI string } `json:"item"`
		} `json:"playback"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
		t.Fatal(err)
	}
	if u.Playback == nil || u.Playback.Item == nil {
		return ""
	}
	return u.Playback.Item.URI
}
