package actors

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Timer messages of a poller. Each carries the generation of the timer
// that sent it, so a message from a timer that was stopped or replaced
// after it fired is ignored.
type (
	pollTick      struct{ gen uint64 }
	pollerGrace   struct{ gen uint64 }
	streamExpired struct{ id string }
)

func (*pollTick) IgnoreDeadLetterLogging()      {}
func (*pollerGrace) IgnoreDeadLetterLogging()   {}
func (*streamExpired) IgnoreDeadLetterLogging() {}

// pollerState is one user's poller state. It lives outside the actor
// instance, so a restart by supervision keeps the streams, the last state
// and the seq (no duplicate init, no lost track change); only the
// actor's goroutine touches it.
type pollerState struct {
	userID   string
	subs     map[string]*pollSub // by the stream writer's actor id
	received uint64              // subscriptions handed over by the registry

	ctx    context.Context // ends when the poller stops: polls in flight give up
	cancel context.CancelFunc

	tick     *time.Timer // nil: not ticking (no stream, or stopped)
	tickGen  uint64
	grace    *time.Timer
	graceGen uint64

	seq      uint64 // polls sent
	inFlight bool
	last     *playerView // the latest successful poll's state, nil before one
	lastSeq  uint64
	errors   int // consecutive failed polls
	slow     int // backoff exponent: the interval is Interval<<slow
	clock    listenClock

	checking  bool      // a periodic queue check is out
	lastCheck time.Time // when the last one started

	moves  []trackMove // track changes waiting to be recorded, in order
	moving bool        // one is being recorded
}

// pollSub is one stream subscribed to the poller.
type pollSub struct {
	st    *Stream
	fresh bool        // has not had its init yet
	life  *time.Timer // closes the stream with reconnect after Lifetime
}

func newPollerState(userID string) *pollerState {
	return &pollerState{userID: userID, subs: map[string]*pollSub{}}
}

// pollerActor polls one user's playback while that user has streams
// open, and is the only writer of those streams' poll events and the only
// reporter of the user's track changes. It never blocks: polls, mix
// updates and queue checks run in goroutines that report back with a
// message, and Stream.Send never waits (a stream that falls behind is
// closed by its writer as a slow consumer and then dropped here).
type pollerActor struct {
	p *Players
	s *pollerState
}

// Receive dispatches the poller's messages.
func (a *pollerActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.started(c)
	case *pollerSubscribe:
		a.subscribe(c, m)
	case *actor.Terminated: // a watched stream writer stopped
		a.drop(c, m.Who.Id)
	case *streamExpired:
		if sub := a.s.subs[m.id]; sub != nil {
			final := playerReconnect()
			_ = sub.st.Close(&final)
			a.drop(c, m.id)
		}
	case *pollTick:
		a.tick(c, m)
	case *pollDone:
		a.polled(c, m)
	case *queueChecked:
		a.queueChecked(c, m)
	case *trackMoved:
		a.moved(c)
	case *pollerGrace:
		a.graceOver(c, m)
	case *injectedPanic:
		panic(m.reason)
	case *actor.Restarting:
		a.pauseTimers()
	case *actor.Stopping:
		a.stopping()
	}
}

// started sets the poller up, or, after a restart, resumes ticking for
// the streams it already has.
func (a *pollerActor) started(c actor.Context) {
	s := a.s
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	if len(s.subs) > 0 {
		a.armTick(c, 0)
	} else {
		a.armGrace(c)
	}
}

// subscribe takes a stream: it is watched (its writer's stop drops it),
// given its init at once when the last poll is recent, and closed with
// reconnect after Lifetime.
func (a *pollerActor) subscribe(c actor.Context, m *pollerSubscribe) {
	s, st := a.s, m.stream
	s.received++
	if st.Err() != nil {
		return // closed before it got here
	}
	id := st.pid.Id
	c.Watch(st.pid)
	root, self := a.p.sys.Actors().Root, c.Self()
	sub := &pollSub{st: st, fresh: true}
	sub.life = time.AfterFunc(a.p.cfg.Lifetime, func() { root.Send(self, &streamExpired{id: id}) })
	s.subs[id] = sub
	a.stopGrace()
	now := time.Now()
	if v := s.last; v != nil && now.Sub(v.at) <= 2*a.interval() {
		a.send(c, id, sub, playerEvent(PlayerEventInit, v.init(s.lastSeq, now)))
		sub.fresh = false
	}
	if s.tick == nil {
		a.armTick(c, 0)
	}
	a.p.log.Debug("player stream subscribed", "user_id", s.userID, "stream", st.ID(), "request_id", m.reqID, "streams", len(s.subs))
}

