// Package quota keeps the cluster-wide half of djd's upstream limiter in
// Redis: the window of request starts (at most N starts inside any span,
// across every node) and the per-lane leases (at most cap calls in flight
// per upstream API, across every node).
//
// Every operation is one Lua script, so it is atomic on the Redis server,
// and every script reads Redis's own clock (TIME): the nodes' clocks never
// enter a decision. State lives in sorted sets whose scores are times in
// microseconds since the epoch on that clock:
//
//   - <prefix>starts: one member per granted start, scored by the time the
//     start counts from. A grant not yet stamped (its request has not gone
//     out) is scored pendingHold in the future, so it stays in the window
//     until it is stamped or until pendingHold passes without a renewal
//     (Hold). Stamp re-scores it to the Redis time of the stamp, which is
//     never earlier than the moment the request went out: a late stamp
//     only keeps the start in the window a little longer.
//   - <prefix>lane:<lane>: one member per lease, scored by when it
//     expires. Expired leases are pruned before anything is counted, so a
//     lease whose holder died (SIGKILL, a partition) frees itself once its
//     TTL passes; a live holder renews it well before that.
//
// Keys carry a TTL of their own (their longest-lived entry plus a second),
// so a prefix nobody uses any more leaves nothing behind.
//
// The package knows nothing about actors: dj/actors drives it through its
// SharedLimits interface, which *Limits satisfies.
package quota

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options configures Limits. Zero fields take the defaults in their
// comments.
type Options struct {
	// Prefix starts every key (default "dj:quota:"). Nodes that share
	// limits must use the same prefix; tests sharing one redis-server use
	// one prefix each.
	Prefix string
	// Timeout bounds every call whose context has no earlier deadline
	// (default 1 s), so a Redis that stops answering cannot hold a caller.
	Timeout time.Duration
}

// Limits is the Redis side of the cluster-wide limits. It holds no state
// of its own beyond the scripts, and is safe for concurrent use by any
// number of goroutines and nodes.
type Limits struct {
	rdb     redis.Scripter
	prefix  string
	timeout time.Duration
	s       scripts
}

// ErrNoContextTimeout is returned by New for a *redis.Client that would
// ignore context deadlines: every call here must be bounded by its
// context, or a Redis that stopped answering would hold the limiter.
var ErrNoContextTimeout = errors.New("quota: the redis client must be created with ContextTimeoutEnabled")

// New returns Limits that keep their state in rdb (a *redis.Client,
// *redis.ClusterClient or *redis.Ring). Every script touches one key, so
// a Redis Cluster works too. A *redis.Client must have
// ContextTimeoutEnabled set (ErrNoContextTimeout otherwise).
func New(rdb redis.Scripter, opt Options) (*Limits, error) {
	if rdb == nil {
		return nil, errors.New("quota: nil redis client")
	}
	if c, ok := rdb.(interface{ Options() *redis.Options }); ok && !c.Options().ContextTimeoutEnabled {
		return nil, ErrNoContextTimeout
	}
	if opt.Prefix == "" {
		opt.Prefix = "dj:quota:"
	}
	if opt.Timeout == 0 {
		opt.Timeout = time.Second
	}
	if opt.Timeout < 0 {
		return nil, fmt.Errorf("quota: Timeout must be positive, got %s", opt.Timeout)
	}
	return &Limits{rdb: rdb, prefix: opt.Prefix, timeout: opt.Timeout, s: newScripts()}, nil
}

// Prefix is the key prefix in use.
func (l *Limits) Prefix() string { return l.prefix }

func (l *Limits) startsKey() string { return l.prefix + "starts" }

func (l *Limits) laneKey(lane string) string { return l.prefix + "lane:" + lane }

// run runs one script under the call timeout.
func (l *Limits) run(ctx context.Context, s *redis.Script, key string, args ...any) *redis.Cmd {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	return s.Run(ctx, l.rdb, []string{key}, args...)
}

// micros is d in whole microseconds, at least 1 (a zero span or TTL would
// mean "already gone", which no caller wants).
func micros(d time.Duration) int64 { return max(1, d.Microseconds()) }

func checkID(what, id string) error {
	if id == "" {
		return fmt.Errorf("quota: empty %s", what)
	}
	return nil
}
