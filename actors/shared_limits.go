package actors

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// SharedLimits is the cluster-wide half of the limiter: a store every node
// of a cluster shares (dj/internal/quota keeps it in Redis) that holds the
// window of request starts and the lanes' in-flight leases. With
// Config.Shared set, the rate actor grants a start only after TryStart
// said yes, and a lane actor grants a permit only while it holds a lease
// from TryLease, so RatePerSecond and LaneCaps hold for all nodes
// together; queues, priorities, 429 pauses and breakers stay per node.
//
// Every id is unique across the cluster (the System prefixes its own
// random node id). Implementations must be safe for concurrent use and
// must bound every call by its context.
type SharedLimits interface {
	// TryStart records one start in the window if fewer than limit lie
	// inside span, as pending: it counts until Stamp, or for pendingHold
	// after the last Hold and then span more. Refused, retryAfter is when
	// one more could fit. Asking again for an id already in the window
	// answers granted.
	TryStart(ctx context.Context, id string, limit int, span, pendingHold time.Duration) (granted bool, retryAfter time.Duration, err error)
	// Hold keeps the still-pending starts among ids in the window for
	// pendingHold more; held is how many were pending.
	Hold(ctx context.Context, ids []string, pendingHold, span time.Duration) (held int, err error)
	// Stamp says the start's request went out now: it counts for span from
	// the store's now, which is never before the request left.
	Stamp(ctx context.Context, id string, span time.Duration) error
	// Return frees a start whose request never went out.
	Return(ctx context.Context, id string) error
	// TryLease takes one of lane's cap in-flight slots for ttl, unless cap
	// live leases are out.
	TryLease(ctx context.Context, lane, id string, cap int, ttl time.Duration) (bool, error)
	// Renew extends the live leases among ids by ttl; renewed < len(ids)
	// means some had expired and are gone.
	Renew(ctx context.Context, lane string, ids []string, ttl time.Duration) (renewed int, err error)
	// Release gives a lease back at once.
	Release(ctx context.Context, lane, id string) error
}

// ErrSharedLimitsDown: Config.Shared did not answer (or answered an
// error), so the call was refused rather than sent without knowing the
// cluster's use: the limiter fails closed. It is also ErrLimiterDown, so
// callers that handle a stopped limiter handle this too.
var ErrSharedLimitsDown = fmt.Errorf("cluster-wide upstream limits unavailable: %w", ErrLimiterDown)

// sharedAsks bounds the round trips one limiter actor has out at once
// for new grants or leases.
const sharedAsks = 4

// sharedRetryFloor is the least time an actor waits before asking again
// after a refusal, so a wait rounded to nothing cannot become a hot loop.
const sharedRetryFloor = time.Millisecond

// sharedLink is a System's connection to Config.Shared: the node id that
// makes its entries unique, the settings, and the health that turns
// failures into one log line per outage. The rate runtime creates it, the
// lane runtimes share it; nil when the System runs alone.
type sharedLink struct {
	limits  SharedLimits
	node    string
	seq     atomic.Uint64
	timeout time.Duration // one round trip
	poll    time.Duration // longest wait before asking again after a refusal
	ttl     time.Duration // lease TTL and pending-start hold
	renew   time.Duration // renewal period: a third of ttl

	mu   sync.Mutex // orders health changes with the gauge and log lines
	down bool
}

func newSharedLink(cfg Config) *sharedLink {
	if cfg.Shared == nil {
		return nil
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics instead)
	return &sharedLink{
		limits: cfg.Shared, node: hex.EncodeToString(b[:]),
		timeout: cfg.SharedTimeout, poll: cfg.SharedPoll,
		ttl: cfg.SharedTTL, renew: cfg.SharedTTL / 3,
	}
}

// newID names one start or lease: node, kind, sequence.
func (l *sharedLink) newID(kind string) string {
	return l.node + ":" + kind + ":" + strconv.FormatUint(l.seq.Add(1), 10)
}

// call runs one round trip under the link's timeout, counts it, and
// tracks the link's health: the first failure after a success is logged
// as an error, the first success after failures as back. The error text
// goes to the log only; waiters get ErrSharedLimitsDown.
func (l *sharedLink) call(s *System, op string, f func(ctx context.Context) (refused bool, err error)) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	refused, err := f(ctx)
	result := "ok"
	switch {
	case err != nil:
		result = "error"
	case refused:
		result = "refused"
	}
	s.m.sharedCalls.WithLabelValues(op, result).Inc()
	l.health(s, op, err)
	return refused, err
}

