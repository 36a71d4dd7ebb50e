package actors

import (
	"context"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// laneShared is a lane actor's side of the cluster-wide lane cap: the
// leases it holds. It lives in laneRuntime, so a restarted lane actor
// keeps renewing the leases of permits still out. Only the lane actor
// touches it; round trips run in goroutines whose answers come back as
// sharedLeaseDone messages.
//
// Every permit out holds one lease (holder.lease), taken before the
// permit is granted and released with it. Leases are asked for before a
// waiter is picked (they are interchangeable), only while waiters lack
// one and the local cap has room, at most sharedAsks at a time; after a
// refusal the actor asks again one SharedPoll later. While the lane holds
// leases it renews them every third of SharedTTL, so a node that dies
// frees its leases one TTL after its last renewal.
type laneShared struct {
	link *sharedLink
	lane string
	cap  int

	sharedHand // asking: TryLease round trips out; inHand: leases no waiter has yet
}

func newLaneShared(link *sharedLink, lane Lane, cap int) *laneShared {
	if link == nil {
		return nil
	}
	return &laneShared{link: link, lane: string(lane), cap: cap}
}

// ready reports whether a permit may be granted: always when the System
// runs alone, else while a lease is in hand.
func (sh *laneShared) ready() bool { return sh == nil || len(sh.inHand) > 0 }

// take hands one lease in hand to a permit ("" when the System runs
// alone).
func (sh *laneShared) take() string {
	if sh == nil {
		return ""
	}
	id := sh.inHand[0]
	sh.inHand = sh.inHand[1:]
	return id
}

// ask runs at the end of every dispatch with the waiters that could be
// granted (none while the lane is paused) and the permits out: it
// releases leases nobody waits for, asks for the ones waiters lack, and
// says when to wake (ok) if waiters must wait for a retry.
func (sh *laneShared) ask(c actor.Context, s *System, now time.Time, waiting, out int) (time.Time, bool) {
	if sh == nil {
		return time.Time{}, false
	}
	need, wake, held := sh.plan(now, waiting, sh.cap-out, func(id string) { sh.release(s, id) })
	if held {
		return wake, true
	}
	if need <= 0 {
		return time.Time{}, false
	}
	root, self, link, lane, cap := s.sys.Root, c.Self(), sh.link, sh.lane, sh.cap
	for range need {
		id := link.newID("lease")
		sh.asking++
		sh.ops.goRun(func() {
			refused, err := link.call(s, "try_lease", func(ctx context.Context) (bool, error) {
				ok, err := link.limits.TryLease(ctx, lane, id, cap, link.ttl)
				return !ok, err
			})
			granted := err == nil && !refused
			if sh.ops.closed.Load() {
				if granted { // the actor is gone: nobody will use it
					_, _ = link.call(s, "release", func(ctx context.Context) (bool, error) {
						return false, link.limits.Release(ctx, lane, id)
					})
				}
				return
			}
			root.Send(self, &sharedLeaseDone{id: id, granted: granted, err: err})
		})
	}
	return time.Time{}, false
}

// done takes one TryLease answer. failed means the shared limits did not
// answer: the actor refuses its waiters (fail closed) and asks again no
// sooner than one poll later.
func (sh *laneShared) done(c actor.Context, s *System, name string, m *sharedLeaseDone, now time.Time) (failed bool) {
	sh.asking--
	switch {
	case m.err != nil:
		sh.retryAt = now.Add(sh.link.poll)
		s.cfg.hooks.emit(name, "shared:failed", 0)
		return true
	case m.granted:
		sh.inHand = append(sh.inHand, m.id)
		sh.renew.arm(sh.link.renew, s.sys.Root, c.Self())
		s.cfg.hooks.emit(name, "shared:granted", 0)
	default:
		sh.retryAt = now.Add(sh.link.poll)
		s.cfg.hooks.emit(name, "shared:refused", 0)
	}
	return false
}

// release gives lease id back ("" is no lease: nothing to do).
func (sh *laneShared) release(s *System, id string) {
	if sh == nil || id == "" {
		return
	}
	link, lane := sh.link, sh.lane
	sh.ops.goRun(func() {
		_, _ = link.call(s, "release", func(ctx context.Context) (bool, error) {
			return false, link.limits.Release(ctx, lane, id)
		})
	})
}

// onRenew renews every lease the lane holds (permits out and leases in
// hand) and re-arms while any are held. A lease that expired before its
// renewal (the shared store was unreachable for a whole TTL) cannot be
// brought back: that is logged, since the lane may then briefly exceed
// its cluster-wide cap.
func (sh *laneShared) onRenew(c actor.Context, s *System, ledger map[uint64]holder) {
	sh.renew.fired()
	ids := make([]string, 0, len(ledger)+len(sh.inHand))
	for _, h := range ledger {
		if h.lease != "" {
			ids = append(ids, h.lease)
		}
	}
	ids = append(ids, sh.inHand...)
	if len(ids) == 0 {
		return
	}
	link, lane := sh.link, sh.lane
	root, self := s.sys.Root, c.Self()
	sh.ops.goRun(func() {
		var renewed int
		_, err := link.call(s, "renew", func(ctx context.Context) (bool, error) {
			n, err := link.limits.Renew(ctx, lane, ids, link.ttl)
			renewed = n
			return false, err
		})
		if err == nil && renewed < len(ids) && !sh.ops.closed.Load() {
			root.Send(self, &sharedRenewed{ids: ids, renewed: renewed})
		}
	})
	sh.renew.arm(sh.link.renew, s.sys.Root, c.Self())
}

// renewed checks a renewal that did not renew every lease it was given:
// leases released meanwhile are fine; fewer renewals than leases still
// held means some expired while held.
func (sh *laneShared) renewed(s *System, log *slog.Logger, ledger map[uint64]holder, m *sharedRenewed) {
	live := map[string]bool{}
	for _, h := range ledger {
		live[h.lease] = true
	}
	for _, id := range sh.inHand {
		live[id] = true
	}
	held := 0
	for _, id := range m.ids {
		if live[id] {
			held++
		}
	}
	if lost := held - m.renewed; lost > 0 {
		s.m.sharedCalls.WithLabelValues("renew", "lost").Add(float64(lost))
		log.Warn("lane leases expired while held; the lane may briefly exceed its cluster-wide cap",
			"lost", lost, "held", held)
	}
}

// stop runs when the lane actor stops: leases in hand go back; leases of
// permits still out stay (their calls may still run) and expire one TTL
// after the last renewal.
func (sh *laneShared) stop(s *System) {
	if sh == nil {
		return
	}
	sh.close(func(id string) { sh.release(s, id) })
}

// wait blocks until every round trip has ended (each is bounded by
// SharedTimeout).
func (sh *laneShared) wait() {
	if sh != nil {
		sh.ops.wg.Wait()
	}
}

// sharedRenewed reports a lease renewal that renewed fewer than it was
// given.
type sharedRenewed struct {
	ids     []string
	renewed int
}

func (*sharedRenewed) IgnoreDeadLetterLogging() {}
