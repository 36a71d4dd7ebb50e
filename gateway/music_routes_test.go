package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"dj/internal/djtest"
)

// musicEnv is a whole dj server with one signed-in user, plus the
// simulator's control routes the tests steer and inspect Spotify with.
type musicEnv struct {
	*djtest.Env
	t     *testing.T
	token string
	user  string
}

func newMusicEnv(t *testing.T, user string) *musicEnv {
	t.Helper()
	env := djtest.Start(t)
	return &musicEnv{Env: env, t: t, token: env.Login(user), user: user}
}

// call sends a request as the signed-in user and returns status and body.
func (e *musicEnv) call(method, path string, body any) (int, []byte) {
	e.t.Helper()
	resp := e.Do(method, path, e.token, body)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// want sends a request, checks the status and decodes the answer.
func (e *musicEnv) want(status int, method, path string, body, out any) {
	e.t.Helper()
	got, raw := e.call(method, path, body)
	if got != status {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode: %v: %s", method, path, err, raw)
		}
	}
}

// simUser is the simulator's view of a Spotify account.
type simUser struct {
	Premium  bool `json:"premium"`
	Playback *struct {
		IsPlaying  bool `json:"is_playing"`
		ProgressMs *int `json:"progress_ms"`
		Item       *struct {
			URI string `json:"uri"`
		} `json:"item"`
		Device *struct {
			ID            string `json:"id"`
			VolumePercent *int   `json:"volume_percent"`
		} `json:"device"`
	} `json:"playback"`
	Devices []struct {
		ID       string `json:"id"`
		IsActive bool   `json:"is_active"`
	} `json:"devices"`
	Queue     []string `json:"queue"`
	Playlists []struct {
		ID     string   `json:"id"`
		Name   string   `json:"name"`
		Owner  string   `json:"owner"`
		Public bool     `json:"public"`
		URIs   []string `json:"uris"`
	} `json:"playlists"`
}

// sim calls a simulator control route and decodes its JSON answer.
func (e *musicEnv) sim(method, path string, body, out any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.Sim.URL()+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Close = true // no idle connection outlives the test (goleak)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("sim %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *musicEnv) simUser(id string) simUser {
	e.t.Helper()
	var u simUser
	e.sim("GET", "/_sim/spotify/users/"+id, nil, &u)
	return u
}

// spotifyRequests is how many Web API calls reached the simulator.
func (e *musicEnv) spotifyRequests() int64 {
	return e.Sim.Stats().APIs["spotify"].Requests
}

// trackURI is a catalogue track's URI.
func (e *musicEnv) trackURI(i int) string {
	return "spotify:track:" + e.Sim.Catalog().Tracks[i].ID
}

// problem decodes a problem document and checks it leaks nothing of
// Spotify's own error text.
func problem(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("not a problem document: %s", raw)
	}
	for _, leak := range []string{"Player command failed", "Service unavailable", "API rate limit exceeded",
		"Restriction violated", "Non existing id", "Invalid base62", "Payload contains", "spotify ", "(status "} {
		if strings.Contains(string(raw), leak) {
			t.Fatalf("problem leaks upstream text %q: %s", leak, raw)
		}
	}
	return p
}

// fieldsOf lists the fields a 400 problem names.
func fieldsOf(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m["field"].(string))
		}
	}
	return out
}

