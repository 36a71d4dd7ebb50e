package gateway

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"

	"dj/actors"
	"dj/mix"

	"github.com/gofiber/fiber/v2"
)

// errorRule maps one error kind to a status and a client-safe message.
type errorRule struct {
	kind   error
	status int
	detail string
}

// errorRules are checked in order; the first kind errors.Is matches wins.
// Details are fixed texts: an error's own message (which may carry
// upstream bodies, paths or ids) is only ever logged.
var errorRules = []errorRule{
	{actors.ErrNoSession, http.StatusUnauthorized, "invalid or expired session"},
	{mix.ErrNotFound, http.StatusNotFound, "not found"},
	{mix.ErrQueueFull, http.StatusConflict, "the queue is full"},
	{mix.ErrInvalidPosition, http.StatusBadRequest, "no track at that position"},
	{actors.ErrUpstreamUnauthorized, http.StatusUnauthorized, "Spotify no longer accepts this sign-in; sign in again"},
	{actors.ErrUpstreamForbidden, http.StatusForbidden, "Spotify refused the request (Premium or an active device may be required)"},
	{actors.ErrUpstreamNotFound, http.StatusNotFound, "not found"},
	{actors.ErrUpstreamRateLimited, http.StatusServiceUnavailable, "the music service is rate limiting us; try again shortly"},
	{actors.ErrBudgetExhausted, http.StatusServiceUnavailable, "this request needed too many upstream calls"},
	{actors.ErrBreakerOpen, http.StatusServiceUnavailable, "an upstream service is failing; try again shortly"},
	{actors.ErrQueueFull, http.StatusServiceUnavailable, "the service is busy; try again shortly"},
	{actors.ErrWaitTimeout, http.StatusServiceUnavailable, "the service is busy; try again shortly"},
	{actors.ErrShuttingDown, http.StatusServiceUnavailable, "the server is restarting; try again shortly"},
	{actors.ErrLimiterDown, http.StatusServiceUnavailable, "the service is busy; try again shortly"},
	{actors.ErrLimiterRestarted, http.StatusServiceUnavailable, "the service is busy; try again shortly"},
	{actors.ErrUpstreamUnavailable, http.StatusServiceUnavailable, "an upstream service is not answering; try again shortly"},
	{actors.ErrCallTimeout, http.StatusServiceUnavailable, "an upstream service is not answering; try again shortly"},
	{actors.ErrUpstreamBadResponse, http.StatusBadGateway, "an upstream service answered something we could not read"},
	{actors.ErrUpstreamBadRequest, http.StatusBadGateway, "an upstream service rejected our request"},
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "the request took too long"},
}

// mapError turns what a handler returned into a client-safe problem.
// Problems pass through; known kinds get their status (and Retry-After
// when an upstream gave one); anything else stays an internal error that
// the error handler logs and answers 500.
func (s *Server) mapError(c *Call, err error) error {
	var pe *ProblemError
	if errors.As(err, &pe) {
		return err
	}
	r, ok := ruleFor(err)
	if !ok {
		return err
	}
	s.log.WarnContext(c.Ctx, "request failed", "request_id", c.RequestID, "status", r.status, "err", err)
	if wait, ok := actors.RetryAfter(err); ok {
		c.fiber.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	}
	return &ProblemError{Status: r.status, Detail: r.detail}
}

// ruleFor is the first rule whose kind err is.
func ruleFor(err error) (errorRule, bool) {
	for _, r := range errorRules {
		if errors.Is(err, r.kind) {
			return r, true
		}
	}
	return errorRule{}, false
}
