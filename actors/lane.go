package actors

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"dj/upstream"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"
)

// laneRuntime is what a lane keeps across restarts of its actor: the
// ledger of permits out (so the cap holds while an old instance's holders
// are still calling), the 429 pause, and the breaker. Only the lane's
// actor touches ledger and pausedUntil; cb is safe for concurrent use and
// callers run their calls through it.
type laneRuntime struct {
	lane        Lane
	cap         int
	timeout     time.Duration
	cb          *gobreaker.CircuitBreaker[struct{}]
	pid         atomic.Pointer[actor.PID]
	ledger      map[uint64]holder
	pausedUntil time.Time
	sh          *laneShared // the lane's cluster-wide leases; nil on a single node
}

type holder struct {
	reqID string
	op    string
	since time.Time
	lease string // its cluster-wide lease; "" on a single node
}

func newLaneRuntime(s *System, lane Lane) *laneRuntime {
	rt := &laneRuntime{
		lane:    lane,
		cap:     s.cfg.LaneCaps[lane],
		timeout: s.cfg.CallTimeouts[lane],
		ledger:  map[uint64]holder{},
	}
	rt.sh = newLaneShared(s.rate.link, lane, rt.cap)
	bc := s.cfg.Breaker
	gauge := s.m.breakerState.WithLabelValues(string(lane))
	rt.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         string(lane),
		MaxRequests:  bc.HalfOpenProbes,
		Interval:     bc.Interval,
		BucketPeriod: bc.Interval / 10,
		Timeout:      bc.OpenTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			if c.ConsecutiveFailures >= bc.ConsecutiveFailures {
				return true
			}
			return c.Requests >= bc.MinRequests &&
				float64(c.TotalFailures) >= bc.FailureRatio*float64(c.Requests)
		},
		IsSuccessful: func(err error) bool { return verdictOf(err) == callSucceeded },
		IsExcluded:   func(err error) bool { return verdictOf(err) == callExcluded },
		// Runs under the breaker's mutex: only set the gauge and post a
		// message, never touch the breaker here.
		OnStateChange: func(_ string, from, to gobreaker.State) {
			gauge.Set(breakerGauge(to.String()))
			if pid := rt.pid.Load(); pid != nil {
				s.sys.Root.Send(pid, &breakerChanged{from: from, to: to})
			}
		},
	})
	return rt
}

// laneActor grants a lane's permits: at most cap out at once, FIFO within
// a priority, none while the lane is paused after a 429, and none while
// the breaker is open (waiters are refused with ErrBreakerOpen).
type laneActor struct {
	s    *System
	rt   *laneRuntime
	rate *actor.PID
	name string
	log  *slog.Logger
	q    *waitQueue
	self *actor.PID

	timer   *time.Timer
	timerAt time.Time
	cbTimer *time.Timer

	inFlight prometheus.Gauge
	queued   prometheus.Gauge
}

func newLaneActor(s *System, rt *laneRuntime, rate *actor.PID) *laneActor {
	name := ActorName("lane", string(rt.lane))
	return &laneActor{
		s: s, rt: rt, rate: rate, name: name,
		log:      s.log.With("actor", name),
		q:        newWaitQueue(s.cfg.StarvationLimit),
		inFlight: s.m.laneInFlight.WithLabelValues(string(rt.lane)),
		queued:   s.m.laneQueued.WithLabelValues(string(rt.lane)),
	}
}

