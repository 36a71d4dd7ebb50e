package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages of the poller registry and the pollers.
type (
	// pollerSubscribe hands a stream to its user's poller (through the
	// registry, which starts the poller if needed).
	pollerSubscribe struct {
		userID string
		stream *Stream
		reqID  string
	}
	// pollerIdle: a poller has had no stream for Grace. received is how
	// many subscriptions it has been handed, so the registry can tell
	// whether one is still on its way.
	pollerIdle struct {
		userID   string
		pid      *actor.PID
		received uint64
	}
	// pollerCount asks the registry how many pollers are alive. Reply: int.
	pollerCount struct{}
)

func (*pollerSubscribe) IgnoreDeadLetterLogging() {}
func (*pollerIdle) IgnoreDeadLetterLogging()      {}

// pollerRegistry ("pollers") parents one poller per user
// ("pollers/poller/<userID>"): it starts a user's poller with their
// first stream and stops it once it reports itself idle.
//
// Stopping without losing a stream: a poller only asks to be stopped,
// with the number of subscriptions it has received; the registry stops it
// only when that is every subscription it forwarded, so none is in the
// poller's mailbox. Subscriptions that arrive while it stops are held and
// handed to a fresh poller once the old one has terminated (two pollers
// of one user never exist at once: each would report every track change).
type pollerRegistry struct {
	p    *Players
	live map[string]*pollerEntry
	// closing: the registry itself is stopping, so its pollers stop with
	// it rather than by supervision (no warning for each).
	closing bool
}

// pollerEntry is the registry's view of one user's poller.
type pollerEntry struct {
	pid       *actor.PID
	forwarded uint64
	stopping  bool
	held      []*pollerSubscribe
}

// Receive routes subscriptions and manages the pollers' lifecycle.
func (r *pollerRegistry) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		r.live = map[string]*pollerEntry{}
	case *actor.Stopping:
		r.closing = true
	case *pollerSubscribe:
		r.route(c, m)
	case *pollerIdle:
		r.passivate(c, m)
	case *actor.Terminated:
		r.terminated(c, m.Who)
	case *pollerCount:
		c.Respond(len(r.live))
	}
}

// route hands a subscription to the user's poller, starting it if needed.
func (r *pollerRegistry) route(c actor.Context, m *pollerSubscribe) {
	e := r.live[m.userID]
	if e != nil && e.stopping {
		e.held = append(e.held, m)
		return
	}
	if e == nil {
		p := r.p
		state := newPollerState(m.userID)
		props := p.sys.Props("poller", func() actor.Actor { return &pollerActor{p: p, s: state} })
		pid, err := c.SpawnNamed(props, ActorName("poller", m.userID))
		if err != nil {
			p.log.Error("poller not started; the stream is closed", "user_id", m.userID, "request_id", m.reqID, "err", err)
			_ = m.stream.Fail("unavailable", "live playback is not available right now; reconnect shortly")
			return
		}
		p.pollers.Add(1)
		e = &pollerEntry{pid: pid}
		r.live[m.userID] = e
	}
	e.forwarded++
	c.Send(e.pid, m)
}

// passivate stops a poller that reported itself idle, unless a
// subscription is still on its way to it.
func (r *pollerRegistry) passivate(c actor.Context, m *pollerIdle) {
	e := r.live[m.userID]
	if e == nil || e.stopping || !e.pid.Equal(m.pid) || e.forwarded != m.received {
		return
	}
	e.stopping = true
	c.Stop(e.pid)
	r.p.log.Debug("poller stopped: no stream left", "user_id", m.userID)
}

// terminated forgets a stopped poller and hands held subscriptions to a
// fresh one.
func (r *pollerRegistry) terminated(c actor.Context, who *actor.PID) {
	for userID, e := range r.live {
		if !e.pid.Equal(who) {
			continue
		}
		delete(r.live, userID)
		r.p.pollers.Add(-1)
		if !e.stopping && !r.closing {
			r.p.log.Warn("poller stopped by supervision; its streams were closed", "user_id", userID)
		}
		for _, m := range e.held {
			r.route(c, m)
		}
		return
	}
}

// pollerStrategy supervises the pollers: a failed poller is restarted
// with its state (kept outside the actor instance), at most Restarts
// times within RestartWindow; after that it is stopped, which closes its
// streams, and the user's next stream starts a fresh one.
type pollerStrategy struct{ p *Players }

// HandleFailure restarts or stops the failed poller.
func (st *pollerStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, msg any) {
	cfg := st.p.cfg
	log := st.p.log.With("actor", child.Id, "reason", fmt.Sprint(reason), "message", messageName(msg))
	rs.Fail()
	if n := rs.NumberOfFailures(cfg.RestartWindow); n > cfg.Restarts {
		rs.Reset()
		log.Error("poller failed too often; stopping it and closing its streams", "failures", n, "within", cfg.RestartWindow.String())
		sup.StopChildren(child)
		return
	}
	log.Warn("poller failed; restarting it with its state")
	sup.RestartChildren(child)
}
