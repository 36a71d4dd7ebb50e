package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"

	"dj/upstream"
)

// mapError turns whatever the SDK returned into an *upstream.Error.
// callerCtx is the caller's context and callCtx the one carrying our
// Timeout: a caller's cancellation keeps context.Canceled in the chain so
// it stays distinguishable from an upstream failure.
func (c *Client) mapError(callerCtx, callCtx context.Context, op string, err error) *upstream.Error {
	if cerr := callerCtx.Err(); cerr != nil {
		return upstream.TransportError(apiName, op, fmt.Errorf("call abandoned: %w", cerr))
	}
	if callCtx.Err() != nil {
		return upstream.TransportError(apiName, op, fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded))
	}
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		return c.fromAPIError(op, apiErr)
	}
	if strings.Contains(err.Error(), "streaming is required") {
		// The SDK refuses, before sending, a non-streaming call whose
		// max_tokens could run past ten minutes: our request is wrong.
		return &upstream.Error{API: apiName, Op: op, Kind: upstream.ErrBadRequest, Err: c.redact(err)}
	}
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typeErr) {
		return upstream.DecodeError(apiName, op, 0, c.redact(err))
	}
	return upstream.TransportError(apiName, op, c.redact(err))
}

// fromAPIError maps an API error by HTTP status, or by its error type
// when it arrived as an `event: error` inside a 200 stream.
func (c *Client) fromAPIError(op string, e *sdk.Error) *upstream.Error {
	kind := upstream.KindForStatus(e.StatusCode)
	if kind == nil {
		kind = kindForType(string(e.Type()))
	}
	ue := &upstream.Error{API: apiName, Op: op, Kind: kind, Status: e.StatusCode, Err: c.redact(e)}
	if kind == upstream.ErrRateLimited && e.Response != nil {
		ue.RetryAfter = retryAfter(e.Response.Header)
	}
	return ue
}

// kindForType maps the API's error types (upstream-wire.md §7.5).
func kindForType(typ string) error {
	switch typ {
	case "rate_limit_error":
		return upstream.ErrRateLimited
	case "authentication_error":
		return upstream.ErrUnauthorized
	case "permission_error", "billing_error":
		return upstream.ErrForbidden
	case "not_found_error":
		return upstream.ErrNotFound
	case "invalid_request_error", "request_too_large":
		return upstream.ErrBadRequest
	default: // overloaded_error, api_error, timeout_error and unknown ones
		return upstream.ErrUnavailable
	}
}

// retryAfter reads retry-after-ms first, then Retry-After, as the SDK does.
func retryAfter(h http.Header) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	return upstream.ParseRetryAfter(h.Get("Retry-After"), time.Now())
}

// envelopeError reads a 200 body that is not a message: the API's error
// envelope is mapped by its type, anything else is a bad response.
func (c *Client) envelopeError(op string, resp *http.Response, raw []byte) *upstream.Error {
	var env struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &env) == nil && env.Type == "error" {
		cause := c.redact(fmt.Errorf("%s: %s", env.Error.Type, env.Error.Message))
		return &upstream.Error{API: apiName, Op: op, Kind: kindForType(env.Error.Type), Status: statusOf(resp), Err: cause}
	}
	return c.badResponse(op, resp, fmt.Errorf("unexpected object type %q", env.Type))
}

func (c *Client) badResponse(op string, resp *http.Response, err error) *upstream.Error {
	return upstream.DecodeError(apiName, op, statusOf(resp), c.redact(err))
}

// redact keeps err in the chain (for errors.Is/As) but makes sure its text
// can never carry the API key.
func (c *Client) redact(err error) error {
	msg := err.Error()
	if c.key != "" {
		msg = strings.ReplaceAll(msg, c.key, "[redacted]")
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
