package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"dj/upstream"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sony/gobreaker/v2"
)

// Do runs one upstream call under the limits: the request's budget, the
// lane's breaker (fail fast when open), a lane permit, a global rate
// grant, the lane's per-call timeout, then call, then the permit goes back
// whatever happened. call must make at most one upstream request and must
// use the context it is given (that context carries the per-call timeout
// and an httptrace hook that tells the rate actor when the request went
// out). Calling Do with that context again, while the permit is held, is
// refused with ErrNestedPermit instead of waiting for a second permit.
//
// Do returns call's own error unchanged (a 429 from dj/upstream also
// pauses the lane for its Retry-After), an *Error whose Kind is one of
// this package's Err* values for what the limiter decided, or the
// caller's context error when ctx ended while waiting.
func (s *System) Do(ctx context.Context, lane Lane, op string, call func(ctx context.Context) error) error {
	reqID := RequestID(ctx)
	rt := s.lanes[lane]
	if rt == nil {
		return &Error{Lane: lane, Op: op, RequestID: reqID, Kind: ErrUnknownLane}
	}
	refuse := func(kind, cause error, outcome string) error {
		s.m.requests.WithLabelValues(string(lane), outcome).Inc()
		return &Error{Lane: lane, Op: op, RequestID: reqID, Kind: kind, Err: cause}
	}
	if held, ok := permitHeld(ctx); ok {
		s.log.LogAttrs(ctx, slog.LevelWarn, "nested upstream call refused",
			slog.String("request_id", reqID), slog.String("lane", string(lane)), slog.String("op", op),
			slog.String("holding_lane", string(held.lane)), slog.String("holding_op", held.op))
		return refuse(ErrNestedPermit, fmt.Errorf("already holding a %s permit for %s", held.lane, held.op), "nested")
	}
	if s.stopped.Load() {
		return refuse(ErrLimiterDown, nil, "limiter_down")
	}
	if err := ctx.Err(); err != nil {
		s.m.requests.WithLabelValues(string(lane), "cancelled").Inc()
		return err
	}

	wired := false // a request may have gone out: the budget keeps the call
	if b := BudgetOf(ctx); b != nil {
		if !b.take(isOverhead(ctx)) {
			s.log.LogAttrs(ctx, slog.LevelWarn, "upstream budget exhausted; call refused",
				slog.String("request_id", reqID), slog.String("lane", string(lane)), slog.String("op", op),
				slog.Int("used", b.Used()), slog.Int("limit", b.Limit()))
			return refuse(ErrBudgetExhausted, fmt.Errorf("%d of %d calls used", b.Used(), b.Limit()), "budget_exhausted")
		}
		defer func() {
			if !wired {
				b.refund()
			}
		}()
	}
	if rt.cb.State() == gobreaker.StateOpen {
		return refuse(ErrBreakerOpen, nil, "breaker_open")
	}

	ticket := s.tickets.Add(1)
	prio := PriorityOf(ctx)
	t0 := time.Now()
	waitCtx, cancelWait := context.WithTimeout(ctx, s.cfg.MaxWait)
	defer cancelWait()

	// 1. The lane permit. From here on it goes back on every path.
	lanePID := rt.pid.Load()
	err := s.acquire(waitCtx, lanePID,
		&acquireLane{ticket: ticket, reqID: reqID, op: op, prio: prio},
		&cancelLane{ticket: ticket, reqID: reqID})
	if err != nil {
		return s.waitFailed(ctx, lane, op, reqID, err)
	}
	var pause time.Duration
	defer func() {
		s.sys.Root.Send(lanePID, &releaseLane{ticket: ticket, reqID: reqID, op: op, pause: pause})
	}()

	// 2. The global grant, last thing before the call so starts do not
	// bunch up on the wire.
	err = s.acquire(waitCtx, s.ratePID,
		&acquireRate{ticket: ticket, lane: lane, reqID: reqID, op: op, prio: prio},
		&cancelRate{ticket: ticket, reqID: reqID})
	if err != nil {
		return s.waitFailed(ctx, lane, op, reqID, err)
	}
	waited := time.Since(t0)
	s.m.waitSeconds.WithLabelValues(string(lane)).Observe(waited.Seconds())

	// 3. Breaker, per-call timeout, the call.
	stamp := &wireStamp{root: s.sys.Root, rate: s.ratePID}
	stamp.ticket.Store(ticket)
	stamp.regrant = func() (uint64, error) { // a transport retry is a start too
		t := s.tickets.Add(1)
		return t, s.acquire(waitCtx, s.ratePID,
			&acquireRate{ticket: t, lane: lane, reqID: reqID, op: op, prio: prio},
			&cancelRate{ticket: t, reqID: reqID})
	}
	t1 := time.Now()
	_, err = rt.cb.Execute(func() (struct{}, error) {
		wired = true
		return struct{}{}, classify(ctx, s.runCall(ctx, rt, op, reqID, stamp, call))
	})
	took := time.Since(t1)
	if !wired {
		// The breaker refused (open, or half-open with its probes out):
		// nothing went out, so the grant's slot goes back too.
		s.sys.Root.Send(s.ratePID, &cancelRate{ticket: ticket, reqID: reqID})
		return refuse(ErrBreakerOpen, err, "breaker_open")
	}
	if v, ok := err.(*callVerdict); ok {
		err = v.err
	}
	if errors.Is(err, upstream.ErrRateLimited) {
		pause = s.cfg.DefaultRetryAfter
		if d, ok := upstream.RetryAfter(err); ok {
			pause = d
		}
		pause = min(pause, s.cfg.MaxRetryAfter)
	}
	outcome := outcomeOf(ctx, err)
	s.m.requests.WithLabelValues(string(lane), outcome).Inc()
	s.log.LogAttrs(ctx, slog.LevelDebug, "upstream call",
		slog.String("request_id", reqID), slog.String("lane", string(lane)), slog.String("op", op),
		slog.String("priority", prio.String()), slog.Duration("waited", waited), slog.Duration("took", took),
		slog.String("outcome", outcome))
	return err
}

