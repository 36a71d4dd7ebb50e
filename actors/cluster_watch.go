package actors

import (
	"context"
	"log/slog"
	"sync"

	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/asynkron/protoactor-go/remote"
)

// ErrMemberLost: a request reached a grain on another cluster member, and
// that member was lost before it answered: it left the member list, or
// the connection to it broke (a killed process). The request may or may
// not have been applied there, so it is not sent again; the caller gets
// the answer a timeout gets ("try again shortly"), and errors.Is matches
// ErrWaitTimeout too. The next request goes to the grain's new owner.
var ErrMemberLost error = memberLostError{}

type memberLostError struct{}

func (memberLostError) Error() string { return "cluster member lost before it answered" }

// Is makes ErrMemberLost an ErrWaitTimeout for errors.Is: both mean an
// unknown outcome that the client may retry.
func (memberLostError) Is(target error) bool { return target == ErrWaitTimeout }

// memberWatch follows the cluster's membership and its remote endpoints
// on the actor system's event stream, so that requests do not wait out
// the ask timeout for a member that is gone:
//   - a ClusterTopology event that no longer lists a member fails every
//     request in flight to it with ErrMemberLost and clears the cached
//     grain addresses on it (the next lookup finds the new owner);
//   - an EndpointTerminatedEvent (the connection to a member broke, which
//     is how a killed process shows up first, long before the provider
//     drops it) fails the requests in flight to it the same way and marks
//     the member down: new requests for its grains are held back, unsent,
//     until the member leaves the member list (then they go to the new
//     owner) or a connection to it is made again (EndpointConnectedEvent,
//     which gossip causes within a gossip interval when the member is
//     alive).
//
// Its handler runs in the publisher's goroutine, which for topology events
// holds protoactor's member-list lock, so it only touches its own state,
// the PID cache and contexts.
type memberWatch struct {
	es   *eventstream.EventStream
	pids *cluster.PidCacheValue
	log  *slog.Logger
	sub  *eventstream.Subscription

	mu      sync.Mutex
	members map[string]*cluster.Member // by address; nil until the first topology
	down    map[string]bool            // members whose endpoint terminated
	flights map[string]map[*flight]struct{}
	changed chan struct{} // closed and replaced at every change
	stopped bool
	owners  *cluster.Rendezvous // the identity lookup's placement, from the same topology
}

