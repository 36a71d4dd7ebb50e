package upstream

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultUserAgent is what the small hand-written clients send.
const DefaultUserAgent = "dj/1.0 (AI DJ for Spotify)"

// ParseBase reads an API root (def when raw is empty), requires it to be
// absolute and gives it a trailing slash, so relative paths resolve below
// it rather than replacing its last segment.
func ParseBase(api, raw, def string) (*url.URL, error) {
	if raw == "" {
		raw = def
	}
	base, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: base URL %q: %w", api, raw, err)
	}
	if base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q is not absolute", api, raw)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	return base, nil
}

// Getter makes the plain JSON GETs of the clients that have no SDK
// (Last.fm, Deezer): one request, one timeout, a capped body, transport
// failures as ErrUnavailable. What a body means is the caller's business.
type Getter struct {
	API       string
	HTTP      *http.Client
	Timeout   time.Duration
	UserAgent string
	MaxBody   int64
}

// Get fetches u and returns the response (body already closed) and its
// bytes. Only failures to get a complete body are errors here.
func (g *Getter) Get(ctx context.Context, op string, u *url.URL) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, &Error{API: g.API, Op: op, Kind: ErrBadRequest, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", g.UserAgent)
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return nil, nil, TransportError(g.API, op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, g.MaxBody+1))
	if err != nil {
		return nil, nil, TransportError(g.API, op, err)
	}
	if int64(len(body)) > g.MaxBody {
		return nil, nil, DecodeError(g.API, op, resp.StatusCode, fmt.Errorf("body larger than %d bytes", g.MaxBody))
	}
	return resp, body, nil
}

// NewGetter fills the defaults: http.DefaultClient, the timeout given
// when cfgTimeout is zero, DefaultUserAgent.
func NewGetter(api string, hc *http.Client, cfgTimeout, def time.Duration, ua string, maxBody int64) *Getter {
	g := &Getter{API: api, HTTP: hc, Timeout: cfgTimeout, UserAgent: ua, MaxBody: maxBody}
	if g.HTTP == nil {
		g.HTTP = http.DefaultClient
	}
	if g.Timeout <= 0 {
		g.Timeout = def
	}
	if g.UserAgent == "" {
		g.UserAgent = DefaultUserAgent
	}
	return g
}
