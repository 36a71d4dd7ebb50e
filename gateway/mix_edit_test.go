package gateway_test

import (
	"net/http"
	"testing"

	"dj/internal/djtest"
	"dj/mix"
)

// TestMixEditRoutes walks the smaller edit routes on one mix: preferences
// (set and clear the BPM lock), the vibe, queue edits out of range, and
// ending a mix that has just started.
func TestMixEditRoutes(t *testing.T) {
	env := djtest.Start(t)
	token := env.Login("carol")
	var started struct{ Session *mix.Session }
	if code := env.JSON("POST", "/api/mix/start", token, map[string]any{"preferences": map[string]any{"autoFill": false}}, &started); code != 200 {
		t.Fatalf("start: %d", code)
	}
	if started.Session.Preferences.AutoFill || len(started.Session.Queue) != 0 {
		t.Fatalf("start without auto-fill: %+v", started.Session)
	}

	var prefs struct {
		Preferences mix.Preferences `json:"preferences"`
		Success     bool            `json:"success"`
	}
	body := map[string]any{"bpmLock": map[string]int{"min": 100, "max": 120}, "avoidGenres": []string{" metal "}}
	if code := env.JSON("PATCH", "/api/mix/preferences", token, body, &prefs); code != 200 || !prefs.Success ||
		prefs.Preferences.BPMLock == nil || *prefs.Preferences.BPMLock != (mix.BPMRange{Min: 100, Max: 120}) ||
		len(prefs.Preferences.AvoidGenres) != 1 || prefs.Preferences.AvoidGenres[0] != "metal" {
		t.Fatalf("set lock: %d %+v", code, prefs)
	}
	if code := env.JSON("PATCH", "/api/mix/preferences", token, map[string]any{"bpmLock": nil}, &prefs); code != 200 ||
		prefs.Preferences.BPMLock != nil || len(prefs.Preferences.AvoidGenres) != 1 {
		t.Fatalf("clear lock: %d %+v", code, prefs)
	}

	var vibe struct {
		Queue []mix.QueuedTrack `json:"queue"`
		Vibe  mix.Vibe          `json:"vibe"`
	}
	if code := env.JSON("PUT", "/api/mix/vibe", token, map[string]any{"energyLevel": 8.4, "bpmRange": map[string]int{"min": 90, "max": 100}}, &vibe); code != 200 ||
		vibe.Vibe.EnergyLevel != 8 || vibe.Vibe.BPMRange != (mix.BPMRange{Min: 90, Max: 100}) || vibe.Queue == nil {
		t.Fatalf("put vibe: %d %+v", code, vibe)
	}
	var got struct{ Vibe mix.Vibe }
	if code := env.JSON("GET", "/api/mix/vibe", token, nil, &got); code != 200 || got.Vibe.EnergyLevel != 8 {
		t.Fatalf("get vibe: %d %+v", code, got)
	}

	var p mixProblemDoc
	if code := env.JSON("DELETE", "/api/mix/queue/0", token, nil, &p); code != http.StatusBadRequest ||
		len(p.Errors) != 1 || p.Errors[0].Location != "path" || p.Errors[0].Field != "position" {
		t.Fatalf("remove from an empty queue: %d %+v", code, p)
	}
	if code := env.JSON("PUT", "/api/mix/queue/reorder", token, map[string]int{"from": 0, "to": 0}, &p); code != http.StatusBadRequest ||
		len(p.Errors) != 1 || p.Errors[0].Field != "from" {
		t.Fatalf("reorder an empty queue: %d %+v", code, p)
	}
	if code := env.JSON("POST", "/api/mix/save", token, map[string]any{"name": "empty"}, &p); code != http.StatusBadRequest {
		t.Fatalf("save an empty mix: %d %+v", code, p)
	}
	if code := env.JSON("POST", "/api/mix/queue/add", token, map[string]any{"trackUri": "spotify:track:0000000000000000000000"}, &p); code != http.StatusBadRequest ||
		len(p.Errors) != 1 || p.Errors[0].Field != "trackUri" {
		t.Fatalf("add an unknown track: %d %+v", code, p)
	}

	var ended struct {
		Success      bool `json:"success"`
		TracksPlayed int  `json:"tracksPlayed"`
	}
	if code := env.JSON("DELETE", "/api/mix/end", token, nil, &ended); code != 200 || !ended.Success {
		t.Fatalf("end a fresh mix: %d %+v", code, ended)
	}
	var cur struct{ Session *mix.Session }
	if code := env.JSON("GET", "/api/mix/current", token, nil, &cur); code != 200 || cur.Session != nil {
		t.Fatalf("current after end: %d %+v", code, cur)
	}
}
