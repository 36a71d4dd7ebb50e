// Package djtest starts a whole dj server for tests — simulator, Badger
// store in a temp dir, actors, gateway on a loopback port, response
// validation on — and logs users in the way a browser does. Every test
// that needs the real thing uses it, so they all build it one way.
package djtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"dj/internal/server"
	"dj/upstream/sim"
)

// Env is one running server and a client for it.
type Env struct {
	t      testing.TB
	Server *server.Server
	// URL is the server's base address, e.g. http://127.0.0.1:41234.
	URL string
	// Sim is the in-process simulator behind every upstream client.
	Sim *sim.Server
	// HTTP does not follow redirects, so tests see them.
	HTTP *http.Client
}

// Option adjusts the server's configuration before it starts.
type Option func(*server.Config)

// AdminToken turns on the admin dashboard's metrics stream with token,
// as DJ_ADMIN_TOKEN does for djd.
func AdminToken(token string) Option {
	return func(c *server.Config) { c.AdminToken = token }
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	return start(t, slog.New(slog.DiscardHandler), opts...)
}

// start runs a server with log as its logger until the test ends.
func start(t testing.TB, log *slog.Logger, opts ...Option) *Env {
	t.Helper()
	cfg := server.Config{
		Version:           "test",
		Addr:              "127.0.0.1:0",
		DataDir:           t.TempDir(),
		Upstream:          "sim",
		SimLatency:        "none",
		SimSeed:           1,
		ValidateResponses: true,
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("server shutdown: %v", err)
		}
	})
	return &Env{
		t: t, Server: srv, URL: srv.URL(), Sim: srv.Simulator(),
		HTTP: &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Login signs demoUser in through the simulator's OAuth flow, following
// each redirect by hand as a browser would, and returns the dj session
// token.
func (e *Env) Login(demoUser string) string {
	e.t.Helper()
	var auth struct{ URL string }
	if status := e.JSON("GET", "/api/spotify/auth-url?demo_user="+url.QueryEscape(demoUser), "", nil, &auth); status != 200 {
		e.t.Fatalf("auth-url: status %d", status)
	}
	callback := e.redirect(auth.URL)
	app := e.redirect(callback)
	u, err := url.Parse(app)
	if err != nil {
		e.t.Fatalf("app redirect %q: %v", app, err)
	}
	code := u.Query().Get("auth_code")
	if code == "" {
		e.t.Fatalf("no auth_code in %q", app)
	}
	var session struct {
		Token     string `json:"token"`
		ExpiresIn int    `json:"expires_in"`
	}
	if status := e.JSON("POST", "/api/auth/exchange", "", map[string]string{"code": code}, &session); status != 200 || session.Token == "" {
		e.t.Fatalf("exchange: status %d", status)
	}
	return session.Token
}

// redirect GETs target and returns its Location.
func (e *Env) redirect(target string) string {
	e.t.Helper()
	resp, err := e.HTTP.Get(target)
	if err != nil {
		e.t.Fatalf("GET %s: %v", target, err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		e.t.Fatalf("GET %s: status %d, location %q", target, resp.StatusCode, loc)
	}
	return loc
}

// Do sends a request to the server (path starting with /), with the
// bearer token when given and body as JSON when not nil.
func (e *Env) Do(method, path, token string, body any) *http.Response {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// JSON sends a request and decodes a JSON answer into out (when not nil).
// It returns the status.
func (e *Env) JSON(method, path, token string, body, out any) int {
	e.t.Helper()
	resp := e.Do(method, path, token, body)
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil && err != io.EOF {
			e.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}
