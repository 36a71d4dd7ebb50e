package store

import (
	"errors"
	"log/slog"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// gcDiscardRatio: rewrite a value-log file when at least half of it is garbage.
const gcDiscardRatio = 0.5

// maxGCRounds bounds the rewrites per database per tick, so one tick cannot
// monopolise the disk, and Close is never kept waiting for long.
const maxGCRounds = 16

// gcLoop runs value-log GC on every Badger database each GCInterval until
// Close. (Redis needs none: it frees expired keys itself.)
// Expired and overwritten values in the value log are reclaimed only by GC
// (values under the 1 MiB threshold live in the LSM tree and are reclaimed by
// compaction instead, so most rounds find nothing to do).
func (s *Store) gcLoop() {
	defer close(s.gcDone)
	t := time.NewTicker(s.cfg.GCInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stopGC:
			return
		case <-t.C:
			for _, b := range s.badgers {
				if !s.collect(b) {
					return
				}
			}
		}
	}
}

// collect runs GC rounds on one database until nothing is left to rewrite.
// It returns false if the store is closing.
func (s *Store) collect(n *badgerBackend) bool {
	start := time.Now()
	rewrites := 0
	for range maxGCRounds {
		select {
		case <-s.stopGC:
			return false
		default:
		}
		err := n.db.RunValueLogGC(gcDiscardRatio)
		if err == nil {
			rewrites++
			continue
		}
		if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
			n.log.Warn("store: value-log GC failed", slog.String("ns", n.name), slog.Any("err", err))
		}
		break
	}
	n.gcRuns.Add(1)
	if rewrites > 0 {
		n.log.Info("store: value-log GC", slog.String("ns", n.name),
			slog.Int("rewrites", rewrites), slog.Duration("took", time.Since(start)))
	}
	return true
}
