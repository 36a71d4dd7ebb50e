package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// discardTimeout bounds the clean-up delete of an invalid value. It runs on
// behalf of a read that has already got its answer, so it gets its own short
// budget instead of the caller's (possibly nearly spent) deadline.
const discardTimeout = 2 * time.Second

// readResult is the outcome of one read, and the "result" metric label.
type readResult int

const (
	resultMiss readResult = iota
	resultHit
	resultNegative
	resultInvalid
	numResults
)

// String returns the metric label value.
func (r readResult) String() string {
	switch r {
	case resultHit:
		return "hit"
	case resultNegative:
		return "negative"
	case resultInvalid:
		return "invalid"
	default:
		return "miss"
	}
}

// lifecycle lets operations run concurrently with each other but not with
// Close: an operation holds the read lock, Close takes the write lock, so no
// operation ever touches a closed database or client.
type lifecycle struct {
	mu     sync.RWMutex
	closed bool
}

// enter returns false once the store is closed; otherwise the caller must call
// exit when done.
func (l *lifecycle) enter() bool {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return false
	}
	return true
}

func (l *lifecycle) exit() { l.mu.RUnlock() }

// stored is a raw value read from a backend.
type stored struct {
	val []byte
	// version identifies this very write where the backend has such a
	// thing (Badger's commit timestamp); Redis compares val instead.
	version uint64
}

// backend is the raw key-value layer under one namespace: validated keys,
// opaque bytes, every write with a TTL. It is an interface so that the same
// namespace logic (lifecycle, counters, error context) and the typed layer
// above it run unchanged on embedded Badger (single node) and on a shared
// Redis (cluster mode). Implementations need not check the TTL bound, the
// context's state or the store's lifecycle: namespace does that first.
type backend interface {
	// set stores val under key, expiring after ttl.
	set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// del removes key; an absent key is not an error.
	del(ctx context.Context, key string) error
	// get returns key's current value; expired values are absent.
	get(ctx context.Context, key string) (stored, bool, error)
	// getDel returns key's value and deletes it atomically: of any number
	// of concurrent callers at most one receives it.
	getDel(ctx context.Context, key string) (stored, bool, error)
	// delIfSame deletes key only if it still holds the value that s was
	// read as (compare-and-delete); a newer value survives, and that is
	// not an error.
	delIfSame(ctx context.Context, key string, s stored) error
	// size reports the bytes the namespace occupies as far as the backend
	// can say cheaply (it is called on every metrics scrape).
	size() (lsm, vlog int64)
}

// namespace is one namespace's backend plus its read counters. It deals in
// raw bytes only; the generic layer (record.go) turns them into records, so
// the storage logic exists once for tables and caches alike.
type namespace struct {
	name  string
	kv    backend
	life  *lifecycle
	log   *slog.Logger
	reads [numResults]atomic.Uint64
}

// count records the outcome of one read.
func (n *namespace) count(r readResult) { n.reads[r].Add(1) }

// begin checks the context and the store's state before an operation.
func (n *namespace) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s %s: %w", n.name, op, err)
	}
	if !n.life.enter() {
		return fmt.Errorf("store: %s %s: %w", n.name, op, ErrClosed)
	}
	return nil
}

// fail wraps a backend error with the namespace and operation. If the
// context ended meanwhile, its error is wrapped too, so that callers can
// test for context.DeadlineExceeded whatever form the backend's timeout
// error took (a network client reports an expired deadline as an I/O
// timeout).
func (n *namespace) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("store: %s %s: %w (%w)", n.name, op, cerr, err)
	}
	return fmt.Errorf("store: %s %s: %w", n.name, op, err)
}

// write stores val under key with a TTL. It is the only path to the backend's
// write side for values, and it refuses a missing or sub-second TTL.
func (n *namespace) write(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < minTTL {
		return fmt.Errorf("store: %s put: TTL %v below %v", n.name, ttl, minTTL)
	}
	if err := n.begin(ctx, "put"); err != nil {
		return err
	}
	defer n.life.exit()
	if err := n.kv.set(ctx, key, val, ttl); err != nil {
		return n.fail(ctx, "put", err)
	}
	return nil
}

// remove deletes key; deleting an absent key is not an error.
func (n *namespace) remove(ctx context.Context, key string) error {
	if err := n.begin(ctx, "delete"); err != nil {
		return err
	}
	defer n.life.exit()
	if err := n.kv.del(ctx, key); err != nil {
		return n.fail(ctx, "delete", err)
	}
	return nil
}

// read returns the current value of key, if any (expired values are absent).
func (n *namespace) read(ctx context.Context, key string) (stored, bool, error) {
	if err := n.begin(ctx, "get"); err != nil {
		return stored{}, false, err
	}
	defer n.life.exit()
	s, found, err := n.kv.get(ctx, key)
	if err != nil {
		return stored{}, false, n.fail(ctx, "get", err)
	}
	return s, found, nil
}

// take reads and deletes key atomically, so that of several concurrent
// takers exactly one receives the value.
func (n *namespace) take(ctx context.Context, key string) (stored, bool, error) {
	if err := n.begin(ctx, "take"); err != nil {
		return stored{}, false, err
	}
	defer n.life.exit()
	s, found, err := n.kv.getDel(ctx, key)
	if err != nil {
		return stored{}, false, n.fail(ctx, "take", err)
	}
	return s, found, nil
}

// discard deletes an invalid value, but only if key still holds that very
// value: a valid value written concurrently must survive. Failures are
// logged, not returned: the caller's read has its answer (a miss) already,
// and the next read of the same bad value tries again. ctx supplies values
// only; its cancellation is ignored in favour of discardTimeout.
func (n *namespace) discard(ctx context.Context, key string, s stored, reason error) {
	n.log.Warn("store: invalid stored value deleted", slog.String("ns", n.name), slog.Any("reason", reason))
	if !n.life.enter() {
		return
	}
	defer n.life.exit()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardTimeout)
	defer cancel()
	if err := n.kv.delIfSame(ctx, key, s); err != nil {
		n.log.Warn("store: delete of invalid value failed", slog.String("ns", n.name), slog.Any("err", err))
	}
}

// size returns the bytes the namespace occupies, as its backend reports them.
func (n *namespace) size() (lsm, vlog int64) { return n.kv.size() }
