package actors

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// rateShared is the rate actor's side of the cluster-wide window. It
// lives in rateRuntime, so a restarted rate actor keeps it with the local
// window. Only the rate actor touches it; its round trips run in
// goroutines whose answers come back as sharedStartDone messages.
//
// A cluster grant is asked for before a waiter is picked (grants are
// interchangeable), so the queue's priorities decide who gets it once it
// is in hand. The actor asks only while waiters are blocked by the
// cluster and the local window has room for them, keeps at most
// sharedAsks round trips out, and after a refusal waits for the slot the
// answer names (at most SharedPoll) before asking again: it never polls
// faster, and a slot freed on another node is seen within SharedPoll.
type rateShared struct {
	link  *sharedLink
	limit int
	span  time.Duration
	stale time.Duration // a held start older than this stopped being renewed

	sharedHand                      // asking: TryStart round trips out; inHand: granted starts no waiter has yet, oldest first
	held       map[uint64]heldStart // granted to a ticket, not yet stamped or returned
}

type heldStart struct {
	id string
	at time.Time
}

func newRateShared(link *sharedLink, cfg Config, stale time.Duration) *rateShared {
	if link == nil {
		return nil
	}
	return &rateShared{
		link: link, limit: cfg.RatePerSecond, span: cfg.span(), stale: stale,
		held: map[uint64]heldStart{},
	}
}

// ready reports whether a grant may go to a waiter: always when the
// System runs alone, else while a cluster grant is in hand.
func (sh *rateShared) ready() bool { return sh == nil || len(sh.inHand) > 0 }

// bind gives ticket the oldest cluster grant in hand.
func (sh *rateShared) bind(c actor.Context, s *System, ticket uint64, now time.Time) {
	if sh == nil {
		return
	}
	id := sh.inHand[0]
	sh.inHand = sh.inHand[1:]
	sh.held[ticket] = heldStart{id: id, at: now}
	sh.renew.arm(sh.link.renew, s.sys.Root, c.Self())
}

// ask runs at the end of every dispatch, with the waiters still eligible
// and the local window's count: it gives back grants nobody waits for,
// asks for the ones waiters lack, and says when to wake (ok) if waiters
// must wait for a retry.
func (sh *rateShared) ask(c actor.Context, s *System, now time.Time, waiting, live int) (time.Time, bool) {
	if sh == nil {
		return time.Time{}, false
	}
	need, wake, held := sh.plan(now, waiting, sh.limit-live, func(id string) { sh.returnID(s, id) })
	if held {
		return wake, true
	}
	if need <= 0 {
		return time.Time{}, false
	}
	root, self, link := s.sys.Root, c.Self(), sh.link
	for range need {
		id := link.newID("start")
		sh.asking++
		sh.ops.goRun(func() {
			var wait time.Duration
			refused, err := link.call(s, "try_start", func(ctx context.Context) (bool, error) {
				ok, w, err := link.limits.TryStart(ctx, id, sh.limit, sh.span, link.ttl)
				wait = w
				return !ok, err
			})
			granted := err == nil && !refused
			if sh.ops.closed.Load() {
				if granted { // the actor is gone: nobody will use it
					_, _ = link.call(s, "return", func(ctx context.Context) (bool, error) {
						return false, link.limits.Return(ctx, id)
					})
				}
				return
			}
			root.Send(self, &sharedStartDone{id: id, granted: granted, retryAfter: wait, err: err})
		})
	}
	return time.Time{}, false
}

// done takes one TryStart answer. failed means the shared limits did not
// answer: the actor refuses its waiters (fail closed) and asks again no
// sooner than one poll later.
func (sh *rateShared) done(c actor.Context, s *System, m *sharedStartDone, now time.Time) (failed bool) {
	sh.asking--
	switch {
	case m.err != nil:
		sh.retryAt = now.Add(sh.link.poll)
		s.cfg.hooks.emit("rate", "shared:failed", 0)
		return true
	case m.granted:
		sh.inHand = append(sh.inHand, m.id)
		sh.renew.arm(sh.link.renew, s.sys.Root, c.Self())
		s.cfg.hooks.emit("rate", "shared:granted", 0)
	default:
		sh.retryAt = now.Add(sh.link.clampRetry(m.retryAfter))
		s.cfg.hooks.emit("rate", "shared:refused", 0)
	}
	return false
}

// stamp forwards the stamp of ticket's start: from the shared store's now
// it counts for span.
func (sh *rateShared) stamp(s *System, ticket uint64) {
	if sh == nil {
		return
	}
	h, ok := sh.held[ticket]
	if !ok {
		return
	}
	delete(sh.held, ticket)
	link, span := sh.link, sh.span
	sh.ops.goRun(func() {
		_, _ = link.call(s, "stamp", func(ctx context.Context) (bool, error) {
			return false, link.limits.Stamp(ctx, h.id, span)
		})
	})
}

// giveBack returns the cluster grant of a ticket whose request never went
// out.
func (sh *rateShared) giveBack(s *System, ticket uint64) {
	if sh == nil {
		return
	}
	if h, ok := sh.held[ticket]; ok {
		delete(sh.held, ticket)
		sh.returnID(s, h.id)
	}
}

func (sh *rateShared) returnID(s *System, id string) {
	link := sh.link
	sh.ops.goRun(func() {
		_, _ = link.call(s, "return", func(ctx context.Context) (bool, error) {
			return false, link.limits.Return(ctx, id)
		})
	})
}

// onRenew holds the pending starts (in hand, or granted and not yet
// stamped) for another TTL. A start held past the local window's stale
// bound (its caller never reported) is let go: it lapses in the cluster
// window after one more TTL, as it is force-stamped locally.
func (sh *rateShared) onRenew(c actor.Context, s *System, now time.Time) {
	sh.renew.fired()
	ids := make([]string, 0, len(sh.held)+len(sh.inHand))
	for t, h := range sh.held {
		if now.Sub(h.at) >= sh.stale {
			delete(sh.held, t)
			continue
		}
		ids = append(ids, h.id)
	}
	ids = append(ids, sh.inHand...)
	if len(ids) == 0 {
		return
	}
	link, span := sh.link, sh.span
	sh.ops.goRun(func() {
		_, _ = link.call(s, "hold", func(ctx context.Context) (bool, error) {
			_, err := link.limits.Hold(ctx, ids, link.ttl, span)
			return false, err
		})
	})
	sh.renew.arm(sh.link.renew, s.sys.Root, c.Self())
}

// stop runs when the rate actor stops: grants in hand go back; starts
// already granted stay until stamped or their hold lapses.
func (sh *rateShared) stop(s *System) {
	if sh == nil {
		return
	}
	sh.close(func(id string) { sh.returnID(s, id) })
}

// wait blocks until every round trip has ended (each is bounded by
// SharedTimeout).
func (sh *rateShared) wait() {
	if sh != nil {
		sh.ops.wg.Wait()
	}
}
