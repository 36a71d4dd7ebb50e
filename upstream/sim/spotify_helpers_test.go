package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// spClock is an injectable clock tests move by hand.
type spClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *spClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *spClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// spEnv is a running simulator with a fake clock.
type spEnv struct {
	t     *testing.T
	srv   *Server
	clock *spClock
	http  *http.Client
}

func newSpEnv(t *testing.T) *spEnv {
	t.Helper()
	clock := &spClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	srv, err := New(Config{Seed: 3, Catalog: CatalogConfig{Tracks: 1500, Artists: 150}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	noRedirect := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &spEnv{t: t, srv: srv, clock: clock, http: noRedirect}
}

// spResp is a response read in full.
type spResp struct {
	status int
	header http.Header
	body   []byte
}

func (r spResp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body %q is not a JSON object: %v", r.status, r.body, err)
	}
	return m
}

// call sends method path (relative to the simulator root) with an
// optional bearer token and JSON body.
func (e *spEnv) call(method, path, token string, body any) spResp {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL()+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(req)
}

func (e *spEnv) send(req *http.Request) spResp {
	e.t.Helper()
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return spResp{status: resp.StatusCode, header: resp.Header, body: b}
}

// form posts an urlencoded body to the token endpoint.
func (e *spEnv) form(v url.Values) spResp {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL()+"/accounts/api/token", strings.NewReader(v.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.send(req)
}

// token logs user in through the control route.
func (e *spEnv) token(user string) string {
	e.t.Helper()
	r := e.call("POST", "/_sim/spotify/token?user="+user, "", nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("control token: %d %s", r.status, r.body)
	}
	return r.json(e.t)["access_token"].(string)
}

// api calls the Web API at /spotify/v1 + path.
func (e *spEnv) api(method, path, token string, body any) spResp {
	e.t.Helper()
	return e.call(method, "/spotify/v1"+path, token, body)
}

// wantStatus fails unless r has status want.
func (r spResp) wantStatus(t *testing.T, want int) spResp {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	return r
}

// wantSpError checks Spotify's {"error":{"status","message"}} shape.
func (r spResp) wantSpError(t *testing.T, status int, message string) {
	t.Helper()
	r.wantStatus(t, status)
	obj, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.body)
	}
	if int(obj["status"].(float64)) != status || message != "" && obj["message"] != message {
		t.Fatalf("error %v, want status %d message %q", obj, status, message)
	}
}

// spDig walks a decoded JSON value by keys and list indices.
func spDig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: not an object: %v", k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at [%d]: not a long enough list: %v", k, v)
			}
			v = l[k]
		}
	}
	return v
}

// dump reads GET /_sim/spotify/users/{id}.
func (e *spEnv) dump(user string) spUserDump {
	e.t.Helper()
	r := e.call("GET", "/_sim/spotify/users/"+user, "", nil).wantStatus(e.t, http.StatusOK)
	var d spUserDump
	if err := json.Unmarshal(r.body, &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}
