package gateway_test

import (
	"slices"
	"testing"
)

func TestPlayerReadRoutes(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "alice")
	sim := e.simUser("alice")

	var state struct {
		Device *struct {
			ID             string `json:"id"`
			IsActive       bool   `json:"is_active"`
			SupportsVolume bool   `json:"supports_volume"`
			VolumePercent  *int   `json:"volume_percent"`
		} `json:"device"`
		IsPlaying bool `json:"is_playing"`
		Item      *struct {
			URI string `json:"uri"`
		} `json:"item"`
		ProgressMs   *int   `json:"progress_ms"`
		RepeatState  string `json:"repeat_state"`
		ShuffleState *bool  `json:"shuffle_state"`
		Context      *struct {
			Type string `json:"type"`
		} `json:"context"`
		CurrentlyPlayingType string `json:"currently_playing_type"`
	}
	e.want(200, "GET", "/api/player/state", nil, &state)
	if state.Device == nil || !state.Device.IsActive || !state.Device.SupportsVolume || state.Device.VolumePercent == nil ||
		!state.IsPlaying || state.Item == nil || state.Item.URI != sim.Playback.Item.URI || state.ProgressMs == nil ||
		state.RepeatState != "off" || state.ShuffleState == nil || state.Context == nil || state.Context.Type != "playlist" ||
		state.CurrentlyPlayingType != "track" {
		t.Fatalf("state %+v", state)
	}

	var devices struct {
		Devices []struct {
			ID             *string `json:"id"`
			Name           string  `json:"name"`
			Type           string  `json:"type"`
			IsActive       bool    `json:"is_active"`
			SupportsVolume bool    `json:"supports_volume"`
		} `json:"devices"`
	}
	e.want(200, "GET", "/api/player/devices", nil, &devices)
	if len(devices.Devices) != len(sim.Devices) || devices.Devices[0].ID == nil || *devices.Devices[0].ID != sim.Devices[0].ID ||
		!devices.Devices[0].IsActive || devices.Devices[1].Name == "" {
		t.Fatalf("devices %+v", devices)
	}

	queued := e.trackURI(21)
	e.want(200, "POST", "/api/player/queue/add", map[string]any{"uri": queued}, nil)
	var q struct {
		CurrentlyPlaying *struct {
			URI string `json:"uri"`
		} `json:"currently_playing"`
		Queue []struct {
			URI string `json:"uri"`
		} `json:"queue"`
	}
	e.want(200, "GET", "/api/player/queue", nil, &q)
	if q.CurrentlyPlaying == nil || q.CurrentlyPlaying.URI != sim.Playback.Item.URI || len(q.Queue) == 0 || q.Queue[0].URI != queued {
		t.Fatalf("queue %+v", q)
	}

	// No active device: the reference's idle state, not an error.
	e.sim("POST", "/_sim/spotify/users/alice/player", map[string]any{"active": false}, nil)
	var idle map[string]any
	e.want(200, "GET", "/api/player/state", nil, &idle)
	if idle["device"] != nil || idle["item"] != nil || idle["is_playing"] != false {
		t.Fatalf("idle state %v", idle)
	}
}