// health notes one round trip's outcome; only a change is logged.
func (l *sharedLink) health(s *System, op string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil && !l.down:
		l.down = true
		s.m.sharedDown.Set(1)
		s.log.Error("cluster-wide limits unavailable; refusing upstream calls until they answer (fail closed)",
			"op", op, "err", err)
	case err == nil && l.down:
		l.down = false
		s.m.sharedDown.Set(0)
		s.log.Info("cluster-wide limits answer again", "op", op)
	}
}

// sharedHand is the state the rate and the lane halves of the shared
// limits both keep: round trips to Redis out, grants or leases in hand
// that no waiter has taken yet, when to ask again, the renewal timer and
// the operations in flight.
type sharedHand struct {
	asking  int
	inHand  []string
	retryAt time.Time // no new asks before this
	renew   renewTimer
	ops     sharedOps
}

// plan gives back (with giveBack) what is in hand beyond the waiters,
// and says how many more to ask for now: room is how many more the limit
// could allow. While an earlier refusal's retry time holds the asks
// back, held is true and wake is that time.
func (h *sharedHand) plan(now time.Time, waiting, room int, giveBack func(id string)) (need int, wake time.Time, held bool) {
	for len(h.inHand) > waiting {
		last := len(h.inHand) - 1
		giveBack(h.inHand[last])
		h.inHand = h.inHand[:last]
	}
	have := len(h.inHand) + h.asking
	need = min(waiting-have, room-have, sharedAsks-h.asking)
	if need > 0 && now.Before(h.retryAt) {
		return 0, h.retryAt, true
	}
	return need, time.Time{}, false
}

// close stops new round trips and renewals and gives back, with giveBack,
// everything still in hand.
func (h *sharedHand) close(giveBack func(id string)) {
	h.ops.closed.Store(true)
	h.renew.stop()
	for _, id := range h.inHand {
		giveBack(id)
	}
	h.inHand = nil
}

// sharedOps runs an actor's round trips in goroutines (an actor never
// waits on the network) and lets the actor wait for them when it stops.
// Only the owning actor starts them; results come back as messages.
type sharedOps struct {
	wg     sync.WaitGroup
	closed atomic.Bool // the owning actor stopped: results have nobody to go to
}

func (o *sharedOps) goRun(f func()) {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		f()
	}()
}

// clampRetry bounds a wait before asking the shared limits again:
// pushes are not sent across nodes, so a slot freed elsewhere is seen at
// the latest one poll later.
func (l *sharedLink) clampRetry(d time.Duration) time.Duration {
	return min(max(d, sharedRetryFloor), l.poll)
}

// renewTimer sends the owning actor a sharedRenew one renewal period
// after it is armed; arming it again before it fired changes nothing.
// Only the owning actor touches it (the timer's goroutine only sends).
type renewTimer struct {
	t     *time.Timer
	armed bool
}

func (r *renewTimer) arm(period time.Duration, root *actor.RootContext, self *actor.PID) {
	if r.armed || self == nil {
		return
	}
	r.armed = true
	if r.t != nil {
		r.t.Reset(period)
		return
	}
	r.t = time.AfterFunc(period, func() { root.Send(self, &sharedRenew{}) })
}

// fired notes that the sharedRenew arrived.
func (r *renewTimer) fired() { r.armed = false }

func (r *renewTimer) stop() {
	if r.t != nil {
		r.t.Stop()
	}
	r.armed = false
}

// Messages of the shared glue, sent by the limiter actors to themselves.

// sharedStartDone is the answer to one TryStart.
type sharedStartDone struct {
	id         string
	granted    bool
	retryAfter time.Duration
	err        error
}

// sharedLeaseDone is the answer to one TryLease.
type sharedLeaseDone struct {
	id      string
	granted bool
	err     error
}

// sharedRenew is the renewal timer: hold pending starts, renew leases.
type sharedRenew struct{}

func (*sharedStartDone) IgnoreDeadLetterLogging() {}
func (*sharedLeaseDone) IgnoreDeadLetterLogging() {}
func (*sharedRenew) IgnoreDeadLetterLogging()     {}
