package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// maxTakeAttempts bounds Take's retries after a Badger transaction conflict.
// A conflict means another writer touched the key between our read and our
// commit; the retry then sees that writer's result, so two or three attempts
// suffice even under heavy contention.
const maxTakeAttempts = 8

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
// operation ever touches a closed *badger.DB.
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

// namespace is one Badger database plus its read counters. It deals in raw
// bytes only; the generic layer (codec.go) turns them into records, so the
// transaction logic exists once for tables and caches alike.
type namespace struct {
	name  string
	db    *badger.DB
	life  *lifecycle
	log   *slog.Logger
	reads [numResults]atomic.Uint64
	// gcRuns counts completed value-log GC passes (observability for tests).
	gcRuns atomic.Uint64
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

// write stores val under key with a TTL. It is the only path to the database's
// write side for values, and it refuses a missing or sub-second TTL.
func (n *namespace) write(ctx context.Context, key []byte, val []byte, ttl time.Duration) error {
	if ttl < minTTL {
		return fmt.Errorf("store: %s put: TTL %v below %v", n.name, ttl, minTTL)
	}
	if err := n.begin(ctx, "put"); err != nil {
		return err
	}
	defer n.life.exit()
	err := n.db.Update(func(txn *badger.Txn) error {
		return txn.SetEntry(badger.NewEntry(key, val).WithTTL(ttl))
	})
	if err != nil {
		return fmt.Errorf("store: %s put: %w", n.name, err)
	}
	return nil
}

// remove deletes key; deleting an absent key is not an error.
func (n *namespace) remove(ctx context.Context, key []byte) error {
	if err := n.begin(ctx, "delete"); err != nil {
		return err
	}
	defer n.life.exit()
	if err := n.db.Update(func(txn *badger.Txn) error { return txn.Delete(key) }); err != nil {
		return fmt.Errorf("store: %s delete: %w", n.name, err)
	}
	return nil
}

// stored is a raw value read from the database.
type stored struct {
	val     []byte
	version uint64 // Badger's commit timestamp, to delete exactly this value later
}

// read returns the current value of key, if any (expired values are absent).
func (n *namespace) read(ctx context.Context, key []byte) (stored, bool, error) {
	if err := n.begin(ctx, "get"); err != nil {
		return stored{}, false, err
	}
	defer n.life.exit()
	var s stored
	found := false
	err := n.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		s.version = item.Version()
		s.val, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return stored{}, false, fmt.Errorf("store: %s get: %w", n.name, err)
	}
	return s, found, nil
}

// take reads and deletes key in one transaction, so that of several
// concurrent takers exactly one receives the value. Badger detects the
// read-write conflict at commit; the loser retries and finds the key gone.
func (n *namespace) take(ctx context.Context, key []byte) (stored, bool, error) {
	if err := n.begin(ctx, "take"); err != nil {
		return stored{}, false, err
	}
	defer n.life.exit()
	for attempt := 1; ; attempt++ {
		var s stored
		found := false
		err := n.db.Update(func(txn *badger.Txn) error {
			item, err := txn.Get(key)
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			found = true
			s.version = item.Version()
			if s.val, err = item.ValueCopy(nil); err != nil {
				return err
			}
			return txn.Delete(key)
		})
		switch {
		case err == nil:
			return s, found, nil
		case errors.Is(err, badger.ErrConflict) && attempt < maxTakeAttempts:
			if cerr := ctx.Err(); cerr != nil {
				return stored{}, false, fmt.Errorf("store: %s take: %w", n.name, cerr)
			}
			continue
		default:
			return stored{}, false, fmt.Errorf("store: %s take (attempt %d): %w", n.name, attempt, err)
		}
	}
}

// discard deletes an invalid value, but only if key still holds that very
// version: a valid value written concurrently must survive. A conflict means
// exactly such a write happened, so it is not an error.
func (n *namespace) discard(key []byte, s stored, reason error) {
	n.log.Warn("store: invalid stored value deleted", slog.String("ns", n.name), slog.Any("reason", reason))
	if !n.life.enter() {
		return
	}
	defer n.life.exit()
	err := n.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if item.Version() != s.version {
			return nil
		}
		return txn.Delete(key)
	})
	if err != nil && !errors.Is(err, badger.ErrConflict) {
		n.log.Warn("store: delete of invalid value failed", slog.String("ns", n.name), slog.Any("err", err))
	}
}

// size returns the on-disk bytes of the LSM tree and the value log. Badger
// recomputes these once a minute and at open; in-memory databases report 0.
func (n *namespace) size() (lsm, vlog int64) { return n.db.Size() }
