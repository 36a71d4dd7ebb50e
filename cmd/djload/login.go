package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// login signs a demo user in the way a browser does in simulator mode:
// auth-url → the simulator's authorize page (302 back to djd) → djd's
// callback (302 to the app with a single-use auth_code) → exchange the
// code for a dj session token. The whole flow is one "login" outcome;
// a failure names the step.
func (c *client) login(ctx context.Context, demoUser string) (string, outcome) {
	start := time.Now()
	fail := func(step string, o outcome) (string, outcome) {
		o.op, o.latency = "login", time.Since(start)
		if o.kind == "" {
			o.kind = kindBadBody
		}
		if o.err != nil {
			o.err = fmt.Errorf("login %s: %s: %w", demoUser, step, o.err)
		} else {
			o.err = fmt.Errorf("login %s: %s failed", demoUser, step)
		}
		return "", o
	}
	var au struct {
		URL string `json:"url"`
	}
	if o := c.call(ctx, "login", http.MethodGet, "/api/spotify/auth-url?demo_user="+url.QueryEscape(demoUser), "", nil, &au, nil); o.kind != "" {
		return fail("auth-url", o)
	}
	callback, o := c.redirect(ctx, au.URL)
	if o.kind != "" {
		return fail("simulator authorize", o)
	}
	app, o := c.redirect(ctx, callback)
	if o.kind != "" {
		return fail("callback", o)
	}
	u, err := url.Parse(app)
	if err != nil {
		return fail("callback", outcome{err: fmt.Errorf("bad redirect %q: %w", app, err)})
	}
	code := u.Query().Get("auth_code")
	if code == "" {
		return fail("callback", outcome{err: fmt.Errorf("redirected to %q without auth_code (error=%q)", app, u.Query().Get("error"))})
	}
	var tok struct {
		Token     string `json:"token"`
		ExpiresIn int    `json:"expires_in"`
	}
	if o := c.call(ctx, "login", http.MethodPost, "/api/auth/exchange", "", map[string]string{"code": code}, &tok, nil); o.kind != "" {
		return fail("exchange", o)
	}
	if tok.Token == "" {
		return fail("exchange", outcome{err: fmt.Errorf("no token in the exchange response")})
	}
	return tok.Token, outcome{op: "login", latency: time.Since(start), status: http.StatusOK}
}

// redirect GETs an absolute loopback URL that must answer with a redirect
// and returns where it points.
func (c *client) redirect(ctx context.Context, target string) (string, outcome) {
	u, err := url.Parse(target)
	if err != nil || !u.IsAbs() {
		return "", outcome{kind: kindBadBody, err: fmt.Errorf("not an absolute URL: %q", target)}
	}
	if err := requireLoopback(u); err != nil {
		return "", outcome{kind: kindBadBody, err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", outcome{kind: kindTransport, err: err}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", outcome{kind: errKind(ctx, err), err: err}
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return "", outcome{kind: kindStatus, status: resp.StatusCode, problem: decodeProblem(data)}
	}
	loc, err := resp.Location()
	if err != nil {
		return "", outcome{kind: kindBadBody, status: resp.StatusCode, err: fmt.Errorf("redirect without Location: %w", err)}
	}
	return loc.String(), outcome{status: resp.StatusCode}
}

// requireLoopback refuses any address that is not this machine: djload
// must never send load anywhere else.
func requireLoopback(u *url.URL) error {
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address; djload only talks to this machine", u.Redacted())
}
