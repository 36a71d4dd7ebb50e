package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// maxBody bounds how much of one response djload reads.
const maxBody = 8 << 20

// problem is an RFC 9457 problem document as djd sends it.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	RequestID string `json:"request_id"`
}

// client talks to one djd. It never follows redirects (the login flow
// reads them) and never uses a proxy: djload's traffic stays on loopback.
type client struct {
	base    string
	hc      *http.Client
	timeout time.Duration
}

func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ResponseHeaderTimeout: 0,
	}
}

func newClient(base string, conns int, timeout time.Duration) *client {
	return &client{
		base: strings.TrimRight(base, "/"),
		hc: &http.Client{
			Transport:     newTransport(conns),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		timeout: timeout,
	}
}

// close drops idle connections.
func (c *client) close() { c.hc.CloseIdleConnections() }

// call makes one JSON request for op and classifies the result. A 2xx
// (or a status listed in expect) is success; a 2xx body is decoded into
// out when out is not nil. Any other status is an error whose problem
// document, when there is one, is kept for the report.
func (c *client) call(ctx context.Context, op, method, path, token string, body, out any, expect []int) outcome {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return outcome{op: op, kind: kindTransport, err: fmt.Errorf("encode body: %w", err)}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return outcome{op: op, kind: kindTransport, err: fmt.Errorf("build request: %w", err)}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return outcome{op: op, latency: time.Since(start), kind: errKind(ctx, err), err: err}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	o := outcome{op: op, latency: time.Since(start), status: resp.StatusCode}
	if err != nil {
		o.kind, o.err = errKind(ctx, err), fmt.Errorf("read body: %w", err)
		return o
	}
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300
	if !ok2xx {
		o.problem = decodeProblem(data)
		if !slices.Contains(expect, resp.StatusCode) {
			o.kind = kindStatus
		}
		return o
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			o.kind, o.err = kindBadBody, fmt.Errorf("decode %s %s response: %w", method, path, err)
		}
	}
	return o
}

// decodeProblem reads a problem document, or keeps the start of a body
// that is not one (so a plain-text error is still visible).
func decodeProblem(data []byte) *problem {
	var p problem
	if err := json.Unmarshal(data, &p); err == nil && (p.Title != "" || p.Detail != "") {
		return &p
	}
	if len(data) == 0 {
		return nil
	}
	s := string(data)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return &problem{Detail: s}
}

// errKind tells a timeout from other transport failures.
func errKind(ctx context.Context, err error) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return kindTimeout
	}
	return kindTransport
}

// getJSON fetches a control or health document (not a user operation).
func getJSON(ctx context.Context, hc *http.Client, url string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("GET %s: read: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %.200s", url, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("GET %s: decode: %w", url, err)
	}
	return nil
}
