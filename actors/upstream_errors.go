package actors

import (
	"time"

	"dj/upstream"
)

// The upstream failure kinds, re-exported so the gateway can map them to
// statuses without importing an upstream package. They are the same
// values: errors.Is works across both names.
var (
	ErrUpstreamRateLimited  = upstream.ErrRateLimited
	ErrUpstreamUnauthorized = upstream.ErrUnauthorized
	ErrUpstreamForbidden    = upstream.ErrForbidden
	ErrUpstreamNotFound     = upstream.ErrNotFound
	ErrUpstreamBadRequest   = upstream.ErrBadRequest
	ErrUpstreamUnavailable  = upstream.ErrUnavailable
	ErrUpstreamBadResponse  = upstream.ErrBadResponse
)

// RetryAfter reports how long an upstream asked us to wait, if err says.
func RetryAfter(err error) (time.Duration, bool) { return upstream.RetryAfter(err) }
