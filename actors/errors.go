package actors

import (
	"errors"
	"fmt"
	"strings"
)

// Typed errors callers branch on with errors.Is. Do wraps them in *Error,
// which adds the lane, operation and request ID.
var (
	// ErrBudgetExhausted: the request's upstream budget cannot pay for the
	// call. Nothing was queued.
	ErrBudgetExhausted = errors.New("upstream budget exhausted")
	// ErrBreakerOpen: the lane's circuit breaker is open (or half-open and
	// already probing). The call failed fast without reaching the wire.
	ErrBreakerOpen = errors.New("upstream circuit breaker open")
	// ErrQueueFull: the lane's or the rate actor's wait queue is at its
	// bound. The call was refused rather than queued.
	ErrQueueFull = errors.New("upstream wait queue full")
	// ErrWaitTimeout: the call waited Config.MaxWait for its permit and
	// grant without getting them. The caller's own context had not ended.
	ErrWaitTimeout = errors.New("upstream wait timed out")
	// ErrCallTimeout: the call itself ran past the lane's per-call timeout.
	ErrCallTimeout = errors.New("upstream call timed out")
	// ErrNestedPermit: Do was called with the context of a call that
	// already holds a lane permit. Waiting there could deadlock, so the
	// call is refused at once; restructure it so each call holds one
	// permit around one round trip.
	ErrNestedPermit = errors.New("nested upstream call while holding a lane permit")
	// ErrLimiterRestarted: the limiter actor the call was waiting on
	// restarted; Do retries once before returning it.
	ErrLimiterRestarted = errors.New("upstream limiter restarted")
	// ErrLimiterDown: the limiter actors are stopped (shutdown, or stopped
	// by supervision after repeated failures).
	ErrLimiterDown = errors.New("upstream limiter down")
	// ErrShuttingDown: the system is shutting down and refuses new work.
	ErrShuttingDown = errors.New("shutting down")
	// ErrUnknownLane: Do was given a lane the system has no limiter for.
	ErrUnknownLane = errors.New("unknown upstream lane")
)

// Error is the error Do returns for anything the limiter decided (as
// opposed to errors the call itself returned, which Do passes through).
type Error struct {
	Lane      Lane
	Op        string
	RequestID string
	Kind      error // one of the Err* values above
	Err       error // cause, may be nil
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %v", e.Lane, e.Op, e.Kind)
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

// invariantViolation is the panic value an actor raises when its own
// bookkeeping is inconsistent (more permits out than its cap, more starts
// in the window than the rate). Supervision escalates it: the limiter then
// stops, failing closed, rather than restarting with books it cannot
// trust.
type invariantViolation struct{ what string }

func (v *invariantViolation) Error() string { return "limiter invariant violated: " + v.what }
