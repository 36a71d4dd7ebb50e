package gateway_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/internal/djtest"
	"dj/internal/server"
	"dj/store"
)

// R4 (docs/reliability.md): every documented route × {no token,
// malformed, expired, revoked, another user's}. Anonymous, malformed,
// expired and revoked callers get the same 401 problem (so the answer
// does not tell which it was); another user's resources are 404 (or the
// 400 a missing one gets); and no session token, admin token or Spotify
// token ever appears in a response body (but the exchange's own) or a
// log line.

// sessionRecord mirrors the session djd stores per token (only the
// token's SHA-256 is the key), so the test can plant an expired one.
type sessionRecord struct {
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *sessionRecord) Validate() error {
	if s.UserID == "" || !s.ExpiresAt.After(s.CreatedAt) {
		return errors.New("invalid session")
	}
	return nil
}

// grantRecord mirrors the user's Spotify tokens djd stores.
type grantRecord struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func (g *grantRecord) Validate() error { return nil }

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "session:" + hex.EncodeToString(sum[:])
}

// plantSessions writes sessions for alice into the store in dir before
// the server opens it: one that expired an hour ago, one valid for an
// hour (the control: planting works, so the first fails by expiry).
func plantSessions(t *testing.T, dir string) (expired, valid string) {
	t.Helper()
	st, err := store.Open(store.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sessions := store.Sessions[*sessionRecord](st)
	now := time.Now()
	expired, valid = randomToken(), randomToken()
	ctx := context.Background()
	if err := sessions.Put(ctx, sessionKey(expired), &sessionRecord{UserID: "alice", CreatedAt: now.Add(-5 * time.Hour), ExpiresAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := sessions.Put(ctx, sessionKey(valid), &sessionRecord{UserID: "alice", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return expired, valid
}

// spotifyTokensIn reads the Spotify tokens the stopped server in dir
// held for users.
func spotifyTokensIn(t *testing.T, dir string, users ...string) []string {
	t.Helper()
	st, err := store.Open(store.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)}, nil)
	if err != nil {
		t.Fatalf("open the stopped server's store: %v", err)
	}
	defer st.Close()
	grants := store.Sessions[*grantRecord](st)
	var out []string
	for _, u := range users {
		g, ok, err := grants.Get(context.Background(), "spotify:"+u)
		if err != nil || !ok || g.AccessToken == "" || g.RefreshToken == "" {
			t.Fatalf("no Spotify tokens stored for %s (%v)", u, err)
		}
		out = append(out, g.AccessToken, g.RefreshToken)
	}
	return out
}

// bodies keeps every response body the matrix saw, for the secret grep.
type bodies struct {
	mu   sync.Mutex
	seen []string
}

func (b *bodies) add(what string, body []byte) {
	b.mu.Lock()
	b.seen = append(b.seen, what+": "+string(body))
	b.mu.Unlock()
}

// answer is one response, read in full (a stream: its first frames).
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request; SSE answers are read for at most a second.
func (b *bodies) call(t *testing.T, env *djtest.Env, method, path, auth string, body any) answer {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	resp := send(t, env, method, path, auth, ct, raw)
	defer resp.Body.Close()
	var got []byte
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		got = readFor(resp.Body, time.Second)
	} else {
		got, _ = io.ReadAll(resp.Body)
	}
	b.add(method+" "+path, got)
	return answer{status: resp.StatusCode, header: resp.Header, body: got}
}

// readFor reads a stream until it ends or d passes.
func readFor(r io.Reader, d time.Duration) []byte {
	var mu sync.Mutex
	var out []byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		br := bufio.NewReader(r)
		buf := make([]byte, 4096)
		for {
			n, err := br.Read(buf)
			mu.Lock()
			out = append(out, buf[:n]...)
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]byte(nil), out...)
}

// exampleBodies are valid bodies for every route that takes one, so a
// request passes validation and reaches the question of whose data it
// is. A route missing here fails the test: add it.
func exampleBodies(track, playlist, device string) map[string]any {
	trackID := strings.TrimPrefix(track, "spotify:track:")
	return map[string]any{
		"POST /api/auth/exchange":             map[string]string{"code": "not-a-code"},
		"POST /api/chat-stream/message":       map[string]string{"message": "What is in my queue?"},
		"POST /api/mix/playback/track-played": map[string]string{"trackId": trackID, "trackUri": track},
		"PATCH /api/mix/preferences":          map[string]any{"avoidGenres": []string{"polka"}},
		"POST /api/mix/queue/add":             map[string]any{"trackUri": track},
		"PUT /api/mix/queue/reorder":          map[string]int{"from": 0, "to": 1},
		"POST /api/mix/queue/spotify":         map[string]string{"trackUri": track},
		"POST /api/mix/save":                  map[string]string{"name": "saved by someone"},
		"POST /api/mix/start":                 map[string]string{"seedPlaylistId": playlist},
		"PUT /api/mix/vibe":                   map[string]any{"energyLevel": 5},
		"POST /api/mix/vibe/steer":            map[string]string{"direction": "more energy"},
		"POST /api/mix/vibe/steer-stream":     map[string]string{"direction": "more energy"},
		"PUT /api/player/device":              map[string]string{"device_id": device},
		"POST /api/player/play":               map[string]any{},
		"POST /api/player/queue/add":          map[string]string{"uri": track},
		"POST /api/player/seek":               map[string]int{"position_ms": 1000},
		"PUT /api/player/volume":              map[string]int{"volume_percent": 40},
		"POST /api/spotify/playlists":         map[string]any{"name": "another user's"},
		"POST /api/spotify/playlists/modify":  map[string]any{"action": "add", "playlistId": playlist, "trackUris": []string{track}},
		"POST /api/spotify/search":            map[string]string{"query": "love"},
		"POST /api/spotify/token":             map[string]string{"code": "x"},
		"POST /api/spotify/refresh":           map[string]string{"code": "x"},
		"POST /api/auth/logout":               nil,
		"GET /api/admin/metrics/stream":       nil,
	}
}

// another is what a route answers another user who names alice's
// resources (or, for routes that only ever act on the caller, bob's own
// mix, which does not exist).
var another = map[string]int{
	"GET /api/spotify/playlists/{id}/tracks": http.StatusNotFound,   // alice's private playlist
	"POST /api/spotify/playlists/modify":     http.StatusNotFound,   // alice's private playlist
	"POST /api/mix/start":                    http.StatusBadRequest, // seedPlaylistId: as for a missing one
	"PUT /api/player/device":                 http.StatusNotFound,   // alice's device
	"GET /api/mix/current":                   http.StatusOK,         // bob's: none
}

func TestAuthMatrixEveryRoute(t *testing.T) {
	dir := t.TempDir()
	expired, planted := plantSessions(t, dir)
	adminToken := randomToken()
	var secrets []string
	var logs *djtest.Logs
	seen := &bodies{}
	// Registered before the server starts, so it runs after it stopped
	// (cleanups run last first) and the store is free to read.
	t.Cleanup(func() {
		all := append(secrets, spotifyTokensIn(t, dir, "alice", "bob")...)
		texts := map[string]string{"the logs": logs.String()}
		for i, b := range seen.seen {
			texts[fmt.Sprintf("response %d (%.60s)", i, b)] = b
		}
		for _, s := range all {
			for name, text := range texts {
				if strings.Contains(text, s) {
					t.Errorf("a secret appears in %s", name)
				}
			}
		}
		t.Logf("R4: %d secrets (session, admin and Spotify tokens) in none of %d response bodies and %d log lines",
			len(all), len(seen.seen), len(logs.Lines("")))
	})
	var env *djtest.Env
	env, logs = djtest.StartLogged(t, func(c *server.Config) {
		c.DataDir = dir
		c.AdminToken = adminToken
	})
	alice, bob := env.Login("alice"), env.Login("bob")
	revoked := env.Login("alice")
	if status := env.JSON("POST", "/api/auth/logout", revoked, nil, nil); status != 200 {
		t.Fatalf("logout: %d", status)
	}
	secrets = []string{alice, bob, revoked, expired, planted, adminToken}
	if status := env.JSON("GET", "/api/mix/current", planted, nil, nil); status != 200 {
		t.Fatalf("a planted valid session is refused (%d): the expired one would prove nothing", status)
	}

	// alice's things: a mix with a queue, a private playlist, a device.
	fx := aliceFixture(t, env, alice)
	env.JSON("DELETE", "/api/mix/end", bob, nil, nil)
	examples := exampleBodies(fx.track, fx.playlist, fx.device)

	var unauthorized []string
	kinds := 0
	for _, rc := range documentedRoutes(t, env) {
		key := rc.method + " " + docPath(rc.path)
		body, ok := examples[key]
		if rc.op.RequestBody != nil && !ok {
			t.Errorf("%s: no example body in exampleBodies", key)
			continue
		}
		if rc.op.Security == nil && !strings.HasPrefix(key, "GET /api/admin/") {
			// Public: a bad or revoked token changes nothing.
			plain := seen.call(t, env, rc.method, rc.path, "", body)
			with := seen.call(t, env, rc.method, rc.path, "Bearer "+revoked, body)
			if plain.status != with.status {
				t.Errorf("%s: public, but %d without a token and %d with a revoked one", key, plain.status, with.status)
			}
			continue
		}
		callers := map[string]string{
			"no token": "", "malformed": "Bearer", "not bearer": "Basic " + alice, "too long": "Bearer " + strings.Repeat("a", 300),
			"unknown": "Bearer " + randomToken(), "expired": "Bearer " + expired, "revoked": "Bearer " + revoked,
			"a Spotify token": "Bearer " + fx.spotifyToken,
		}
		if strings.HasPrefix(key, "GET /api/admin/") {
			callers["a user's session"] = "Bearer " + alice
		} else {
			callers["the admin token"] = "Bearer " + adminToken
		}
		kinds = len(callers)
		details := map[string]bool{}
		for who, auth := range callers {
			a := seen.call(t, env, rc.method, rc.path, auth, body)
			p := problemBody(t, a, http.StatusUnauthorized, fmt.Sprintf("%s with %s", key, who))
			if a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s with %s: 401 without WWW-Authenticate", key, who)
			}
			if who != "no token" && who != "malformed" && who != "not bearer" && who != "too long" {
				details[fmt.Sprint(p["detail"])] = true
			}
		}
		if len(details) > 1 {
			t.Errorf("%s: unknown, expired, revoked and foreign tokens are told apart: %v", key, details)
		}
		unauthorized = append(unauthorized, key)
		if strings.HasPrefix(key, "GET /api/admin/") || key == "POST /api/auth/logout" {
			continue
		}
		checkAnotherUser(t, env, seen, rc.method, rc.path, key, "Bearer "+bob, body, fx)
	}
	t.Logf("R4: %d routes need a session or the admin token; each refused %d kinds of bad caller alike, and answered another user as specified",
		len(unauthorized), kinds)
	if len(unauthorized) < 35 {
		t.Fatalf("only %d routes need a session; the API has more", len(unauthorized))
	}
	if got := fx.state(t, env, alice); got != fx.before {
		t.Errorf("alice's mix changed while bob called every route:\nbefore %s\nafter  %s", fx.before, got)
	}
}

