package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// client talks to dj servers over HTTP, returning errors instead of
// failing the test, so storm goroutines can use it. With several servers
// (the nodes of a cluster) each request goes to the next one in turn.
type client struct {
	base  string   // the first server
	bases []string // every server
	next  atomic.Uint64
	hc    *http.Client
}

func newClient(bases ...string) *client {
	return &client{base: bases[0], bases: bases, hc: &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// server is where the next request goes: the servers in turn.
func (c *client) server() string {
	if len(c.bases) == 1 {
		return c.base
	}
	return c.bases[c.next.Add(1)%uint64(len(c.bases))]
}

// close drops the client's idle connections.
func (c *client) close() { c.hc.CloseIdleConnections() }

// reply is one answer: status, body and headers.
type reply struct {
	status int
	body   []byte
	header http.Header
}

// do sends method path with token (when set) and body as JSON (when not
// nil). An error means no answer arrived (the server is gone, the
// connection broke or ctx ended).
func (c *client) do(ctx context.Context, method, path, token string, body any) (reply, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server()+path, r)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, body: b, header: resp.Header}, nil
}

// json sends a request and decodes a 2xx answer into out. A non-2xx
// answer is an error carrying the status and body.
func (c *client) json(ctx context.Context, method, path, token string, body, out any) error {
	r, err := c.do(ctx, method, path, token, body)
	if err != nil {
		return err
	}
	if r.status < 200 || r.status > 299 {
		return &statusError{method: method, path: path, reply: r}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}

// statusError is a non-2xx answer.
type statusError struct {
	method, path string
	reply
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %.300s", e.method, e.path, e.status, e.body)
}

// login signs demoUser in the way a browser does: the auth URL, the
// simulator's authorize redirect, our callback's redirect with a
// one-time code, and the exchange for a session token.
func (c *client) login(ctx context.Context, demoUser string) (string, error) {
	var auth struct{ URL string }
	if err := c.json(ctx, "GET", "/api/spotify/auth-url?demo_user="+url.QueryEscape(demoUser), "", nil, &auth); err != nil {
		return "", err
	}
	callback, err := c.redirect(ctx, auth.URL)
	if err != nil {
		return "", err
	}
	app, err := c.redirect(ctx, callback)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(app)
	if err != nil {
		return "", err
	}
	code := u.Query().Get("auth_code")
	if code == "" {
		return "", fmt.Errorf("login %s: no auth_code in %q", demoUser, app)
	}
	var session struct {
		Token string `json:"token"`
	}
	if err := c.json(ctx, "POST", "/api/auth/exchange", "", map[string]string{"code": code}, &session); err != nil {
		return "", err
	}
	if session.Token == "" {
		return "", fmt.Errorf("login %s: empty token", demoUser)
	}
	return session.Token, nil
}

// redirect GETs target (absolute) and returns its Location.
func (c *client) redirect(ctx context.Context, target string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", target, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		return "", fmt.Errorf("GET %s: status %d, location %q", target, resp.StatusCode, loc)
	}
	return loc, nil
}
