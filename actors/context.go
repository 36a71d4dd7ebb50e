package actors

import (
	"context"
	"sync/atomic"
)

// Lane names one upstream API. Each lane has its own in-flight cap, call
// timeout, breaker and 429 pause; all lanes share the global rate.
type Lane string

// The four upstream lanes.
const (
	LaneAnthropic Lane = "anthropic"
	LaneSpotify   Lane = "spotify"
	LaneLastfm    Lane = "lastfm"
	LaneDeezer    Lane = "deezer"
)

// Lanes lists every lane in a fixed order (for metrics, docs and loops).
func Lanes() []Lane { return []Lane{LaneAnthropic, LaneSpotify, LaneLastfm, LaneDeezer} }

// Priority orders waiting work. Within one priority grants are FIFO.
type Priority int

const (
	// PriorityInteractive is work a person is waiting for: chat, queue
	// add, player control. It is the default when a context says nothing.
	PriorityInteractive Priority = iota
	// PriorityBackground is enrichment and other work nobody watches. It
	// yields to interactive work, but only for Config.StarvationLimit: a
	// background waiter that has waited that much longer than an
	// interactive one goes first.
	PriorityBackground
)

func (p Priority) String() string {
	if p == PriorityBackground {
		return "background"
	}
	return "interactive"
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPriority
	keyBudget
	keyOverhead
	keyPermit
)

// WithRequestID attaches the request ID that every actor message and log
// line caused by this request carries.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, keyRequestID, id)
}

// RequestID returns the request ID attached to ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// WithPriority sets the priority of upstream calls made with ctx.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, keyPriority, p)
}

// PriorityOf returns the priority set on ctx (interactive by default).
func PriorityOf(ctx context.Context) Priority {
	p, _ := ctx.Value(keyPriority).(Priority)
	return p
}

// Budget is the number of upstream calls one user request may make: the
// seed's "950, reserve 10". Ordinary calls may use limit-reserve of them;
// calls marked WithOverhead (token refresh and the like) may also use the
// reserve. A call is counted when it is admitted and refunded if it never
// reached the wire (refused, cancelled while queued, breaker open). It is
// safe for concurrent use by all the work of one request.
type Budget struct {
	limit   int64
	reserve int64
	used    atomic.Int64
}

// Default budget figures from the seed.
const (
	DefaultBudgetLimit   = 950
	DefaultBudgetReserve = 10
)

// NewBudget returns a budget of limit calls of which reserve are kept for
// overhead. Negative values count as zero; a reserve above the limit is
// clamped to it.
func NewBudget(limit, reserve int) *Budget {
	limit = max(limit, 0)
	reserve = min(max(reserve, 0), limit)
	return &Budget{limit: int64(limit), reserve: int64(reserve)}
}

// Used is how many calls have been counted so far.
func (b *Budget) Used() int { return int(b.used.Load()) }

// Limit is the whole budget, reserve included.
func (b *Budget) Limit() int { return int(b.limit) }

// Remaining is how many ordinary (non-overhead) calls may still be made.
func (b *Budget) Remaining() int {
	return int(max(b.limit-b.reserve-b.used.Load(), 0))
}

// take counts one call, or reports false when it would exceed what the
// call may use.
func (b *Budget) take(overhead bool) bool {
	ceiling := b.limit - b.reserve
	if overhead {
		ceiling = b.limit
	}
	for {
		u := b.used.Load()
		if u >= ceiling {
			return false
		}
		if b.used.CompareAndSwap(u, u+1) {
			return true
		}
	}
}

func (b *Budget) refund() { b.used.Add(-1) }

// WithBudget attaches the request's budget; every Do with ctx counts
// against it. Without a budget, Do does not count.
func WithBudget(ctx context.Context, b *Budget) context.Context {
	return context.WithValue(ctx, keyBudget, b)
}

// BudgetOf returns the budget attached to ctx, or nil.
func BudgetOf(ctx context.Context) *Budget {
	b, _ := ctx.Value(keyBudget).(*Budget)
	return b
}

// WithOverhead marks calls made with ctx as overhead (for example a token
// refresh) that may use the budget's reserve.
func WithOverhead(ctx context.Context) context.Context {
	return context.WithValue(ctx, keyOverhead, true)
}

func isOverhead(ctx context.Context) bool {
	v, _ := ctx.Value(keyOverhead).(bool)
	return v
}

// heldPermit marks a context that belongs to a call holding a lane permit.
// Do refuses to wait for another permit with such a context: that is how
// the reference app deadlocked (anchor-infra §1.8).
type heldPermit struct {
	lane Lane
	op   string
}

func permitHeld(ctx context.Context) (heldPermit, bool) {
	h, ok := ctx.Value(keyPermit).(heldPermit)
	return h, ok
}
