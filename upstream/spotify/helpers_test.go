package spotify_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/upstream/sim"
	"dj/upstream/spotify"
)

// clock is the simulator's injected clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a simulator on loopback plus a client pointed at it.
type env struct {
	t      *testing.T
	srv    *sim.Server
	clock  *clock
	client *spotify.Client
}

const testRedirect = "http://127.0.0.1:8765/api/spotify/callback"

func newEnv(t *testing.T) *env {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	srv, err := sim.New(sim.Config{Seed: 5, Catalog: sim.CatalogConfig{Tracks: 1500, Artists: 150}, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e := &env{t: t, srv: srv, clock: c}
	e.client = e.newClient(2 * time.Second)
	return e
}

// newClient makes another client on the same simulator, e.g. with a
// short timeout for hang faults.
func (e *env) newClient(timeout time.Duration) *spotify.Client {
	e.t.Helper()
	cl, err := spotify.New(spotify.Config{
		AccountsURL: e.srv.BaseURL("accounts"),
		APIURL:      strings.TrimSuffix(e.srv.BaseURL("spotify"), "/"), // the client adds the slash
		ClientID:    "djtestclient",
		RedirectURL: testRedirect,
		HTTPClient:  &http.Client{Transport: &http.Transport{}},
		Timeout:     timeout,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return cl
}

// control calls a /_sim route and decodes its JSON answer into out.
func (e *env) control(method, path string, body string, out any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			e.t.Fatal(err)
		}
	}
}

// tokens logs user in through the control route.
func (e *env) tokens(user string) (access, refresh string) {
	e.t.Helper()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	e.control("POST", "/_sim/spotify/token?user="+user+"&client_id=djtestclient", "", &tok)
	return tok.AccessToken, tok.RefreshToken
}

func (e *env) user(name string) *spotify.UserClient {
	e.t.Helper()
	access, _ := e.tokens(name)
	return e.client.ForUser(access)
}

// dump is the part of GET /_sim/spotify/users/{id} the tests read.
type dump struct {
	Queue     []string `json:"queue"`
	Playlists []struct {
		ID    string   `json:"id"`
		Owner string   `json:"owner"`
		Name  string   `json:"name"`
		URIs  []string `json:"uris"`
	} `json:"playlists"`
	Playback *struct {
		Item struct {
			ID string `json:"id"`
		} `json:"item"`
	} `json:"playback"`
}

func (e *env) dump(user string) dump {
	e.t.Helper()
	var d dump
	e.control("GET", "/_sim/spotify/users/"+user, "", &d)
	return d
}