// runCall runs call under the lane's per-call timeout with the permit
// marker and the wire-stamp hook on its context.
func (s *System) runCall(ctx context.Context, rt *laneRuntime, op, reqID string, stamp *wireStamp, call func(context.Context) error) error {
	callCtx, cancel := context.WithTimeout(ctx, rt.timeout)
	defer cancel()
	callCtx = context.WithValue(callCtx, keyPermit, heldPermit{lane: rt.lane, op: op})
	callCtx = httptrace.WithClientTrace(callCtx, stamp.trace())
	defer stamp.finish()
	err := call(callCtx)
	if err != nil && ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		err = &Error{Lane: rt.lane, Op: op, RequestID: reqID, Kind: ErrCallTimeout,
			Err: fmt.Errorf("after %s: %w", rt.timeout, err)}
	}
	return err
}

// wireStamp reports to the rate actor when a granted request went out,
// as late as it can still be sure the far end has stamped it:
//   - on a reused connection, when the HTTP client finished writing the
//     request (the far end reads it a server dispatch later, which the
//     window margin covers);
//   - on a fresh connection, when the first response byte came back: the
//     far end may accept a new connection well after our write (under
//     load, tens of milliseconds), but it has certainly stamped the
//     request before it answers;
//   - when no request was seen, when the call returned.
//
// When net/http sends the request again on another connection (see
// retryGrant), the new attempt gets a grant and a stamp of its own.
type wireStamp struct {
	root   *actor.RootContext
	rate   *actor.PID
	ticket atomic.Uint64 // the current attempt's grant
	fresh  atomic.Bool   // the request went out on a new connection
	sent   atomic.Bool
	done   atomic.Bool

	attempts atomic.Int32
	regrant  func() (uint64, error) // waits for a grant for one more start
}