func TestSpotifyProfileScopesAndSearch(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "alice")

	var me map[string]any
	before := e.spotifyRequests()
	e.want(200, "GET", "/api/spotify/me", nil, &me)
	if me["id"] != "alice" || me["display_name"] != "Alice Demo" {
		t.Fatalf("me %v", me)
	}
	if n := e.spotifyRequests() - before; n != 1 {
		t.Fatalf("/me took %d Spotify calls, want 1", n)
	}
	for k := range me {
		if strings.Contains(strings.ToLower(k), "token") {
			t.Fatalf("profile carries %q", k)
		}
	}

	var scopes struct {
		Required   []string        `json:"required_scopes"`
		Granted    []string        `json:"granted_scopes"`
		Missing    []string        `json:"missing_scopes"`
		ScopeTests map[string]bool `json:"scope_tests"`
		TokenInfo  map[string]any  `json:"token_info"`
	}
	e.want(200, "GET", "/api/spotify/debug/scopes", nil, &scopes)
	if len(scopes.Required) != 11 || len(scopes.Missing) != 0 || !scopes.ScopeTests["playlist-read-private"] ||
		!scopes.ScopeTests["user-read-private"] || scopes.TokenInfo["user_id"] != "alice" {
		t.Fatalf("scopes %+v", scopes)
	}

	var found struct {
		Tracks *struct {
			Items []struct {
				URI  string `json:"uri"`
				Type string `json:"type"`
			} `json:"items"`
			Limit int `json:"limit"`
			Total int `json:"total"`
		} `json:"tracks"`
		Artists json.RawMessage `json:"artists"`
	}
	name := e.Sim.Catalog().Tracks[7].Name
	e.want(200, "POST", "/api/spotify/search", map[string]any{"query": name}, &found)
	if found.Tracks == nil || found.Artists != nil || len(found.Tracks.Items) == 0 || len(found.Tracks.Items) > 10 || found.Tracks.Limit != 10 {
		t.Fatalf("default search is not a track page of at most 10: %+v", found.Tracks)
	}
	if found.Tracks.Items[0].Type != "track" || !strings.HasPrefix(found.Tracks.Items[0].URI, "spotify:track:") {
		t.Fatalf("first hit %+v", found.Tracks.Items[0])
	}

	var artists struct {
		Artists *struct {
			Items []struct {
				Name   string   `json:"name"`
				Genres []string `json:"genres"`
			} `json:"items"`
		} `json:"artists"`
		Tracks json.RawMessage `json:"tracks"`
	}
	e.want(200, "POST", "/api/spotify/search", map[string]any{"query": "a", "type": "artist", "limit": 3}, &artists)
	if artists.Artists == nil || artists.Tracks != nil || len(artists.Artists.Items) != 3 || artists.Artists.Items[0].Genres == nil {
		t.Fatalf("artist search %+v", artists)
	}

	// A filter Spotify cannot parse is the caller's mistake: 400 naming
	// the query, not a 502.
	status, raw := e.call("POST", "/api/spotify/search", map[string]any{"query": "year:abc"})
	if p := problem(t, raw); status != 400 || !contains(fieldsOf(p), "query") {
		t.Fatalf("bad filter: %d %s", status, raw)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSpotifyPlaylists(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "alice")
	sim := e.simUser("alice")

	var page struct {
		Items []struct {
			ID     string `json:"id"`
			Tracks struct {
				Total int `json:"total"`
			} `json:"tracks"`
			Owner struct {
				ID string `json:"id"`
			} `json:"owner"`
			Images []any `json:"images"`
		} `json:"items"`
		Limit    int     `json:"limit"`
		Offset   int     `json:"offset"`
		Total    int     `json:"total"`
		Next     *string `json:"next"`
		Previous *string `json:"previous"`
	}
	e.want(200, "GET", "/api/spotify/playlists?limit=2&offset=1", nil, &page)
	if page.Total != len(sim.Playlists) || len(page.Items) != 2 || page.Limit != 2 || page.Offset != 1 ||
		page.Next == nil || page.Previous == nil || page.Items[0].ID != sim.Playlists[1].ID ||
		page.Items[0].Tracks.Total != len(sim.Playlists[1].URIs) || page.Items[0].Images == nil {
		t.Fatalf("page %+v", page)
	}
	e.want(200, "GET", "/api/spotify/playlists", nil, &page)
	if page.Limit != 20 || len(page.Items) != len(sim.Playlists) || page.Previous != nil {
		t.Fatalf("default page: limit %d, %d items", page.Limit, len(page.Items))
	}

	// The largest own playlist, read past the 50 /items serves per call.
	own := sim.Playlists[0]
	for _, p := range sim.Playlists {
		if p.Owner == "alice" && len(p.URIs) > len(own.URIs) {
			own = p
		}
	}
	if len(own.URIs) <= 55 {
		t.Fatalf("need an own playlist over 55 tracks, largest has %d", len(own.URIs))
	}
	var items struct {
		Items []struct {
			AddedAt *string `json:"added_at"`
			Track   *struct {
				URI string `json:"uri"`
			} `json:"track"`
		} `json:"items"`
		Total int `json:"total"`
	}
	e.want(200, "GET", "/api/spotify/playlists/"+own.ID+"/tracks?limit=55&offset=2", nil, &items)
	if len(items.Items) != 55 || items.Total != len(own.URIs) {
		t.Fatalf("%d items of %d, want 55 of %d", len(items.Items), items.Total, len(own.URIs))
	}
	for i, it := range items.Items {
		if it.Track == nil || it.Track.URI != own.URIs[i+2] || it.AddedAt == nil {
			t.Fatalf("item %d = %+v, want %s", i, it, own.URIs[i+2])
		}
	}

	// Someone else's playlist — followed, or private — is 404 with the
	// same answer as one that does not exist: nothing leaks.
	followed := sim.Playlists[len(sim.Playlists)-1]
	if followed.Owner == "alice" {
		t.Fatal("expected the last playlist to be a followed one")
	}
	bob := newLogin(t, e, "bob")
	var private struct {
		ID     string `json:"id"`
		Public bool   `json:"public"`
	}
	bob.want(201, "POST", "/api/spotify/playlists", map[string]any{"name": "bob's secret"}, &private)
	if private.Public {
		t.Fatal("a playlist created without public should be private")
	}
	var answers []string
	for _, id := range []string{followed.ID, private.ID, "0000000000000000000000"} {
		status, raw := e.call("GET", "/api/spotify/playlists/"+id+"/tracks", nil)
		p := problem(t, raw)
		if status != 404 {
			t.Fatalf("playlist %s: %d %s", id, status, raw)
		}
		answers = append(answers, p["detail"].(string))
	}
	if answers[0] != answers[1] || answers[1] != answers[2] {
		t.Fatalf("404s differ: %q", answers)
	}
}

