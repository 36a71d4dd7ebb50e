package gateway_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/internal/djtest"
	"dj/mix"
)

// mixQueueReply is the queue answer of the edit routes.
type mixQueueReply struct {
	Queue   []mix.QueuedTrack `json:"queue"`
	Success bool              `json:"success"`
}

// TestMixFlow is the end-to-end test: log in through the
// simulator the way a browser does, start a mix from a playlist, edit it
// from 50 goroutines at once with no lost edit, get scored suggestions,
// steer with a preset, save the mix as a playlist (visible in the
// simulator) and log out (the token then gets 401).
func TestMixFlow(t *testing.T) {
	env := djtest.Start(t)
	token := env.Login("alice")
	alice, ok := env.Sim.Catalog().UserByID("alice")
	if !ok {
		t.Fatal("no alice in the catalog")
	}
	playlist := alice.Playlists[0]
	genre := strings.TrimPrefix(playlist.Name, "Best of ")

	// Start from the playlist: seeded vibe, queue auto-filled to 5.
	t0 := time.Now()
	var started struct{ Session *mix.Session }
	if status := env.JSON("POST", "/api/mix/start", token, map[string]any{"seedPlaylistId": playlist.ID}, &started); status != 200 {
		t.Fatalf("start: %d", status)
	}
	t.Logf("start (seed + fill): %v", time.Since(t0).Round(time.Millisecond))
	s := started.Session
	if s == nil || !slices.Contains(s.Vibe.Genres, genre) || len(s.Queue) != mix.TargetQueueSize {
		t.Fatalf("started session %+v, want genre %q and %d queued", s, genre, mix.TargetQueueSize)
	}

	// Auto-fill off, so the edits below are the only changes.
	if status := env.JSON("PATCH", "/api/mix/preferences", token, map[string]any{"autoFill": false}, nil); status != 200 {
		t.Fatalf("preferences: %d", status)
	}

	// 50 editors add 50 different tracks at once: exactly the 5 that fit
	// are acknowledged, the rest get 409, and every acknowledged track is
	// in the queue.
	known := map[string]bool{}
	for _, q := range s.Queue {
		known[q.TrackURI] = true
	}
	var adds []string
	for _, tr := range env.Sim.Catalog().Tracks {
		if uri := "spotify:track:" + tr.ID; !known[uri] && len(adds) < 50 {
			adds = append(adds, uri)
		}
	}
	var (
		mu     sync.Mutex
		acked  []string
		status = map[int]int{}
		wg     sync.WaitGroup
		gate   = make(chan struct{})
	)
	t0 = time.Now()
	for i, uri := range adds {
		wg.Go(func() {
			<-gate
			code, body, err := mixSendJSON(env.HTTP, "POST", env.URL+"/api/mix/queue/add", token,
				map[string]any{"trackUri": uri, "position": i % 3})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("add: %v", err)
				return
			}
			status[code]++
			if code == 200 {
				var r mixQueueReply
				if json.Unmarshal(body, &r) != nil || !slices.ContainsFunc(r.Queue, func(q mix.QueuedTrack) bool { return q.TrackURI == uri }) {
					t.Errorf("acknowledged add of %s not in its reply: %s", uri, body)
				}
				acked = append(acked, uri)
			}
		})
	}
	close(gate)
	wg.Wait()
	t.Logf("50 concurrent adds: %v (%v)", time.Since(t0).Round(time.Millisecond), status)
	free := mix.MaxQueueSize - mix.TargetQueueSize
	if status[200] != free || status[409] != 50-free {
		t.Fatalf("adds answered %v, want %d×200 and %d×409", status, free, 50-free)
	}
	var queue mixQueueReply
	env.JSON("GET", "/api/mix/queue", token, nil, &queue)
	order := make([]string, len(queue.Queue))
	for i, q := range queue.Queue {
		order[i] = q.TrackURI
	}
	for _, uri := range acked {
		if !slices.Contains(order, uri) {
			t.Fatalf("acknowledged %s lost; queue %v", uri, order)
		}
	}
	if len(order) != mix.MaxQueueSize {
		t.Fatalf("queue has %d tracks, want %d", len(order), mix.MaxQueueSize)
	}

	// 50 editors each move the head to the end: every answer is the queue
	// rotated by a distinct count, so each count mod 10 shows 5 times, and
	// the final order is the starting one.
	counts := make([]int, mix.MaxQueueSize)
	gate = make(chan struct{})
	t0 = time.Now()
	for range 50 {
		wg.Go(func() {
			<-gate
			code, body, err := mixSendJSON(env.HTTP, "PUT", env.URL+"/api/mix/queue/reorder", token, map[string]int{"from": 0, "to": mix.MaxQueueSize - 1})
			var r mixQueueReply
			if err != nil || code != 200 || json.Unmarshal(body, &r) != nil || len(r.Queue) != len(order) {
				t.Errorf("reorder: %d %v %s", code, err, body)
				return
			}
			k := slices.Index(order, r.Queue[0].TrackURI)
			for i, q := range r.Queue {
				if q.TrackURI != order[(i+k)%len(order)] || q.Position != i {
					t.Errorf("reply is not a rotation of the queue: %s", body)
					return
				}
			}
			mu.Lock()
			counts[k]++
			mu.Unlock()
		})
	}
	close(gate)
	wg.Wait()
	t.Logf("50 concurrent reorders: %v", time.Since(t0).Round(time.Millisecond))
	for k, n := range counts {
		if n != 5 {
			t.Fatalf("rotation by %d answered %d times (%v): an edit was lost or applied twice", k, n, counts)
		}
	}
	env.JSON("GET", "/api/mix/queue", token, nil, &queue)
	for i, q := range queue.Queue {
		if q.TrackURI != order[i] {
			t.Fatalf("final queue differs from the starting one at %d", i)
		}
	}

	// Scored suggestions, best first, none already queued.
	t0 = time.Now()
	var sugs struct {
		BasedOn struct {
			VibeProfile string `json:"vibeProfile"`
		} `json:"basedOn"`
		Suggestions []mix.Suggestion `json:"suggestions"`
	}
	if code := env.JSON("GET", "/api/mix/suggestions?count=5", token, nil, &sugs); code != 200 {
		t.Fatalf("suggestions: %d", code)
	}
	t.Logf("suggestions: %v", time.Since(t0).Round(time.Millisecond))
	if len(sugs.Suggestions) == 0 || len(sugs.Suggestions) > 5 || !strings.HasPrefix(sugs.BasedOn.VibeProfile, "Energy: ") {
		t.Fatalf("suggestions %+v", sugs)
	}
	for i, sg := range sugs.Suggestions {
		if sg.VibeScore < 0 || sg.VibeScore > 100 || sg.Reason == "" || slices.Contains(order, sg.TrackURI) ||
			(i > 0 && sg.VibeScore > sugs.Suggestions[i-1].VibeScore) {
			t.Fatalf("suggestion %d: %+v", i, sg)
		}
	}

	// Steer with a preset: energy up, building, the AI's picks replaced
	// (auto-fill is off, so only the listener's tracks stay).
	var steered struct {
		Changes []string          `json:"changes"`
		Queue   []mix.QueuedTrack `json:"queue"`
		Vibe    mix.Vibe          `json:"vibe"`
	}
	if code := env.JSON("POST", "/api/mix/vibe/steer", token, map[string]any{"direction": "more energy"}, &steered); code != 200 {
		t.Fatalf("steer: %d", code)
	}
	if steered.Vibe.EnergyDirection != mix.Building || steered.Vibe.EnergyLevel != mix.ClampEnergyLevel(s.Vibe.EnergyLevel+2) ||
		!slices.ContainsFunc(steered.Changes, func(c string) bool { return strings.HasPrefix(c, "Direction: ") }) {
		t.Fatalf("steered %+v from %+v", steered, s.Vibe)
	}
	for _, q := range steered.Queue {
		if q.AddedBy != mix.AddedByUser {
			t.Fatalf("an AI pick for the old vibe stayed: %+v", q)
		}
	}

	// One play, then save: history oldest first, then the queue.
	head := steered.Queue[0]
	var played struct {
		MovedToHistory bool `json:"movedToHistory"`
	}
	body := map[string]string{"trackId": strings.TrimPrefix(head.TrackURI, "spotify:track:"), "trackUri": head.TrackURI}
	if code := env.JSON("POST", "/api/mix/playback/track-played", token, body, &played); code != 200 || !played.MovedToHistory {
		t.Fatalf("track played: %d %+v", code, played)
	}
	want := []string{head.TrackURI}
	for _, q := range steered.Queue[1:] {
		want = append(want, q.TrackURI)
	}
	var saved struct {
		PlaylistID string `json:"playlistId"`
		TrackCount int    `json:"trackCount"`
		Success    bool   `json:"success"`
	}
	if code := env.JSON("POST", "/api/mix/save", token, map[string]any{"name": "Flow test mix"}, &saved); code != 200 ||
		!saved.Success || saved.TrackCount != len(want) {
		t.Fatalf("save: %d %+v, want %d tracks", code, saved, len(want))
	}
	if got := simPlaylist(t, env, "alice", saved.PlaylistID); !slices.Equal(got, want) {
		t.Fatalf("saved playlist holds %v, want %v", got, want)
	}

	// Log out: the token stops working at once.
	if code := env.JSON("POST", "/api/auth/logout", token, nil, nil); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if code := env.JSON("GET", "/api/mix/current", token, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d, want 401", code)
	}
}

// simPlaylist reads a playlist's track URIs from the simulator's view of
// the user.
func simPlaylist(t *testing.T, env *djtest.Env, user, id string) []string {
	t.Helper()
	var dump struct {
		Playlists []struct {
			ID   string   `json:"id"`
			URIs []string `json:"uris"`
		} `json:"playlists"`
	}
	resp, err := env.HTTP.Get(env.Sim.URL() + "/_sim/spotify/users/" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	mixDecodeReader(t, resp, &dump)
	for _, p := range dump.Playlists {
		if p.ID == id {
			return p.URIs
		}
	}
	t.Fatalf("playlist %s not in the simulator", id)
	return nil
}

func mixDecodeReader(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
