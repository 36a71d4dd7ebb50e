package actors

import (
	"context"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// rateRuntime is what the rate actor keeps across restarts: the window of
// recent starts (forgetting it could let a fresh instance start another
// full window's worth at once), the lane pauses (forgetting them would
// ignore a Retry-After), and, in a cluster, its side of the shared window
// (sh, nil on a single node) and the System's link to the shared limits,
// which the lane runtimes share.
type rateRuntime struct {
	win    *startWindow
	paused map[Lane]time.Time
	link   *sharedLink
	sh     *rateShared
}

func newRateRuntime(cfg Config) *rateRuntime {
	longest := time.Duration(0)
	for _, d := range cfg.CallTimeouts {
		longest = max(longest, d)
	}
	// A grant whose caller never reports is force-stamped after the longest
	// call could have run, so a lost report costs one slot for a while
	// rather than for ever.
	stale := longest + cfg.span()
	link := newSharedLink(cfg)
	return &rateRuntime{
		win:    newStartWindow(cfg.RatePerSecond, cfg.span(), stale),
		paused: map[Lane]time.Time{},
		link:   link,
		sh:     newRateShared(link, cfg, stale),
	}
}

// rateActor is the global rate: it grants request starts, at most
// RatePerSecond inside any Window (+ margin), across all lanes. Callers
// ask only while holding their lane permit, right before the call. It
// wakes itself with a timer message when the next slot frees or a lane's
// pause ends; it never polls.
type rateActor struct {
	s    *System
	rt   *rateRuntime
	log  *slog.Logger
	q    *waitQueue
	self *actor.PID

	timer   *time.Timer
	timerAt time.Time
}

func newRateActor(s *System) *rateActor {
	return &rateActor{
		s: s, rt: s.rate,
		log: s.log.With("actor", "rate"),
		q:   newWaitQueue(s.cfg.StarvationLimit),
	}
}

func (a *rateActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.self = c.Self()
		a.dispatch(c)
	case *acquireRate:
		if a.q.len() >= a.s.cfg.MaxQueue {
			a.log.Warn("rate queue full; refusing call", "request_id", m.reqID, "lane", m.lane, "op", m.op)
			c.Respond(&refused{kind: ErrQueueFull})
			return
		}
		a.q.push(&waiter{
			ticket: m.ticket, replyTo: c.Sender(), prio: m.prio, lane: m.lane,
			op: m.op, reqID: m.reqID, at: time.Now(),
		})
		a.s.cfg.hooks.emit("rate", "queued", m.ticket)
		a.dispatch(c)
	case *cancelRate:
		if w, ok := a.q.remove(m.ticket); ok {
			a.s.cfg.hooks.emit("rate", "dropped", m.ticket)
			c.Send(w.replyTo, &refused{kind: context.Canceled})
		} else if a.rt.win.unused(m.ticket) {
			a.rt.sh.giveBack(a.s, m.ticket)
			a.s.cfg.hooks.emit("rate", "returned", m.ticket)
		}
		a.dispatch(c)
	case *stampRate:
		a.rt.win.stampAt(m.ticket, m.at)
		a.rt.sh.stamp(a.s, m.ticket)
		a.s.cfg.hooks.emit("rate", "stamped", m.ticket)
		a.dispatch(c)
	case *pauseLane:
		if m.until.After(a.rt.paused[m.lane]) {
			a.rt.paused[m.lane] = m.until
			a.log.Info("holding grants for paused lane", "lane", m.lane, "until", m.until, "request_id", m.reqID)
		}
		a.dispatch(c)
	case *rateWake:
		a.timerAt = time.Time{}
		a.dispatch(c)
	case *sharedStartDone:
		if a.rt.sh.done(c, a.s, m, time.Now()) {
			a.refuseAll(c, ErrSharedLimitsDown)
		}
		a.dispatch(c)
	case *sharedRenew:
		a.rt.sh.onRenew(c, a.s, time.Now())
	case *inspect:
		a.rt.win.prune(time.Now())
		c.Respond(RateStatus{
			Limit: a.s.cfg.RatePerSecond, Span: a.s.cfg.span(),
			InWindow: a.rt.win.count(), Queued: a.q.len(),
		})
	case *injectedPanic:
		panic(m.reason)
	case *actor.Restarting:
		a.refuseAll(c, ErrLimiterRestarted)
		a.stopTimer()
	case *actor.Stopping:
		a.refuseAll(c, ErrLimiterDown)
		a.stopTimer()
		a.rt.sh.stop(a.s)
	case *actor.Stopped:
		a.stopTimer()
		a.rt.sh.wait()
		a.s.cfg.hooks.emit("rate", "stopped", 0)
	}
}