func (a *laneActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.self = c.Self()
		if n := len(a.rt.ledger); n > 0 {
			a.log.Info("lane actor started again; keeping the permits still out", "in_flight", n)
		}
		if a.rt.cb.State() == gobreaker.StateOpen {
			a.armBreakerCheck()
		}
		a.dispatch(c)
	case *acquireLane:
		a.acquire(c, m)
	case *releaseLane:
		if h, ok := a.rt.ledger[m.ticket]; ok {
			delete(a.rt.ledger, m.ticket)
			a.rt.sh.release(a.s, h.lease)
			a.s.cfg.hooks.emit(a.name, "released", m.ticket)
		}
		if m.pause > 0 {
			a.pause(c, m)
		}
		a.dispatch(c)
	case *cancelLane:
		if w, ok := a.q.remove(m.ticket); ok {
			a.s.cfg.hooks.emit(a.name, "dropped", m.ticket)
			c.Send(w.replyTo, &refused{kind: context.Canceled})
		} else if h, ok := a.rt.ledger[m.ticket]; ok {
			delete(a.rt.ledger, m.ticket)
			a.rt.sh.release(a.s, h.lease)
			a.s.cfg.hooks.emit(a.name, "reclaimed", m.ticket)
		}
		a.dispatch(c)
	case *laneWake:
		a.timerAt = time.Time{}
		a.dispatch(c)
	case *sharedLeaseDone:
		if a.rt.sh.done(c, a.s, a.name, m, time.Now()) {
			a.refuseAll(c, ErrSharedLimitsDown)
		}
		a.dispatch(c)
	case *sharedRenew:
		a.rt.sh.onRenew(c, a.s, a.rt.ledger)
	case *sharedRenewed:
		a.rt.sh.renewed(a.s, a.log, a.rt.ledger, m)
	case *breakerChanged:
		a.breakerChanged(c, m)
	case *breakerCheck:
		// Looking is what turns an open breaker half-open after its
		// timeout; the change comes back as breakerChanged.
		if a.rt.cb.State() == gobreaker.StateOpen {
			a.armBreakerCheck()
		}
	case *inspect:
		c.Respond(LaneStatus{
			Lane: a.rt.lane, Cap: a.rt.cap, InFlight: len(a.rt.ledger), Queued: a.q.len(),
			PausedUntil: a.rt.pausedUntil, Breaker: a.rt.cb.State().String(),
		})
	case *injectedPanic:
		panic(m.reason)
	case *actor.Restarting:
		a.refuseAll(c, ErrLimiterRestarted)
		a.stopTimers()
	case *actor.Stopping:
		a.refuseAll(c, ErrLimiterDown)
		a.stopTimers()
		a.rt.sh.stop(a.s)
	case *actor.Stopped:
		a.stopTimers()
		a.rt.sh.wait()
		a.s.cfg.hooks.emit(a.name, "stopped", 0)
	}
}

func (a *laneActor) acquire(c actor.Context, m *acquireLane) {
	if a.rt.cb.State() == gobreaker.StateOpen {
		c.Respond(&refused{kind: ErrBreakerOpen})
		return
	}
	if a.q.len() >= a.s.cfg.MaxQueue {
		a.log.Warn("lane queue full; refusing call", "request_id", m.reqID, "op", m.op, "queued", a.q.len())
		c.Respond(&refused{kind: ErrQueueFull})
		return
	}
	a.q.push(&waiter{
		ticket: m.ticket, replyTo: c.Sender(), prio: m.prio, lane: a.rt.lane,
		op: m.op, reqID: m.reqID, at: time.Now(),
	})
	a.s.cfg.hooks.emit(a.name, "queued", m.ticket)
	a.dispatch(c)
}

// dispatch grants permits while the lane has room and is not paused (in
// a cluster, each permit also needs a lease in hand: laneShared).
func (a *laneActor) dispatch(c actor.Context) {
	now := time.Now()
	paused := now.Before(a.rt.pausedUntil)
	if paused {
		a.arm(a.rt.pausedUntil)
	} else {
		if !a.rt.pausedUntil.IsZero() {
			a.log.Info("lane pause over", "paused_until", a.rt.pausedUntil)
			a.rt.pausedUntil = time.Time{}
			a.s.cfg.hooks.emit(a.name, "resumed", 0)
		}
		for len(a.rt.ledger) < a.rt.cap && a.rt.sh.ready() {
			w := a.q.next(nil)
			if w == nil {
				break
			}
			a.rt.ledger[w.ticket] = holder{reqID: w.reqID, op: w.op, since: now, lease: a.rt.sh.take()}
			a.s.cfg.hooks.emit(a.name, "granted", w.ticket)
			c.Send(w.replyTo, &granted{})
		}
	}
	if len(a.rt.ledger) > a.rt.cap {
		panic(&invariantViolation{what: a.name + ": more permits out than its cap"})
	}
	waiting := 0 // waiters a lease could serve now
	if !paused {
		waiting = a.q.len()
	}
	if t, retry := a.rt.sh.ask(c, a.s, now, waiting, len(a.rt.ledger)); retry {
		a.arm(t)
	}
	a.inFlight.Set(float64(len(a.rt.ledger)))
	a.queued.Set(float64(a.q.len()))
}

