package gateway_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestMusicValidation(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "alice")
	track := e.trackURI(1)
	own := e.simUser("alice").Playlists[0].ID
	for _, c := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"search without query", "POST", "/api/spotify/search", map[string]any{}, "query"},
		{"search blank query", "POST", "/api/spotify/search", map[string]any{"query": "   "}, "query"},
		{"search limit over 10", "POST", "/api/spotify/search", map[string]any{"query": "a", "limit": 11}, "limit"},
		{"search unknown type", "POST", "/api/spotify/search", map[string]any{"query": "a", "type": "show"}, "type"},
		{"search query not a string", "POST", "/api/spotify/search", map[string]any{"query": 7}, "query"},
		{"playlists limit 0", "GET", "/api/spotify/playlists?limit=0", nil, "limit"},
		{"playlists limit 51", "GET", "/api/spotify/playlists?limit=51", nil, "limit"},
		{"playlists negative offset", "GET", "/api/spotify/playlists?offset=-1", nil, "offset"},
		{"playlists limit not a number", "GET", "/api/spotify/playlists?limit=ten", nil, "limit"},
		{"tracks limit 101", "GET", "/api/spotify/playlists/" + own + "/tracks?limit=101", nil, "limit"},
		{"tracks id with dots", "GET", "/api/spotify/playlists/..%2Fme/tracks", nil, "id"},
		{"tracks id with a query", "GET", "/api/spotify/playlists/abc%3Fx=1/tracks", nil, "id"},
		{"create without name", "POST", "/api/spotify/playlists", map[string]any{"public": true}, "name"},
		{"create name too long", "POST", "/api/spotify/playlists", map[string]any{"name": strings.Repeat("n", 101)}, "name"},
		{"create description too long", "POST", "/api/spotify/playlists", map[string]any{"name": "x", "description": strings.Repeat("d", 301)}, "description"},
		{"create public not a bool", "POST", "/api/spotify/playlists", map[string]any{"name": "x", "public": "yes"}, "public"},
		{"modify bad action", "POST", "/api/spotify/playlists/modify", map[string]any{"action": "replace", "playlistId": own, "trackUris": []string{track}}, "action"},
		{"modify no uris", "POST", "/api/spotify/playlists/modify", map[string]any{"action": "add", "playlistId": own, "trackUris": []string{}}, "trackUris"},
		{"modify bad uri", "POST", "/api/spotify/playlists/modify", map[string]any{"action": "add", "playlistId": own, "trackUris": []string{track, "spotify:album:x"}}, "trackUris[1]"},
		{"modify playlist id with slash", "POST", "/api/spotify/playlists/modify", map[string]any{"action": "add", "playlistId": "a/b", "trackUris": []string{track}}, "playlistId"},
		{"modify too many uris", "POST", "/api/spotify/playlists/modify", map[string]any{"action": "add", "playlistId": own, "trackUris": make([]string, 101)}, "trackUris"},
		{"play context and uris", "POST", "/api/player/play", map[string]any{"context_uri": "spotify:playlist:" + own, "uris": []string{track}}, "uris"},
		{"play bad uri", "POST", "/api/player/play", map[string]any{"uris": []string{"x"}}, "uris[0]"},
		{"play bad context", "POST", "/api/player/play", map[string]any{"context_uri": "spotify:user:alice"}, "context_uri"},
		{"play negative position", "POST", "/api/player/play", map[string]any{"position_ms": -1}, "position_ms"},
		{"play offset alone", "POST", "/api/player/play", map[string]any{"offset": map[string]any{"position": 1}}, "offset"},
		{"play offset both ways", "POST", "/api/player/play", map[string]any{"uris": []string{track}, "offset": map[string]any{"position": 0, "uri": track}}, "offset"},
		{"seek without position", "POST", "/api/player/seek", map[string]any{}, "position_ms"},
		{"seek position not a number", "POST", "/api/player/seek", map[string]any{"position_ms": "10"}, "position_ms"},
		{"seek negative", "POST", "/api/player/seek", map[string]any{"position_ms": -5}, "position_ms"},
		{"device without id", "PUT", "/api/player/device", map[string]any{"play": true}, "device_id"},
		{"device empty id", "PUT", "/api/player/device", map[string]any{"device_id": ""}, "device_id"},
		{"volume over 100", "PUT", "/api/player/volume", map[string]any{"volume_percent": 101}, "volume_percent"},
		{"volume negative", "PUT", "/api/player/volume", map[string]any{"volume_percent": -1}, "volume_percent"},
		{"volume missing", "PUT", "/api/player/volume", map[string]any{}, "volume_percent"},
		{"queue add without uri", "POST", "/api/player/queue/add", map[string]any{}, "uri"},
		{"queue add album uri", "POST", "/api/player/queue/add", map[string]any{"uri": "spotify:album:0000000000000000000000"}, "uri"},
		{"mix queue bad uri", "POST", "/api/mix/queue/spotify", map[string]any{"trackUri": "spotify:track:short"}, "trackUri"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, raw := e.call(c.method, c.path, c.body)
			p := problem(t, raw)
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", status, raw)
			}
			if !contains(fieldsOf(p), c.field) {
				t.Fatalf("problem names %v, want %q: %s", fieldsOf(p), c.field, raw)
			}
		})
	}

	// Malformed JSON is a 400 too, never a 500 (reference defect #5).
	req, _ := http.NewRequest("POST", e.URL+"/api/player/seek", strings.NewReader(`{"position_ms":`))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("malformed JSON: %d", resp.StatusCode)
	}
}