// docPath turns documentedRoutes' concrete path back into its OpenAPI form.
func docPath(p string) string {
	p = strings.Replace(p, "/37i9dQZF1DXcBWIGoYBM5M/", "/{id}/", 1)
	if strings.HasPrefix(p, "/api/mix/queue/") && strings.TrimPrefix(p, "/api/mix/queue/") == "0" {
		return "/api/mix/queue/{position}"
	}
	return p
}

// problemBody checks an answer is a problem document with status and
// nothing internal, and returns it.
func problemBody(t *testing.T, a answer, status int, what string) map[string]any {
	t.Helper()
	if a.status != status || !strings.HasPrefix(a.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("%s: %d %q, want a %d problem: %.300s", what, a.status, a.header.Get("Content-Type"), status, a.body)
		return nil
	}
	var p map[string]any
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Errorf("%s: %v", what, err)
	}
	for _, leak := range []string{"goroutine", ".go:", "panic", "runtime."} {
		if strings.Contains(string(a.body), leak) {
			t.Errorf("%s: problem leaks internals: %s", what, a.body)
		}
	}
	return p
}

// fixture is alice's side of the "another user's" column.
type fixture struct {
	track, playlist, playlistName, device, mixID, spotifyToken string
	before                                                     string
}

func aliceFixture(t *testing.T, env *djtest.Env, alice string) *fixture {
	t.Helper()
	fx := &fixture{playlistName: "alice secret " + randomToken()[:8]}
	var created struct{ ID string }
	if status := env.JSON("POST", "/api/spotify/playlists", alice, map[string]any{"name": fx.playlistName, "public": false}, &created); status != 201 {
		t.Fatalf("alice creates a private playlist: %d", status)
	}
	fx.playlist = created.ID
	var started struct {
		Session struct {
			ID    string `json:"id"`
			Queue []struct {
				TrackURI string `json:"trackUri"`
			} `json:"queue"`
		}
	}
	if status := env.JSON("POST", "/api/mix/start", alice, map[string]any{"restart": true}, &started); status != 200 || len(started.Session.Queue) < 2 {
		t.Fatalf("alice starts a mix: %d, %d queued", status, len(started.Session.Queue))
	}
	fx.mixID, fx.track = started.Session.ID, started.Session.Queue[0].TrackURI
	var devs struct {
		Devices []struct{ ID string }
	}
	if status := env.JSON("GET", "/api/player/devices", alice, nil, &devs); status != 200 || len(devs.Devices) == 0 {
		t.Fatalf("alice's devices: %d", status)
	}
	fx.device = devs.Devices[0].ID
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	resp, err := env.HTTP.Post(env.Sim.URL()+"/_sim/spotify/token?user=alice", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	fx.spotifyToken = tok.AccessToken
	fx.before = fx.state(t, env, alice)
	return fx
}

// state is alice's mix as a comparable string.
func (fx *fixture) state(t *testing.T, env *djtest.Env, alice string) string {
	t.Helper()
	var cur struct{ Session json.RawMessage }
	env.JSON("GET", "/api/mix/current", alice, nil, &cur)
	var s struct {
		ID    string          `json:"id"`
		Queue json.RawMessage `json:"queue"`
		Vibe  json.RawMessage `json:"vibe"`
		Prefs json.RawMessage `json:"preferences"`
	}
	_ = json.Unmarshal(cur.Session, &s)
	return fmt.Sprintf("%s %s %s %s", s.ID, s.Queue, s.Vibe, s.Prefs)
}

// checkAnotherUser calls a route as bob, naming alice's resources where
// the route takes one: the answer is what another's resource gets, and
// nothing of alice's is in it.
func checkAnotherUser(t *testing.T, env *djtest.Env, seen *bodies, method, path, key, bob string, body any, fx *fixture) {
	t.Helper()
	if key == "GET /api/spotify/playlists/{id}/tracks" {
		path = "/api/spotify/playlists/" + fx.playlist + "/tracks"
	}
	a := seen.call(t, env, method, path, bob, body)
	what := key + " as another user"
	want, named := another[key]
	switch {
	case named && want != http.StatusOK:
		p := problemBody(t, a, want, what)
		if key == "POST /api/mix/start" && !strings.Contains(fmt.Sprint(p["errors"]), "seedPlaylistId") {
			t.Errorf("%s: the 400 does not name seedPlaylistId: %v", what, p)
		}
	case named:
		if a.status != want {
			t.Errorf("%s: %d, want %d: %.200s", what, a.status, want, a.body)
		}
	case strings.HasPrefix(key, "GET /api/mix/") || strings.HasPrefix(key, "POST /api/mix/") ||
		strings.HasPrefix(key, "PUT /api/mix/") || strings.HasPrefix(key, "PATCH /api/mix/") || strings.HasPrefix(key, "DELETE /api/mix/"):
		if key != "POST /api/mix/queue/spotify" { // Spotify's queue, not the mix
			problemBody(t, a, http.StatusNotFound, what+" (bob has no mix; alice has)")
		}
	}
	sent, _ := json.Marshal(body)
	for _, marker := range []string{fx.mixID, fx.playlist, fx.playlistName, fx.device} {
		if strings.Contains(path, marker) || strings.Contains(string(sent), marker) {
			continue // bob named it himself
		}
		if strings.Contains(string(a.body), marker) {
			t.Errorf("%s: the answer shows alice's %q: %.300s", what, marker, a.body)
		}
	}
}
