package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// badgerOptions returns the options for one of the three databases.
//
// Badger's defaults (5 × 64 MiB memtables, 256 MiB block cache, unbounded
// index cache, 1 GiB value-log files) are sized for one large database per
// process. With three small ones they peaked at 1.1 GB RSS under write load;
// these values measured 0.43 GB for the same load (reference notes §4.4).
func badgerOptions(dir string, inMemory bool, log *slog.Logger) badger.Options {
	opts := badger.DefaultOptions(dir)
	if inMemory {
		opts = badger.DefaultOptions("").WithInMemory(true)
	}
	return opts.
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(16 << 20).
		WithIndexCacheSize(8 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithValueLogFileSize(64 << 20).
		// See the package comment for what SyncWrites=false can cost.
		WithSyncWrites(false).
		// Size() reads Badger's size metrics; they must stay enabled.
		WithMetricsEnabled(true).
		// Set last: WithLoggingLevel would replace a custom logger, so the
		// level is filtered in the adapter instead.
		WithLogger(badgerLogger{log: log, min: slog.LevelWarn})
}

// badgerLogger routes Badger's log lines into slog. Badger logs several INFO
// lines per open and close and per compaction; only warnings and errors are
// worth an operator's attention, so lower levels are dropped here.
type badgerLogger struct {
	log *slog.Logger
	min slog.Level
}

func (b badgerLogger) emit(level slog.Level, format string, args []any) {
	if level < b.min || !b.log.Enabled(context.Background(), level) {
		return
	}
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	b.log.Log(context.Background(), level, msg, slog.String("component", "badger"))
}

// Errorf implements badger.Logger.
func (b badgerLogger) Errorf(format string, args ...any) { b.emit(slog.LevelError, format, args) }

// Warningf implements badger.Logger.
func (b badgerLogger) Warningf(format string, args ...any) { b.emit(slog.LevelWarn, format, args) }

// Infof implements badger.Logger.
func (b badgerLogger) Infof(format string, args ...any) { b.emit(slog.LevelInfo, format, args) }

// Debugf implements badger.Logger.
func (b badgerLogger) Debugf(format string, args ...any) { b.emit(slog.LevelDebug, format, args) }

// maxTakeAttempts bounds Take's retries after a Badger transaction conflict.
// A conflict means another writer touched the key between our read and our
// commit; the retry then sees that writer's result, so two or three attempts
// suffice even under heavy contention.
const maxTakeAttempts = 8

// badgerBackend is one namespace in its own embedded Badger database, the
// single-node default. Caller keys get keyPrefix in front (see keys.go).
type badgerBackend struct {
	name string
	db   *badger.DB
	log  *slog.Logger
	// gcRuns counts completed value-log GC passes (observability for tests).
	gcRuns atomic.Uint64
}

// dbKey is key's form inside the database.
func dbKey(key string) []byte { return []byte(keyPrefix + key) }

func (b *badgerBackend) set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	return b.db.Update(func(txn *badger.Txn) error {
		return txn.SetEntry(badger.NewEntry(dbKey(key), val).WithTTL(ttl))
	})
}

func (b *badgerBackend) del(_ context.Context, key string) error {
	return b.db.Update(func(txn *badger.Txn) error { return txn.Delete(dbKey(key)) })
}

// getItem copies the value and version of key out of txn.
func getItem(txn *badger.Txn, key []byte) (stored, bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return stored{}, false, nil
	}
	if err != nil {
		return stored{}, false, err
	}
	s := stored{version: item.Version()}
	if s.val, err = item.ValueCopy(nil); err != nil {
		return stored{}, false, err
	}
	return s, true, nil
}

func (b *badgerBackend) get(_ context.Context, key string) (s stored, found bool, err error) {
	err = b.db.View(func(txn *badger.Txn) error {
		s, found, err = getItem(txn, dbKey(key))
		return err
	})
	return s, found, err
}

// getDel reads and deletes key in one transaction. Badger detects the
// read-write conflict of two concurrent takers at commit; the loser retries
// and finds the key gone.
func (b *badgerBackend) getDel(ctx context.Context, key string) (stored, bool, error) {
	k := dbKey(key)
	for attempt := 1; ; attempt++ {
		var (
			s     stored
			found bool
		)
		err := b.db.Update(func(txn *badger.Txn) error {
			var err error
			if s, found, err = getItem(txn, k); err != nil || !found {
				return err
			}
			return txn.Delete(k)
		})
		switch {
		case err == nil:
			return s, found, nil
		case errors.Is(err, badger.ErrConflict) && attempt < maxTakeAttempts:
			if cerr := ctx.Err(); cerr != nil {
				return stored{}, false, cerr
			}
		default:
			return stored{}, false, fmt.Errorf("attempt %d: %w", attempt, err)
		}
	}
}

// delIfSame compares Badger's commit version. A transaction conflict means
// a concurrent write touched the key, which is exactly the value to keep.
func (b *badgerBackend) delIfSame(_ context.Context, key string, s stored) error {
	k := dbKey(key)
	err := b.db.Update(func(txn *badger.Txn) error {
		cur, found, err := getItem(txn, k)
		if err != nil || !found || cur.version != s.version {
			return err
		}
		return txn.Delete(k)
	})
	if errors.Is(err, badger.ErrConflict) {
		return nil
	}
	return err
}

// size returns the on-disk bytes of the LSM tree and the value log. Badger
// recomputes these once a minute and at open; in-memory databases report 0.
func (b *badgerBackend) size() (lsm, vlog int64) { return b.db.Size() }