func TestMusicRoutesNeedASession(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "alice")
	routes := [][2]string{
		{"GET", "/api/spotify/me"}, {"GET", "/api/spotify/debug/scopes"}, {"POST", "/api/spotify/search"},
		{"GET", "/api/spotify/playlists"}, {"GET", "/api/spotify/playlists/abc/tracks"}, {"POST", "/api/spotify/playlists"},
		{"POST", "/api/spotify/playlists/modify"}, {"GET", "/api/player/state"}, {"GET", "/api/player/devices"},
		{"GET", "/api/player/queue"}, {"POST", "/api/player/play"}, {"POST", "/api/player/pause"}, {"POST", "/api/player/next"},
		{"POST", "/api/player/previous"}, {"POST", "/api/player/seek"}, {"PUT", "/api/player/device"},
		{"PUT", "/api/player/volume"}, {"POST", "/api/player/queue/add"}, {"POST", "/api/mix/queue/spotify"},
	}
	for _, r := range routes {
		for _, token := range []string{"", "not-a-session"} {
			resp := e.Do(r[0], r[1], token, map[string]any{"bad": "body"})
			resp.Body.Close()
			if resp.StatusCode != 401 {
				t.Fatalf("%s %s with token %q: %d, want 401", r[0], r[1], token, resp.StatusCode)
			}
		}
	}
	// A Spotify access token is not a dj session: the reference's bearer
	// does not work here.
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	e.sim("POST", "/_sim/spotify/token?user=alice", nil, &tok)
	resp := e.Do("GET", "/api/spotify/me", tok.AccessToken, nil)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("spotify token accepted as a session: %d", resp.StatusCode)
	}

	// The OpenAPI document lists every route under its tag.
	var doc struct {
		Paths map[string]map[string]struct {
			Tags       []string `json:"tags"`
			Summary    string   `json:"summary"`
			Deprecated bool     `json:"deprecated"`
		} `json:"paths"`
	}
	if status := e.JSON("GET", "/api/openapi.json", "", nil, &doc); status != 200 {
		t.Fatalf("openapi %d", status)
	}
	for _, r := range append(routes, [2]string{"POST", "/api/spotify/token"}, [2]string{"POST", "/api/spotify/refresh"}) {
		path := strings.Replace(r[1], "/abc/", "/{id}/", 1)
		op, ok := doc.Paths[path][strings.ToLower(r[0])]
		if !ok || op.Summary == "" || len(op.Tags) != 1 {
			t.Fatalf("%s %s not documented: %+v", r[0], path, op)
		}
		want := map[string]string{"spotify": "spotify", "player": "player", "mix": "mix"}[strings.Split(path, "/")[2]]
		if strings.HasSuffix(path, "/token") || strings.HasSuffix(path, "/refresh") {
			want = "auth"
			if !op.Deprecated {
				t.Fatalf("%s should be marked deprecated", path)
			}
		}
		if op.Tags[0] != want {
			t.Fatalf("%s %s tagged %v, want %s", r[0], path, op.Tags, want)
		}
	}
}

func TestTokenRoutesAreGone(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "alice")
	for _, path := range []string{"/api/spotify/token", "/api/spotify/refresh"} {
		for _, token := range []string{"", e.token} {
			resp := e.Do("POST", path, token, map[string]any{"code": "x", "codeVerifier": "y"})
			var p map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&p)
			resp.Body.Close()
			detail, _ := p["detail"].(string)
			if resp.StatusCode != http.StatusGone || p["status"] != float64(410) || !strings.Contains(detail, "server") ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("POST %s: %d %v", path, resp.StatusCode, p)
			}
			for k := range p {
				if strings.Contains(k, "token") {
					t.Fatalf("gone answer has %q", k)
				}
			}
		}
	}
}

func TestUpstreamFaultsAre503WithRetryAfter(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "dave")
	for _, c := range []struct {
		name       string
		fault      map[string]any
		method     string
		path       string
		body       any
		retryAfter string
	}{
		{"503 on playlists", map[string]any{"api": "spotify", "kind": "503", "count": 1}, "GET", "/api/spotify/playlists", nil, "1"},
		{"503 on a player command", map[string]any{"api": "spotify", "kind": "503", "count": 1, "path": "/v1/me/player"}, "POST", "/api/player/next", nil, "1"},
		{"500 on search", map[string]any{"api": "spotify", "kind": "500", "count": 1}, "POST", "/api/spotify/search", map[string]any{"query": "a"}, "1"},
		// Last: a 429 pauses the whole Spotify lane for its Retry-After.
		{"429 on the queue", map[string]any{"api": "spotify", "kind": "429", "count": 1, "retry_after": 3}, "GET", "/api/player/queue", nil, "3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.sim("POST", "/_sim/faults", c.fault, nil)
			resp := e.Do(c.method, c.path, e.token, c.body)
			defer resp.Body.Close()
			var raw json.RawMessage
			_ = json.NewDecoder(resp.Body).Decode(&raw)
			problem(t, raw)
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != c.retryAfter {
				t.Fatalf("status %d, Retry-After %q, want 503 and %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), c.retryAfter, raw)
			}
		})
	}
}