func (w *wireStamp) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) { w.retryGrant() },
		GotConn: func(info httptrace.GotConnInfo) { w.fresh.Store(!info.Reused) },
		WroteRequest: func(httptrace.WroteRequestInfo) {
			if !w.fresh.Load() {
				w.send()
			}
		},
		GotFirstResponseByte: func() {
			if w.fresh.Load() {
				w.send()
			}
		},
	}
}

func (w *wireStamp) send() {
	if w.done.Load() {
		return
	}
	w.sent.Store(true)
	w.root.Send(w.rate, &stampRate{ticket: w.ticket.Load(), at: time.Now()})
}

func (w *wireStamp) finish() {
	w.done.Store(true)
	if !w.sent.Load() {
		w.root.Send(w.rate, &stampRate{ticket: w.ticket.Load(), at: time.Now()})
	}
}

// errCallerGone marks a wait that ended because the caller's wait context
// did (cancelled, its deadline, or MaxWait).
var errCallerGone = errors.New("caller stopped waiting")

// acquire asks a limiter actor for a permit or grant and waits for the
// reply or for ctx. If ctx ends first it tells the actor, which drops the
// waiter or, when it granted in the meantime, takes the grant back. A
// waiter refused because its actor restarted asks once more.
func (s *System) acquire(ctx context.Context, pid *actor.PID, ask, cancel any) error {
	for attempt := 0; ; attempt++ {
		f := s.sys.Root.RequestFuture(pid, ask, s.cfg.MaxWait+time.Second)
		res, err := awaitFuture(ctx, f)
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			s.sys.Root.Send(pid, cancel)
			return errCallerGone
		case errors.Is(err, actor.ErrTimeout):
			s.sys.Root.Send(pid, cancel)
			return ErrWaitTimeout
		case errors.Is(err, actor.ErrDeadLetter):
			return ErrLimiterDown
		default:
			return err
		}
		switch r := res.(type) {
		case *granted:
			return nil
		case *refused:
			if errors.Is(r.kind, ErrLimiterRestarted) && attempt == 0 {
				continue
			}
			return r.kind
		default:
			return fmt.Errorf("unexpected reply %T", res)
		}
	}
}

// waitFailed turns a failed acquire into what Do returns.
func (s *System) waitFailed(ctx context.Context, lane Lane, op, reqID string, err error) error {
	outcome := "refused"
	switch {
	case errors.Is(err, errCallerGone), errors.Is(err, context.Canceled):
		if cerr := ctx.Err(); cerr != nil {
			s.m.requests.WithLabelValues(string(lane), "cancelled").Inc()
			return fmt.Errorf("%s %s: gave up waiting: %w", lane, op, cerr)
		}
		err, outcome = ErrWaitTimeout, "wait_timeout"
	case errors.Is(err, ErrWaitTimeout):
		outcome = "wait_timeout"
	case errors.Is(err, ErrBreakerOpen):
		outcome = "breaker_open"
	case errors.Is(err, ErrQueueFull):
		outcome = "queue_full"
	case errors.Is(err, ErrSharedLimitsDown):
		outcome = "shared_limits_down"
	case errors.Is(err, ErrLimiterDown), errors.Is(err, ErrLimiterRestarted):
		outcome = "limiter_down"
	}
	s.m.requests.WithLabelValues(string(lane), outcome).Inc()
	if outcome == "wait_timeout" {
		s.log.LogAttrs(ctx, slog.LevelWarn, "upstream call waited too long; refused",
			slog.String("request_id", reqID), slog.String("lane", string(lane)), slog.String("op", op),
			slog.Duration("max_wait", s.cfg.MaxWait))
	}
	return &Error{Lane: lane, Op: op, RequestID: reqID, Kind: err}
}

// outcomeOf labels a finished call for dj_upstream_requests_total.
func outcomeOf(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrCallTimeout):
		return "timeout"
	case ctx.Err() != nil:
		return "cancelled"
	case errors.Is(err, upstream.ErrRateLimited):
		return "rate_limited"
	}
	switch verdictOf(classify(ctx, err)) {
	case callSucceeded:
		return "answered_error"
	default:
		return "failed"
	}
}