func TestPlayerCommandsChangeSpotify(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "bob")
	a, b := e.trackURI(5), e.trackURI(6)

	var ok struct {
		Success bool `json:"success"`
	}
	e.want(200, "POST", "/api/player/pause", nil, &ok)
	if !ok.Success || e.simUser("bob").Playback.IsPlaying {
		t.Fatal("pause did not pause")
	}
	e.want(200, "POST", "/api/player/play", nil, &ok)
	if !e.simUser("bob").Playback.IsPlaying {
		t.Fatal("play did not resume")
	}
	e.want(200, "POST", "/api/player/play", map[string]any{"uris": []string{a, b}, "offset": map[string]any{"position": 1}}, nil)
	if st := e.simUser("bob").Playback; !st.IsPlaying || st.Item.URI != b {
		t.Fatalf("play uris at offset 1: now %s", st.Item.URI)
	}
	e.want(200, "POST", "/api/player/previous", nil, nil)
	if st := e.simUser("bob").Playback; st.Item.URI != a {
		t.Fatalf("previous: now %s, want %s", st.Item.URI, a)
	}
	e.want(200, "POST", "/api/player/next", nil, nil)
	if st := e.simUser("bob").Playback; st.Item.URI != b {
		t.Fatalf("next: now %s, want %s", st.Item.URI, b)
	}
	e.want(200, "POST", "/api/player/seek", map[string]any{"position_ms": 12345}, nil)
	if st := e.simUser("bob").Playback; st.ProgressMs == nil || *st.ProgressMs < 12345 || *st.ProgressMs > 14000 {
		t.Fatalf("seek: progress %v", st.ProgressMs)
	}

	var vol struct {
		Success       bool    `json:"success"`
		VolumePercent float64 `json:"volume_percent"`
	}
	e.want(200, "PUT", "/api/player/volume", map[string]any{"volume_percent": 33.4}, &vol)
	if !vol.Success || vol.VolumePercent != 33.4 || *e.simUser("bob").Playback.Device.VolumePercent != 33 {
		t.Fatalf("volume %+v", vol)
	}

	kitchen := e.simUser("bob").Devices[1].ID
	e.want(200, "PUT", "/api/player/device", map[string]any{"device_id": kitchen, "play": true}, nil)
	if st := e.simUser("bob"); st.Playback.Device.ID != kitchen || !st.Devices[1].IsActive {
		t.Fatalf("transfer: active device %s, want %s", st.Playback.Device.ID, kitchen)
	}
	status, raw := e.call("PUT", "/api/player/device", map[string]any{"device_id": "not0a0device"})
	if problem(t, raw); status != 404 {
		t.Fatalf("unknown device: %d %s", status, raw)
	}

	var added struct {
		Success bool   `json:"success"`
		URI     string `json:"uri"`
	}
	e.want(200, "POST", "/api/player/queue/add", map[string]any{"uri": a}, &added)
	var mixQueued struct {
		Queued  bool `json:"queued"`
		Success bool `json:"success"`
	}
	e.want(200, "POST", "/api/mix/queue/spotify", map[string]any{"trackUri": b}, &mixQueued)
	if !added.Success || added.URI != a || !mixQueued.Queued || !mixQueued.Success {
		t.Fatalf("queue answers %+v %+v", added, mixQueued)
	}
	if q := e.simUser("bob").Queue; !slices.Equal(q[len(q)-2:], []string{a, b}) {
		t.Fatalf("Spotify queue %v, want it to end with %s %s", q, a, b)
	}
	status, raw = e.call("POST", "/api/player/queue/add", map[string]any{"uri": "spotify:track:0000000000000000000000"})
	if problem(t, raw); status != 404 {
		t.Fatalf("queue an unknown track: %d %s", status, raw)
	}
}

func TestPlayerRefusalsAreClearProblems(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "carol")
	e.want(200, "POST", "/api/player/pause", nil, nil)
	status, raw := e.call("POST", "/api/player/pause", nil)
	if problem(t, raw); status != 409 {
		t.Fatalf("pause while paused: %d %s", status, raw)
	}

	e.sim("POST", "/_sim/spotify/users/carol/player", map[string]any{"active": false}, nil)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/player/play", nil},
		{"POST", "/api/player/next", nil},
		{"PUT", "/api/player/volume", map[string]any{"volume_percent": 10}},
		{"POST", "/api/player/queue/add", map[string]any{"uri": e.trackURI(3)}},
		{"POST", "/api/mix/queue/spotify", map[string]any{"trackUri": e.trackURI(3)}},
	} {
		status, raw := e.call(c.method, c.path, c.body)
		p := problem(t, raw)
		if status != 409 || p["status"] != float64(409) {
			t.Fatalf("%s %s without an active device: %d %s", c.method, c.path, status, raw)
		}
	}

	e.sim("POST", "/_sim/spotify/users/carol/player", map[string]any{"active": true, "premium": false}, nil)
	for _, path := range []string{"/api/player/play", "/api/player/previous"} {
		status, raw := e.call("POST", path, nil)
		if problem(t, raw); status != 403 {
			t.Fatalf("%s without Premium: %d %s", path, status, raw)
		}
	}
	status, raw = e.call("POST", "/api/mix/queue/spotify", map[string]any{"trackUri": e.trackURI(3)})
	if problem(t, raw); status != 403 {
		t.Fatalf("mix queue without Premium: %d %s", status, raw)
	}
}
