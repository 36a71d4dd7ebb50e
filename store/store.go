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

// namespaceNames lists the namespaces in the order Open creates them.
func namespaceNames() [3]string { return [3]string{NSSessions, NSAudioFeatures, NSMixSessions} }

// Store owns the three namespaces — three Badger databases and their
// value-log GC goroutine, or one Redis client — and the metrics. Open it
// once per process (Badger locks each directory) and hand out typed handles
// with Sessions, Mixes and Features.
type Store struct {
	cfg  Config
	life lifecycle

	sessions, features, mixes *namespace
	all                       []*namespace
	// badgers are the Badger backends, for value-log GC; empty with Redis.
	badgers []*badgerBackend
	// closeBackends releases the databases or the Redis client.
	closeBackends func() error

	reg     prometheus.Registerer
	metrics *metrics

	stopGC chan struct{}
	gcDone chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Open opens the three namespaces: in Redis at cfg.RedisAddr when that is
// set (cluster mode), otherwise in Badger databases under cfg.Dir (created
// if needed), with value-log GC. If reg is non-nil the store's metrics are
// registered there (and unregistered by Close); nil means no metrics
// registration. Open fails if Redis does not answer within a few seconds.
func Open(cfg Config, reg prometheus.Registerer) (*Store, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, stopGC: make(chan struct{}), gcDone: make(chan struct{})}
	if cfg.RedisAddr != "" {
		err = s.openRedis()
	} else {
		err = s.openBadgers()
	}
	if err != nil {
		return nil, err
	}
	s.sessions, s.features, s.mixes = s.all[0], s.all[1], s.all[2]

	if reg != nil {
		m := newMetrics(s.all)
		if err := reg.Register(m); err != nil {
			return nil, errors.Join(fmt.Errorf("store: register metrics: %w", err), s.closeBackends())
		}
		s.reg, s.metrics = reg, m
	}
	if cfg.InMemory || len(s.badgers) == 0 { // nothing on disk to collect
		close(s.gcDone)
	} else {
		go s.gcLoop()
	}
	return s, nil
}

// newNamespace wraps a backend with the store's lifecycle and logger.
func (s *Store) newNamespace(name string, kv backend) *namespace {
	return &namespace{name: name, kv: kv, life: &s.life, log: s.cfg.Logger}
}

// openBadgers opens one Badger database per namespace. If one fails, the
// ones already open are closed again, so their directories stay usable.
func (s *Store) openBadgers() error {
	s.closeBackends = func() error {
		var errs []error
		for _, b := range s.badgers {
			if err := b.db.Close(); err != nil {
				errs = append(errs, fmt.Errorf("store: close %s: %w", b.name, err))
			}
		}
		return errors.Join(errs...)
	}
	for _, name := range namespaceNames() {
		log := s.cfg.Logger.With(slog.String("ns", name))
		dir := ""
		if !s.cfg.InMemory {
			dir = filepath.Join(s.cfg.Dir, name)
		}
		db, err := badger.Open(badgerOptions(dir, s.cfg.InMemory, log))
		if err != nil {
			return errors.Join(fmt.Errorf("store: open %s at %q: %w", name, dir, err), s.closeBackends())
		}
		b := &badgerBackend{name: name, db: db, log: s.cfg.Logger}
		s.badgers = append(s.badgers, b)
		s.all = append(s.all, s.newNamespace(name, b))
	}
	return nil
}

// openRedis connects one client and gives each namespace its key prefix.
func (s *Store) openRedis() error {
	client, err := openRedis(s.cfg)
	if err != nil {
		return err
	}
	s.closeBackends = func() error {
		if err := client.Close(); err != nil {
			return fmt.Errorf("store: close redis: %w", err)
		}
		return nil
	}
	cad := newDelIfSameScript()
	for _, name := range namespaceNames() {
		prefix := s.cfg.RedisPrefix + redisKeyRoot + name + ":"
		s.all = append(s.all, s.newNamespace(name, &redisBackend{client: client, prefix: prefix, cad: cad}))
	}
	return nil
}

// Close stops GC, waits for in-flight operations, unregisters the metrics and
// closes the databases (flushing memtables) or the Redis client (ending its
// connection pool). It is safe to call more than once; later calls return
// the first call's result.
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
		s.closeErr = s.closeBackends()
	})
	return s.closeErr
}

// NamespaceStats are one namespace's read counters since Open and its size on
// disk, for the dashboard. Every read is counted once: Hits, Misses,
// Negatives (cached misses found) or Invalid (a value that failed decoding or
// validation; the caller saw a miss). The sizes are Badger's; with Redis
// they are 0 (see redisBackend.size).
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
