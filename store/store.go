package store

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// Store owns the three Badger databases, the value-log GC goroutine and the
// metrics. Open it once per process (Badger locks each directory) and hand
// out typed handles with Sessions, Mixes and Features.
type Store struct {
	cfg  Config
	life lifecycle

	sessions, features, mixes *namespace
	all                       []*namespace

	reg     prometheus.Registerer
	metrics *metrics

	stopGC chan struct{}
	gcDone chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the three databases under cfg.Dir and
// starts value-log GC. If reg is non-nil the store's metrics are registered
// there (and unregistered by Close); nil means no metrics registration.
func Open(cfg Config, reg prometheus.Registerer) (*Store, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, stopGC: make(chan struct{}), gcDone: make(chan struct{})}
	for _, name := range []string{NSSessions, NSAudioFeatures, NSMixSessions} {
		n, err := s.openNamespace(name)
		if err != nil {
			return nil, errors.Join(err, s.closeDBs())
		}
		s.all = append(s.all, n)
	}
	s.sessions, s.features, s.mixes = s.all[0], s.all[1], s.all[2]

	if reg != nil {
		m := newMetrics(s.all)
		if err := reg.Register(m); err != nil {
			return nil, errors.Join(fmt.Errorf("store: register metrics: %w", err), s.closeDBs())
		}
		s.reg, s.metrics = reg, m
	}
	if cfg.InMemory { // in-memory databases have no value log to collect
		close(s.gcDone)
	} else {
		go s.gcLoop()
	}
	return s, nil
}

func (s *Store) openNamespace(name string) (*namespace, error) {
	log := s.cfg.Logger.With(slog.String("ns", name))
	dir := ""
	if !s.cfg.InMemory {
		dir = filepath.Join(s.cfg.Dir, name)
	}
	db, err := badger.Open(badgerOptions(dir, s.cfg.InMemory, log))
	if err != nil {
		return nil, fmt.Errorf("store: open %s at %q: %w", name, dir, err)
	}
	return &namespace{name: name, db: db, life: &s.life, log: s.cfg.Logger}, nil
}

// Close stops GC, waits for in-flight operations, unregisters the metrics and
// closes the databases (flushing memtables). It is safe to call more than
// once; later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stopGC)
		<-s.gcDone
		s.life.mu.Lock()
		s.life.closed = true
		s.life.mu.Unlock()
		if s.reg != nil {
			s.reg.Unregister(s.metrics)
		}
		s.closeErr = s.closeDBs()
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	var errs []error
	for _, n := range s.all {
		if err := n.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close %s: %w", n.name, err))
		}
	}
	return errors.Join(errs...)
}

// NamespaceStats are one namespace's read counters since Open and its size on
// disk, for the dashboard. Every read is counted once: Hits, Misses,
// Negatives (cached misses found) or Invalid (a value that failed decoding or
// validation; the caller saw a miss).
type NamespaceStats struct {
	Hits, Misses, Negatives, Invalid uint64
	LSMBytes, VlogBytes              int64
}

// Stats returns the statistics of every namespace, keyed by namespace name.
func (s *Store) Stats() map[string]NamespaceStats {
	out := make(map[string]NamespaceStats, len(s.all))
	for _, n := range s.all {
		lsm, vlog := n.size()
		out[n.name] = NamespaceStats{
			Hits:      n.reads[resultHit].Load(),
			Misses:    n.reads[resultMiss].Load(),
			Negatives: n.reads[resultNegative].Load(),
			Invalid:   n.reads[resultInvalid].Load(),
			LSMBytes:  lsm,
			VlogBytes: vlog,
		}
	}
	return out
}
