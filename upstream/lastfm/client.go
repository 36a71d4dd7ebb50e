// Package lastfm is a small client for the read methods of the Last.fm
// 2.0 API that dj's enrichment uses (track info, tags, similar tracks,
// name correction, artist info). No maintained Go SDK covers them, and
// the wire has quirks (numbers as strings, single-element lists as bare
// objects, errors inside HTTP 200) that are easier to own than to wrap.
//
// The client does no retries and no rate limiting: the actors layer owns
// both, so it needs every failure reported once, as an *upstream.Error.
package lastfm

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

// DefaultBaseURL is the real Last.fm API root.
const DefaultBaseURL = "https://ws.audioscrobbler.com/2.0/"

// DefaultTimeout bounds a call when Config.Timeout is zero, so a hung
// upstream can never hold a lane slot forever.
const DefaultTimeout = 10 * time.Second

// maxBody caps how much of a response is read; Last.fm answers are a few
// kilobytes, so anything near this is a broken upstream.
const maxBody = 4 << 20

const apiName = "lastfm"

// Config sets up a Client.
type Config struct {
	// BaseURL is the API root ending in /2.0/; empty means DefaultBaseURL.
	// Tests and offline runs point it at the simulator.
	BaseURL string
	// APIKey is sent as api_key on every call; Last.fm refuses calls
	// without one.
	APIKey string
	// HTTPClient makes the calls; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds each call on top of the caller's context; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// UserAgent identifies dj to Last.fm, which asks callers to send one.
	UserAgent string
}

// Client calls Last.fm. It is safe for concurrent use.
type Client struct {
	base   *url.URL
	key    string
	getter *upstream.Getter
	now    func() time.Time
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("lastfm: APIKey is required")
	}
	base, err := upstream.ParseBase(apiName, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	g := upstream.NewGetter(apiName, cfg.HTTPClient, cfg.Timeout, DefaultTimeout, cfg.UserAgent, maxBody)
	return &Client{base: base, key: cfg.APIKey, getter: g, now: time.Now}, nil
}

// call runs one method with params and decodes a successful body into
// out. Every failure, including error bodies in HTTP 200, comes back as
// an *upstream.Error.
func (c *Client) call(ctx context.Context, method string, params url.Values, out any) error {
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	q.Set("method", method)
	q.Set("api_key", c.key)
	q.Set("format", "json")
	u := *c.base
	u.RawQuery = q.Encode()
	resp, body, err := c.getter.Get(ctx, method, &u)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(method, resp, body)
	}
	if e := bodyError(method, resp.StatusCode, body); e != nil {
		return e
	}
	if err := json.Unmarshal(body, out); err != nil {
		return upstream.DecodeError(apiName, method, resp.StatusCode, fmt.Errorf("decode %s: %w", method, err))
	}
	return nil
}

// statusError maps a non-2xx answer. The status decides for 429 and 5xx
// (what retry policy needs); otherwise a Last.fm code in the body, when
// there is one, is the more precise signal.
func (c *Client) statusError(method string, resp *http.Response, body []byte) error {
	e := upstream.StatusError(apiName, method, resp, c.now())
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code = int(*env.Error)
		e.Err = errors.New(env.Message)
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			e.Kind = kindForCode(e.Code)
		}
	}
	return e
}

// bodyError finds an error object in a 2xx body. Last.fm reports most
// failures that way, so every body is checked before it is used.
func bodyError(method string, status int, body []byte) error {
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return upstream.DecodeError(apiName, method, status, fmt.Errorf("decode %s: %w", method, err))
	}
	if env.Error == nil {
		return nil
	}
	return &upstream.Error{API: apiName, Op: method, Kind: kindForCode(int(*env.Error)), Status: status, Code: int(*env.Error), Err: errors.New(env.Message)}
}

// errorEnvelope is Last.fm's {"error":N,"message":"…"}.
type errorEnvelope struct {
	Error   *flexInt `json:"error"`
	Message string   `json:"message"`
}

// kindForCode maps Last.fm error codes to the kinds callers branch on.
func kindForCode(code int) error {
	switch code {
	case 6:
		return upstream.ErrNotFound
	case 29:
		return upstream.ErrRateLimited
	case 4, 9, 10:
		return upstream.ErrUnauthorized
	case 26:
		return upstream.ErrForbidden
	case 8, 11, 16:
		return upstream.ErrUnavailable
	default:
		return upstream.ErrBadRequest
	}
}

// notFound reports a miss that Last.fm signals by an empty answer rather
// than error 6 (an empty correction).
func notFound(method string) error {
	return &upstream.Error{API: apiName, Op: method, Kind: upstream.ErrNotFound, Status: http.StatusOK}
}

// trackParams names a track for the track.* methods, with autocorrect
// on: dj passes Spotify's spelling, which Last.fm should fold.
func trackParams(artist, track string) url.Values {
	return url.Values{"artist": {artist}, "track": {track}, "autocorrect": {"1"}}
}