// drop forgets a stream (closed, expired, or refusing events). Without
// streams the poller stops polling and, after Grace, asks to be stopped.
func (a *pollerActor) drop(c actor.Context, id string) {
	s := a.s
	sub := s.subs[id]
	if sub == nil {
		return
	}
	delete(s.subs, id)
	sub.life.Stop()
	// No Unwatch: the writer may be gone already (an Unwatch to it would
	// be a dead letter), and its Terminated, if it comes later, finds
	// nothing to drop.
	if len(s.subs) == 0 {
		a.stopTick()
		a.armGrace(c)
	}
}

// send gives one stream one event; a stream that refuses it is closing
// (slow, gone) and is dropped.
func (a *pollerActor) send(c actor.Context, id string, sub *pollSub, ev Event) {
	if err := sub.st.Send(ev); err != nil {
		a.drop(c, id)
	}
}

// broadcast sends evs to every stream that has had its init, and init
// (from the latest state) to those still waiting for one.
func (a *pollerActor) broadcast(c actor.Context, evs []Event) {
	s := a.s
	var init *Event
	for id, sub := range s.subs {
		if sub.fresh {
			if s.last == nil {
				continue
			}
			if init == nil {
				ev := playerEvent(PlayerEventInit, s.last.init(s.lastSeq, s.last.at))
				init = &ev
			}
			sub.fresh = false
			a.send(c, id, sub, *init)
			continue
		}
		for _, ev := range evs {
			if _, ok := s.subs[id]; !ok {
				break
			}
			a.send(c, id, sub, ev)
		}
	}
}

// closeAll ends every stream with final as its last event.
func (a *pollerActor) closeAll(c actor.Context, final Event) {
	for id, sub := range a.s.subs {
		_ = sub.st.Close(&final)
		a.drop(c, id)
	}
}

// armTick schedules the next tick after d (with ±10 % jitter, so the
// pollers of many users do not fire together).
func (a *pollerActor) armTick(c actor.Context, d time.Duration) {
	s := a.s
	if s.tick != nil {
		s.tick.Stop()
	}
	s.tickGen++
	gen := s.tickGen
	root, self := a.p.sys.Actors().Root, c.Self()
	s.tick = time.AfterFunc(jitter(d), func() { root.Send(self, &pollTick{gen: gen}) })
}

func (a *pollerActor) stopTick() {
	s := a.s
	if s.tick != nil {
		s.tick.Stop()
		s.tick = nil
	}
	s.tickGen++
}

func (a *pollerActor) armGrace(c actor.Context) {
	s := a.s
	a.stopGrace()
	gen := s.graceGen
	root, self := a.p.sys.Actors().Root, c.Self()
	s.grace = time.AfterFunc(a.p.cfg.Grace, func() { root.Send(self, &pollerGrace{gen: gen}) })
}

func (a *pollerActor) stopGrace() {
	s := a.s
	if s.grace != nil {
		s.grace.Stop()
		s.grace = nil
	}
	s.graceGen++
}

// graceOver asks the registry to stop the poller when it still has no
// stream.
func (a *pollerActor) graceOver(c actor.Context, m *pollerGrace) {
	s := a.s
	if m.gen != s.graceGen || len(s.subs) > 0 {
		return
	}
	s.grace = nil
	c.Send(c.Parent(), &pollerIdle{userID: s.userID, pid: c.Self(), received: s.received})
}

// pauseTimers stops the timers before a restart; Started re-arms them.
func (a *pollerActor) pauseTimers() {
	a.stopTick()
	a.stopGrace()
}

// stopping ends the poller: its polls in flight give up, and any stream
// still subscribed (a stop by supervision, or shutdown) is closed so its
// client reconnects to a fresh poller.
func (a *pollerActor) stopping() {
	s := a.s
	a.pauseTimers()
	if s.cancel != nil {
		s.cancel()
	}
	final := playerEvent(PlayerEventError, PlayerError{Code: "player_unavailable", Message: "live playback stopped; reconnect"})
	for id, sub := range s.subs {
		sub.life.Stop()
		_ = sub.st.Close(&final)
		delete(s.subs, id)
	}
}
