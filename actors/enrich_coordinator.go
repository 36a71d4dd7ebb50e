package actors

import (
	"context"
	"slices"
	"sync/atomic"

	"dj/mix"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages of the enrichment coordinator. They carry Go channels, so they
// stay inside one process; cluster mode would turn the reply into a PID.

// enrichJoin asks for the features of ref; the answer goes to reply
// (buffered, one value).
type enrichJoin struct {
	ref    TrackRef
	waiter uint64
	reply  chan<- mix.Features
	reqID  string
	budget *Budget
}

// enrichLeave withdraws a waiter whose context ended.
type enrichLeave struct {
	track  string
	waiter uint64
}

// enrichDone is a lookup worker's result.
type enrichDone struct {
	l *lookup
	f mix.Features
}

func (*enrichJoin) IgnoreDeadLetterLogging()  {}
func (*enrichLeave) IgnoreDeadLetterLogging() {}
func (*enrichDone) IgnoreDeadLetterLogging()  {}

// lookup is one track's enrichment in flight (or queued for a slot) and
// the callers waiting for it.
type lookup struct {
	ref     TrackRef
	reqID   string  // of the caller that started it, for its logs
	budget  *Budget // of that caller: its calls count against its request
	waiters map[uint64]chan<- mix.Features
	cancel  context.CancelFunc // set once started
	dropped bool               // every waiter left before it started
}

// enrichState is the coordinator's bookkeeping. It lives outside the
// actor instance so that a restart (after a panic) still knows how many
// workers are running; only the actor's goroutine touches it.
type enrichState struct {
	active  map[string]*lookup // by track id: in flight or queued
	queue   []*lookup          // waiting for a slot, oldest first
	running int                // workers started and not yet reported
}

func newEnrichState() *enrichState { return &enrichState{active: map[string]*lookup{}} }

// enrichCoordinator is the "enrichment" actor: it owns the in-flight
// lookups by track id, so the first request for a track starts a lookup
// and later ones wait on it, and it keeps the bounds (lookups in flight,
// waiters per lookup, queued lookups).
//
// A lookup runs as a tracked goroutine the coordinator owns rather than a
// child actor: it is a chain of blocking calls (each Do waits for a
// permit, a grant and the round trip), which an actor would run inside
// one Receive with its mailbox stalled anyway. As tracked work, Shutdown
// drains it and a panic is recovered and recorded; cancelling its context
// (when the last waiter leaves) stops it mid-call; it reports back with
// one message, so all state changes stay on this actor's goroutine.
type enrichCoordinator struct {
	e  *Enricher
	st *enrichState
}

// Receive handles the coordinator's messages.
func (a *enrichCoordinator) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *enrichJoin:
		a.join(c, m)
	case *enrichLeave:
		a.leave(m)
	case *enrichDone:
		a.done(c, m)
	case *actor.Restarting:
		// The bookkeeping may be half-updated: answer every waiter with
		// what is known (nothing) and start afresh. Running workers still
		// report, which keeps the running count right.
		a.abandon("coordinator restarting")
	case *actor.Stopping:
		a.abandon("coordinator stopping")
	case *actor.Stopped:
		a.e.stopOnce.Do(func() { close(a.e.stopped) })
	}
}

func (a *enrichCoordinator) join(c actor.Context, m *enrichJoin) {
	e, st := a.e, a.st
	if l := st.active[m.ref.ID]; l != nil {
		if len(l.waiters) >= e.cfg.MaxWaiters {
			e.stats.overflow.Add(1)
			e.log.Warn("enrichment waiters full; answering without enrichment",
				"request_id", m.reqID, "track", m.ref.ID, "max_waiters", e.cfg.MaxWaiters)
			reply(m.reply, mix.Features{TrackID: m.ref.ID})
			return
		}
		l.waiters[m.waiter] = m.reply
		e.stats.joins.Add(1)
		return
	}
	l := &lookup{ref: m.ref, reqID: m.reqID, budget: m.budget,
		waiters: map[uint64]chan<- mix.Features{m.waiter: m.reply}}
	if st.running < e.cfg.MaxLookups {
		st.active[m.ref.ID] = l
		a.start(c, l)
		return
	}
	if len(st.queue) >= e.cfg.MaxQueued {
		e.stats.overflow.Add(1)
		e.log.Warn("enrichment queue full; answering without enrichment",
			"request_id", m.reqID, "track", m.ref.ID, "max_queued", e.cfg.MaxQueued)
		reply(m.reply, mix.Features{TrackID: m.ref.ID})
		return
	}
	st.active[m.ref.ID] = l
	st.queue = append(st.queue, l)
	e.stats.queued.Store(int64(len(st.queue)))
}