// pause stops granting on this lane after a 429 and tells the rate actor
// to hold back grants for permits already out.
func (a *laneActor) pause(c actor.Context, m *releaseLane) {
	until := time.Now().Add(m.pause)
	if !until.After(a.rt.pausedUntil) {
		return
	}
	a.rt.pausedUntil = until
	a.log.Warn("lane paused after 429", "request_id", m.reqID, "op", m.op,
		"retry_after", m.pause.String(), "paused_until", until)
	c.Send(a.rate, &pauseLane{lane: a.rt.lane, until: until, reqID: m.reqID})
	a.s.cfg.hooks.emit(a.name, "paused", m.ticket)
}

func (a *laneActor) breakerChanged(c actor.Context, m *breakerChanged) {
	a.log.Warn("circuit breaker changed state", "from", m.from.String(), "to", m.to.String(),
		"counts", a.rt.cb.Counts())
	a.s.cfg.hooks.emit(a.name, "breaker:"+m.to.String(), 0)
	if m.to != gobreaker.StateOpen {
		return
	}
	// Everyone still queued would only fail on the breaker later.
	for _, w := range a.q.drain() {
		a.s.cfg.hooks.emit(a.name, "dropped", w.ticket)
		c.Send(w.replyTo, &refused{kind: ErrBreakerOpen})
	}
	a.queued.Set(0)
	a.rt.sh.ask(c, a.s, time.Now(), 0, len(a.rt.ledger)) // leases in hand go back
	a.armBreakerCheck()
}

// armBreakerCheck looks at the breaker again once its open timeout has
// passed, so the half-open transition (and the gauge) happens even when
// no call comes.
func (a *laneActor) armBreakerCheck() {
	if a.cbTimer != nil {
		a.cbTimer.Stop()
	}
	self, root := a.self, a.s.sys.Root
	a.cbTimer = time.AfterFunc(a.s.cfg.Breaker.OpenTimeout+time.Millisecond, func() {
		root.Send(self, &breakerCheck{})
	})
}

// arm makes sure a laneWake arrives by at; an earlier pending wake stays.
func (a *laneActor) arm(at time.Time) {
	if a.timer != nil && !a.timerAt.IsZero() && !at.Before(a.timerAt) {
		return
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	self, root := a.self, a.s.sys.Root
	a.timerAt = at
	a.timer = time.AfterFunc(time.Until(at), func() { root.Send(self, &laneWake{}) })
}

func (a *laneActor) stopTimers() {
	if a.timer != nil {
		a.timer.Stop()
		a.timer, a.timerAt = nil, time.Time{}
	}
	if a.cbTimer != nil {
		a.cbTimer.Stop()
		a.cbTimer = nil
	}
}

func (a *laneActor) refuseAll(c actor.Context, kind error) {
	for _, w := range a.q.drain() {
		c.Send(w.replyTo, &refused{kind: kind})
	}
	a.queued.Set(0)
}

// Call classification for the breaker. The call's error is wrapped in a
// *callVerdict inside the breaker so IsSuccessful/IsExcluded see what Do
// decided, then unwrapped before Do returns.
type callClass int

const (
	callSucceeded callClass = iota // the API answered (even 404, 401, 400)
	callFailed                     // 5xx, transport failure, bad body, our per-call timeout
	callExcluded                   // caller gave up, or 429 (a pause, not a fault)
)

type callVerdict struct {
	err   error
	class callClass
}

func (v *callVerdict) Error() string { return v.err.Error() }

func verdictOf(err error) callClass {
	if err == nil {
		return callSucceeded
	}
	if v, ok := err.(*callVerdict); ok {
		return v.class
	}
	return callFailed
}

// classify decides how a call's error counts for the breaker. ctx is the
// caller's context (not the per-call one).
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	class := callFailed
	switch {
	case errors.Is(err, ErrCallTimeout):
		class = callFailed
	case ctx.Err() != nil:
		class = callExcluded
	case errors.Is(err, upstream.ErrRateLimited):
		class = callExcluded
	case errors.Is(err, upstream.ErrNotFound), errors.Is(err, upstream.ErrUnauthorized),
		errors.Is(err, upstream.ErrForbidden), errors.Is(err, upstream.ErrBadRequest):
		class = callSucceeded
	}
	return &callVerdict{err: err, class: class}
}
