// Package upstream holds what every client of the four upstream APIs
// (Spotify, Last.fm, Deezer, Anthropic) shares: the typed errors callers
// branch on, and the mapping from HTTP outcomes to those errors. The clients
// themselves live in sub-packages; the simulator in upstream/sim.
package upstream

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The kinds of upstream failure. Callers branch with errors.Is; the
// limiter actors use them to decide about breakers and lane pauses.
var (
	// ErrRateLimited means the API asked us to slow down (HTTP 429, Last.fm
	// error 29, Deezer quota code 4). Error.RetryAfter says for how long
	// when the API told us.
	ErrRateLimited = errors.New("upstream rate limited")
	// ErrUnauthorized means the credential is missing, invalid or expired.
	ErrUnauthorized = errors.New("upstream unauthorized")
	// ErrForbidden means the credential is valid but not allowed (scope,
	// Premium required, removed endpoint).
	ErrForbidden = errors.New("upstream forbidden")
	// ErrNotFound means the thing asked for does not exist upstream. For
	// enrichment it is an answer, not a failure: it gets negatively cached.
	ErrNotFound = errors.New("upstream not found")
	// ErrBadRequest means the API rejected our request as malformed.
	ErrBadRequest = errors.New("upstream bad request")
	// ErrUnavailable means the API could not be reached or failed (5xx,
	// 529, timeout, reset connection). It is the kind breakers count.
	ErrUnavailable = errors.New("upstream unavailable")
	// ErrBadResponse means the API answered something we cannot decode.
	ErrBadResponse = errors.New("upstream bad response")
)

// Error is the one error type every upstream client returns. It carries
// enough for logs (API, operation, status, upstream code) while its Kind
// is what code branches on. Its text never goes to a browser.
type Error struct {
	API        string        // "spotify", "lastfm", "deezer", "anthropic"
	Op         string        // short operation name, e.g. "track.getInfo"
	Kind       error         // one of the Err* sentinels above
	Status     int           // HTTP status, 0 when there was no response
	Code       int           // upstream-specific code (Last.fm error, Deezer code)
	RetryAfter time.Duration // from Retry-After, when the API sent one
	Err        error         // underlying cause, may be nil
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %v", e.API, e.Op, e.Kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (status %d)", e.Status)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// RetryAfter reports how long an API asked us to wait, if err carries it.
func RetryAfter(err error) (time.Duration, bool) {
	var ue *Error
	if errors.As(err, &ue) && ue.RetryAfter > 0 {
		return ue.RetryAfter, true
	}
	return 0, false
}

// KindForStatus maps an HTTP status to an error kind, or nil for success.
func KindForStatus(status int) error {
	switch {
	case status < 400:
		return nil
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status >= 500:
		return ErrUnavailable
	default:
		return ErrBadRequest
	}
}

// StatusError builds the Error for a non-success HTTP response, reading
// Retry-After (seconds or HTTP date) relative to now.
func StatusError(api, op string, resp *http.Response, now time.Time) *Error {
	return &Error{
		API:        api,
		Op:         op,
		Kind:       KindForStatus(resp.StatusCode),
		Status:     resp.StatusCode,
		RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), now),
	}
}

// TransportError wraps a failure to get any response (dial error, reset,
// timeout, cancelled context) as ErrUnavailable, keeping the cause so
// callers can still test for context.Canceled. The request URL that
// net/http puts in its errors loses its query and user info: the query
// can hold an API key (Last.fm's api_key) or a listener's search, and
// error texts are logged.
func TransportError(api, op string, err error) *Error {
	return &Error{API: api, Op: op, Kind: ErrUnavailable, Err: withoutQuery(err)}
}

// withoutQuery returns err with the query and user info removed from its
// URL when err is a *url.Error (what http.Client.Do returns).
func withoutQuery(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(request URL)", Err: ue.Err}
	}
	if u.RawQuery == "" && u.User == nil && u.Fragment == "" {
		return err
	}
	u.RawQuery, u.User, u.Fragment, u.RawFragment = "", nil, "", ""
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// DecodeError wraps a body we could not decode as ErrBadResponse.
func DecodeError(api, op string, status int, err error) *Error {
	return &Error{API: api, Op: op, Kind: ErrBadResponse, Status: status, Err: err}
}

// ParseRetryAfter reads a Retry-After value in delta-seconds or HTTP-date
// form. It returns 0 when the value is absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