// flight is one piece of work that depends on a member answering: a
// request sent to a grain there, or an identity lookup it serves. ctx ends
// when the caller's context does, or with cause ErrMemberLost (or
// ErrShuttingDown) when the member goes.
type flight struct {
	addr   string
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// blockReason says why enter refused a member.
type blockReason int

const (
	notBlocked  blockReason = iota
	memberGone              // not in the member list: drop its cached addresses, look up again
	memberDown              // in the list but unreachable: wait for the next change
	watchClosed             // the member is leaving the cluster
)

// newMemberWatch subscribes to es. Call stop to unsubscribe.
func newMemberWatch(es *eventstream.EventStream, pids *cluster.PidCacheValue, log *slog.Logger) *memberWatch {
	w := &memberWatch{
		es:      es,
		pids:    pids,
		log:     log,
		down:    map[string]bool{},
		flights: map[string]map[*flight]struct{}{},
		changed: make(chan struct{}),
		owners:  cluster.NewRendezvous(),
	}
	w.sub = es.SubscribeWithPredicate(w.onEvent, func(evt any) bool {
		switch evt.(type) {
		case *cluster.ClusterTopology, *remote.EndpointTerminatedEvent, *remote.EndpointConnectedEvent:
			return true
		}
		return false
	})
	return w
}

// stop unsubscribes and ends the flights still registered with
// ErrShuttingDown; later calls to enter are refused. It may be called
// more than once.
func (w *memberWatch) stop() {
	w.es.Unsubscribe(w.sub)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.stopped = true
	for addr := range w.flights {
		w.failLocked(addr, ErrShuttingDown)
	}
	w.notifyLocked()
}

func (w *memberWatch) onEvent(evt any) {
	switch e := evt.(type) {
	case *cluster.ClusterTopology:
		w.topology(e)
	case *remote.EndpointTerminatedEvent:
		w.terminated(e.Address)
	case *remote.EndpointConnectedEvent:
		w.connected(e.Address)
	}
}

// topology takes in a new member list: members not in it are lost.
func (w *memberWatch) topology(t *cluster.ClusterTopology) {
	now := make(map[string]*cluster.Member, len(t.GetMembers()))
	for _, m := range t.GetMembers() {
		now[m.Address()] = m
	}
	lost := map[string]*cluster.Member{}
	for _, m := range t.GetLeft() {
		lost[m.Address()] = m
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for addr, m := range w.members {
		if now[addr] == nil {
			lost[addr] = m
		}
	}
	w.members = now
	w.owners.UpdateMembers(t.GetMembers())
	for addr, m := range lost {
		// Also when a new member took the address over (a restarted
		// process): what was sent there went to the old one.
		delete(w.down, addr)
		n := w.failLocked(addr, ErrMemberLost)
		w.pids.RemoveByMember(m)
		w.log.Info("cluster member left; its grains move to the other members",
			"member", addr, "member_id", m.GetId(), "requests_failed", n, "address_reused", now[addr] != nil)
	}
	w.notifyLocked()
}

// terminated: the connection to addr broke (or protoactor gave up
// connecting, or the member left).
func (w *memberWatch) terminated(addr string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.failLocked(addr, ErrMemberLost)
	hold := w.members[addr] != nil && !w.down[addr]
	if hold {
		w.down[addr] = true
	}
	if hold || n > 0 {
		// Also logged when a member leaves: protoactor ends the
		// endpoint just before it publishes the new member list.
		w.log.Info("connection to a cluster member ended; requests for its grains wait until it is back or has left",
			"member", addr, "requests_failed", n)
	}
	w.notifyLocked()
}

// connected: a connection to addr was made, so it is reachable again.
func (w *memberWatch) connected(addr string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.down[addr] {
		delete(w.down, addr)
		w.log.Info("connection to a cluster member made again", "member", addr)
		w.notifyLocked()
	}
}

// failLocked ends every flight to addr with cause and reports how many.
func (w *memberWatch) failLocked(addr string, cause error) int {
	fs := w.flights[addr]
	for f := range fs {
		f.cancel(cause)
	}
	delete(w.flights, addr)
	return len(fs)
}

func (w *memberWatch) notifyLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// changes is closed at the next change of the member list or of a
// member's reachability.
func (w *memberWatch) changes() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changed
}

// owner is the address of the member that owns kind/identity in the
// latest topology ("" before the first, or when no member hosts kind).
func (w *memberWatch) owner(kind, identity string) string {
	return w.owners.GetByClusterIdentity(cluster.NewClusterIdentity(identity, kind))
}

// enter registers work about to depend on the member at addr. When the
// member cannot serve it now, nothing is registered: it reports why, and
// a channel closed at the next change to wait on. Otherwise the caller
// must call exit(f) when the work is over.
func (w *memberWatch) enter(ctx context.Context, addr string) (*flight, blockReason, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.stopped:
		return nil, watchClosed, w.changed
	case w.members != nil && w.members[addr] == nil:
		return nil, memberGone, w.changed
	case w.down[addr]:
		return nil, memberDown, w.changed
	}
	fctx, cancel := context.WithCancelCause(ctx)
	f := &flight{addr: addr, ctx: fctx, cancel: cancel}
	if w.flights[addr] == nil {
		w.flights[addr] = map[*flight]struct{}{}
	}
	w.flights[addr][f] = struct{}{}
	return f, notBlocked, nil
}

// exit unregisters f and releases its context.
func (w *memberWatch) exit(f *flight) {
	w.mu.Lock()
	if fs := w.flights[f.addr]; fs != nil {
		delete(fs, f)
		if len(fs) == 0 {
			delete(w.flights, f.addr)
		}
	}
	w.mu.Unlock()
	f.cancel(context.Canceled)
}

// lost is why f ended when its member went (ErrMemberLost or
// ErrShuttingDown), or nil when it did not end that way.
func (f *flight) lost() error {
	if f.ctx.Err() == nil {
		return nil
	}
	switch cause := context.Cause(f.ctx); cause {
	case ErrMemberLost, ErrShuttingDown:
		return cause
	}
	return nil
}
