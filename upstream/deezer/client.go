// Package deezer is a small client for the parts of Deezer's public API
// dj's enrichment uses: a track by ISRC or id (for bpm, gain, rank and
// release date) and track search. There is no Go SDK worth depending on,
// and Deezer's habit of reporting every error inside HTTP 200 needs
// handling of its own.
//
// The client does no retries and no rate limiting: the actors layer owns
// both, so it needs every failure reported once, as an *upstream.Error.
package deezer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"dj/upstream"
)

// DefaultBaseURL is the real Deezer API root.
const DefaultBaseURL = "https://api.deezer.com/"

// DefaultTimeout bounds a call when Config.Timeout is zero, so a hung
// upstream can never hold a lane slot forever.
const DefaultTimeout = 10 * time.Second

// maxBody caps how much of a response is read; a full page of 100 search
// results is well under this.
const maxBody = 4 << 20

const apiName = "deezer"

// Config sets up a Client. Deezer's public catalog needs no key.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL. Tests and
	// offline runs point it at the simulator.
	BaseURL string
	// HTTPClient makes the calls; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds each call on top of the caller's context; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// UserAgent identifies dj in Deezer's logs.
	UserAgent string
}

// Client calls Deezer. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	getter *upstream.Getter
	now    func() time.Time
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	base, err := upstream.ParseBase(apiName, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	g := upstream.NewGetter(apiName, cfg.HTTPClient, cfg.Timeout, DefaultTimeout, cfg.UserAgent, maxBody)
	return &Client{base: base, getter: g, now: time.Now}, nil
}

// get fetches path (relative to the base, already escaped) with query and
// decodes a successful body into out. Every failure, including error
// objects in HTTP 200, comes back as an *upstream.Error.
func (c *Client) get(ctx context.Context, op, path string, query url.Values, out any) error {
	ref, err := url.Parse(path)
	if err != nil {
		return &upstream.Error{API: apiName, Op: op, Kind: upstream.ErrBadRequest, Err: err}
	}
	u := c.base.ResolveReference(ref)
	u.RawQuery = query.Encode()
	resp, body, err := c.getter.Get(ctx, op, u)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(op, resp, body)
	}
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return upstream.DecodeError(apiName, op, resp.StatusCode, fmt.Errorf("decode %s: %w", op, err))
	}
	if env.present() {
		return env.toError(op, resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return upstream.DecodeError(apiName, op, resp.StatusCode, fmt.Errorf("decode %s: %w", op, err))
	}
	return nil
}

// statusError maps a non-2xx answer (Deezer itself never sends one, but
// proxies and outages do). The status decides; a Deezer code in the body
// is kept for the logs.
func (c *Client) statusError(op string, resp *http.Response, body []byte) error {
	e := upstream.StatusError(apiName, op, resp, c.now())
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && env.present() {
		e.Code = env.Error.Code
		e.Err = errors.New(env.Error.Message)
	}
	return e
}

// errorEnvelope is Deezer's {"error":{"type","message","code"}}. The
// presence of the key is the failure signal; code is sometimes missing.
type errorEnvelope struct {
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
		Code    int    `json:"code"`
	} `json:"error"`
}

func (e errorEnvelope) present() bool { return e.Error != nil }

func (e errorEnvelope) toError(op string, status int) error {
	return &upstream.Error{
		API:    apiName,
		Op:     op,
		Kind:   kindForCode(e.Error.Code),
		Status: status,
		Code:   e.Error.Code,
		Err:    fmt.Errorf("%s: %s", e.Error.Type, e.Error.Message),
	}
}

// kindForCode maps Deezer error codes to the kinds callers branch on. An
// error without a code ("An error has occured") is treated as a passing
// outage.
func kindForCode(code int) error {
	switch code {
	case 800:
		return upstream.ErrNotFound
	case 4:
		return upstream.ErrRateLimited
	case 0, 700:
		return upstream.ErrUnavailable
	case 300:
		return upstream.ErrUnauthorized
	case 200, 901:
		return upstream.ErrForbidden
	default: // 100, 500, 501, 600 and codes we do not know
		return upstream.ErrBadRequest
	}
}

// upstreamDecode reports a 200 body that parsed but lacks what the call
// promises, which is as unusable as one that does not parse.
func upstreamDecode(op string, err error) error {
	return upstream.DecodeError(apiName, op, http.StatusOK, err)
}