// leave removes a waiter; the last one to leave cancels the lookup
// (nobody is left to use its answer, and its cache write can wait for
// the next request).
func (a *enrichCoordinator) leave(m *enrichLeave) {
	l := a.st.active[m.track]
	if l == nil {
		return
	}
	delete(l.waiters, m.waiter)
	if len(l.waiters) > 0 {
		return
	}
	delete(a.st.active, m.track)
	if l.cancel == nil {
		l.dropped = true // still queued: skipped when its turn comes
		return
	}
	l.cancel()
	a.e.stats.cancelled.Add(1)
}

// done answers every waiter of a finished lookup and starts queued ones.
func (a *enrichCoordinator) done(c actor.Context, m *enrichDone) {
	st := a.st
	st.running--
	a.e.stats.running.Store(int64(st.running))
	m.l.cancel()
	if st.active[m.l.ref.ID] == m.l {
		delete(st.active, m.l.ref.ID)
		for _, ch := range m.l.waiters {
			reply(ch, m.f)
		}
	}
	a.startQueued(c)
}

func (a *enrichCoordinator) startQueued(c actor.Context) {
	st := a.st
	for st.running < a.e.cfg.MaxLookups && len(st.queue) > 0 {
		l := st.queue[0]
		st.queue[0] = nil
		st.queue = st.queue[1:]
		if !l.dropped {
			a.start(c, l)
		}
	}
	if len(st.queue) == 0 {
		st.queue = nil // let the backing array go
	}
	a.e.stats.queued.Store(int64(len(st.queue)))
}

// start runs l's worker as tracked work. Its context carries the starting
// caller's request ID and budget but not its cancellation: the lookup
// serves every waiter and is cancelled only when all of them have left.
func (a *enrichCoordinator) start(c actor.Context, l *lookup) {
	e, st := a.e, a.st
	ctx := WithPriority(WithRequestID(context.Background(), l.reqID), PriorityBackground)
	if l.budget != nil {
		ctx = WithBudget(ctx, l.budget)
	}
	ctx, l.cancel = context.WithCancel(ctx)
	self, root := c.Self(), e.s.sys.Root
	var began atomic.Bool
	tr := e.s.NewTracker(ctx)
	tr.Go("enrich/"+l.ref.ID, func(ctx context.Context) error {
		began.Store(true)
		f, finished := mix.Features{TrackID: l.ref.ID}, false
		// Deferred so that a panic (recovered and recorded by the
		// tracker) still frees the slot and answers the waiters.
		defer func() {
			if !finished {
				e.stats.panics.Add(1)
			}
			root.Send(self, &enrichDone{l: l, f: f})
		}()
		var err error
		f, err = e.run(ctx, l.ref)
		finished = true
		return err
	})
	if !began.Load() && tr.Status().Pending == 0 {
		// The tracker refused: the System is shutting down.
		l.cancel()
		delete(st.active, l.ref.ID)
		for _, ch := range l.waiters {
			reply(ch, mix.Features{TrackID: l.ref.ID})
		}
		return
	}
	st.running++
	e.stats.started.Add(1)
	e.stats.running.Store(int64(st.running))
}

// abandon answers every waiter with an empty result and cancels every
// lookup; workers still running report later and only free their slot.
func (a *enrichCoordinator) abandon(why string) {
	st := a.st
	if len(st.active) > 0 {
		a.e.log.Info("enrichment lookups abandoned", "reason", why, "lookups", len(st.active))
	}
	for id, l := range st.active {
		if l.cancel != nil {
			l.cancel()
		}
		for _, ch := range l.waiters {
			reply(ch, mix.Features{TrackID: id})
		}
	}
	st.active = map[string]*lookup{}
	st.queue = nil
	a.e.stats.queued.Store(0)
}

// reply hands f to a waiter without ever blocking the actor: each waiter
// has a one-slot buffer and gets at most one answer. Every waiter gets its
// own copy, so one caller changing its result cannot race with another.
func reply(ch chan<- mix.Features, f mix.Features) {
	select {
	case ch <- cloneFeatures(f):
	default:
	}
}

// cloneFeatures deep-copies the pointers and lists of f.
func cloneFeatures(f mix.Features) mix.Features {
	f.BPM = clonePtr(f.BPM)
	f.Gain = clonePtr(f.Gain)
	f.Rank = clonePtr(f.Rank)
	f.Energy = clonePtr(f.Energy)
	f.Tags = slices.Clone(f.Tags)
	f.Similar = slices.Clone(f.Similar)
	return f
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