// dispatch grants as many starts as the window allows, to the waiters
// whose lanes are not paused, and arms the timer for the next change. In
// a cluster a grant also needs a cluster grant in hand (rateShared).
func (a *rateActor) dispatch(c actor.Context) {
	now := time.Now()
	win := a.rt.win
	if forced := win.prune(now); forced > 0 {
		a.log.Warn("grants never reported as started; counted as starting now", "count", forced)
	}
	for lane, until := range a.rt.paused {
		if !now.Before(until) {
			delete(a.rt.paused, lane)
		}
	}
	eligible := func(w *waiter) bool {
		_, paused := a.rt.paused[w.lane]
		return !paused
	}
	for win.free() && a.rt.sh.ready() {
		w := a.q.next(eligible)
		if w == nil {
			break
		}
		win.add(w.ticket, now)
		a.rt.sh.bind(c, a.s, w.ticket, now)
		a.s.cfg.hooks.emit("rate", "granted", w.ticket)
		c.Send(w.replyTo, &granted{})
	}
	if win.count() > a.s.cfg.RatePerSecond {
		panic(&invariantViolation{what: "rate: more starts in the window than the rate"})
	}

	// Next wake: when a slot frees, if someone is waiting for one; when a
	// pause that holds a waiter ends; otherwise, while starts remain in
	// the window, now and then to keep the window gauge honest once
	// traffic stops (coalesced, so an idle or unlimited actor does not
	// wake for every start that ages out).
	var next time.Time
	ok := false
	consider := func(t time.Time) {
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	waiting := 0 // eligible waiters left
	a.q.each(func(w *waiter) {
		if until, paused := a.rt.paused[w.lane]; paused {
			consider(until)
		} else {
			waiting++
		}
	})
	blocked := waiting > 0
	if t, retry := a.rt.sh.ask(c, a.s, now, waiting, win.count()); retry {
		consider(t)
	}
	if t, has := win.nextChange(); has {
		if blocked {
			consider(t)
		} else if !ok {
			consider(maxTime(t, now.Add(gaugeRefresh)))
		}
	}
	if ok {
		a.arm(next)
	}
	a.s.m.windowCount.Set(float64(win.count()))
	a.s.m.rateQueued.Set(float64(a.q.len()))
}

// gaugeRefresh is how often an otherwise idle rate actor wakes to let
// starts age out of the window gauge.
const gaugeRefresh = 100 * time.Millisecond

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// arm makes sure a rateWake arrives by at; an earlier pending wake stays.
func (a *rateActor) arm(at time.Time) {
	if a.timer != nil && !a.timerAt.IsZero() && !at.Before(a.timerAt) {
		return
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	self, root := a.self, a.s.sys.Root
	a.timerAt = at
	a.timer = time.AfterFunc(time.Until(at), func() { root.Send(self, &rateWake{}) })
}

func (a *rateActor) stopTimer() {
	if a.timer != nil {
		a.timer.Stop()
		a.timer, a.timerAt = nil, time.Time{}
	}
}

func (a *rateActor) refuseAll(c actor.Context, kind error) {
	for _, w := range a.q.drain() {
		c.Send(w.replyTo, &refused{kind: kind})
	}
	a.s.m.rateQueued.Set(0)
}
