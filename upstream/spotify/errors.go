package spotify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	sp "github.com/zmb3/spotify/v2"
	"golang.org/x/oauth2"

	"dj/upstream"
)

// callError maps a failed call to *upstream.Error from what the probe saw:
// no response at all is ErrUnavailable (transport), a non-2xx status is
// mapped by status with Retry-After, and a 2xx we could not decode is
// ErrBadResponse. Only Spotify's own error message is kept as the cause:
// raw bodies could carry anything, and tokens must never reach logs.
func callError(op string, p *probe, err error) *upstream.Error {
	var netErr net.Error
	switch {
	case p.status == 0,
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled),
		errors.As(err, &netErr):
		return upstream.TransportError(apiName, op, err)
	case p.status >= 200 && p.status < 300:
		return upstream.DecodeError(apiName, op, p.status, err)
	}
	e := upstream.StatusError(apiName, op, &http.Response{StatusCode: p.status, Header: p.header}, time.Now())
	var se sp.Error
	if errors.As(err, &se) {
		e.Err = se
	}
	return e
}

// tokenError maps an Accounts failure. invalid_grant and invalid_client
// mean the code, refresh token or client is not (or no longer) good:
// the user has to log in again, which is ErrUnauthorized.
func tokenError(op string, p *probe, err error) *upstream.Error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return callError(op, p, err)
	}
	e := upstream.StatusError(apiName, op, re.Response, time.Now())
	if e.Kind == nil {
		e.Kind = upstream.ErrBadResponse
	}
	switch re.ErrorCode {
	case "invalid_grant", "invalid_client":
		e.Kind = upstream.ErrUnauthorized
	}
	if re.ErrorCode != "" {
		e.Err = fmt.Errorf("accounts error %q: %s", re.ErrorCode, re.ErrorDescription)
	}
	return e
}