// newLogin signs another user in on the same server.
func newLogin(t *testing.T, e *musicEnv, user string) *musicEnv {
	t.Helper()
	return &musicEnv{Env: e.Env, t: t, token: e.Login(user), user: user}
}

func TestSpotifyCreateAndModifyPlaylist(t *testing.T) {
	t.Parallel()
	e := newMusicEnv(t, "carol")
	before := e.spotifyRequests()
	var created struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Public      bool   `json:"public"`
		Owner       struct {
			ID string `json:"id"`
		} `json:"owner"`
		Followers struct {
			Total int `json:"total"`
		} `json:"followers"`
		Tracks struct {
			Items []any `json:"items"`
			Total int   `json:"total"`
		} `json:"tracks"`
	}
	e.want(201, "POST", "/api/spotify/playlists",
		map[string]any{"name": "Friday", "description": "for the weekend", "public": true}, &created)
	if n := e.spotifyRequests() - before; n != 1 {
		t.Fatalf("create took %d Spotify calls, want 1 (no /me lookup)", n)
	}
	if created.Name != "Friday" || created.Description != "for the weekend" || !created.Public ||
		created.Owner.ID != "carol" || created.Tracks.Items == nil || created.Tracks.Total != 0 {
		t.Fatalf("created %+v", created)
	}

	a, b, c := e.trackURI(1), e.trackURI(2), e.trackURI(3)
	var mod struct {
		Action     string `json:"action"`
		SnapshotID string `json:"snapshot_id"`
		Success    bool   `json:"success"`
	}
	e.want(200, "POST", "/api/spotify/playlists/modify",
		map[string]any{"action": "add", "playlistId": created.ID, "trackUris": []string{a, b, c, a}}, &mod)
	if mod.Action != "added" || !mod.Success || mod.SnapshotID == "" {
		t.Fatalf("add %+v", mod)
	}
	first := mod.SnapshotID
	e.want(200, "POST", "/api/spotify/playlists/modify",
		map[string]any{"action": "remove", "playlistId": created.ID, "trackUris": []string{a}}, &mod)
	if mod.Action != "removed" || mod.SnapshotID == first {
		t.Fatalf("remove %+v", mod)
	}
	var uris []string
	for _, p := range e.simUser("carol").Playlists {
		if p.ID == created.ID {
			uris = p.URIs
		}
	}
	if strings.Join(uris, ",") != b+","+c {
		t.Fatalf("playlist on Spotify: %v, want [%s %s]", uris, b, c)
	}

	// Another user's playlist cannot be changed, and says 404.
	dave := newLogin(t, e, "dave")
	status, raw := dave.call("POST", "/api/spotify/playlists/modify",
		map[string]any{"action": "add", "playlistId": created.ID, "trackUris": []string{a}})
	if problem(t, raw); status != 404 {
		t.Fatalf("modify someone else's playlist: %d %s", status, raw)
	}
	// A well-formed URI that names no track: Spotify refuses it, 400.
	status, raw = e.call("POST", "/api/spotify/playlists/modify",
		map[string]any{"action": "add", "playlistId": created.ID, "trackUris": []string{"spotify:track:0000000000000000000000"}})
	if p := problem(t, raw); status != 400 || !contains(fieldsOf(p), "trackUris") {
		t.Fatalf("unknown track: %d %s", status, raw)
	}
}
