package store

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"dj/internal/redistest"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// rec is a value-receiver record for tests.
type rec struct {
	ID string `json:"id"`
	N  int    `json:"n"`
}

func (r rec) Validate() error {
	if r.ID == "" {
		return errors.New("id is empty")
	}
	if r.N < 0 {
		return errors.New("n is negative")
	}
	return nil
}

// prec is a pointer-receiver record, the common shape of domain types.
type prec struct {
	Name string `json:"name"`
}

func (p *prec) Validate() error {
	if p.Name == "" {
		return errors.New("name is empty")
	}
	return nil
}

// quietLogger drops everything below error so expected warnings (invalid
// values) do not clutter test output.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{}, &slog.HandlerOptions{Level: slog.LevelError}))
}

type testWriter struct{}

func (testWriter) Write(p []byte) (int, error) { return len(p), nil }

// openMem opens an in-memory store with cfg's TTLs and closes it at cleanup.
func openMem(t *testing.T, cfg Config) *Store {
	t.Helper()
	cfg.InMemory = true
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := Open(cfg, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// backendCase is one storage backend that the behavioural tests run
// against: the same test body must pass on Badger and on Redis.
type backendCase struct {
	name string
	// srv is the test's own redis-server; nil for Badger.
	srv *redistest.Server
	// shortTTL is the shortest TTL whose value is certainly still readable
	// right after the write: Badger rounds expiry down to whole seconds
	// (a 2 s TTL lives 1 to 2 s), Redis keeps milliseconds.
	shortTTL time.Duration
	// stores counts the stores opened, to give each its own Redis prefix.
	stores int
}

// eachBackend runs f once per backend, as subtests "badger" and "redis".
func eachBackend(t *testing.T, f func(t *testing.T, b *backendCase)) {
	t.Helper()
	t.Run("badger", func(t *testing.T) {
		f(t, &backendCase{name: "badger", shortTTL: 2 * time.Second})
	})
	t.Run("redis", func(t *testing.T) {
		f(t, &backendCase{name: "redis", srv: redistest.Start(t), shortTTL: time.Second})
	})
}

// config completes cfg for the backend: in-memory Badger (unless cfg names
// a directory), or the test's Redis server under a prefix that no other
// store of the test uses, so stores in one test never see each other.
func (b *backendCase) config(cfg Config) Config {
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	if b.srv == nil {
		cfg.InMemory = cfg.Dir == ""
		return cfg
	}
	b.stores++
	cfg.RedisAddr = b.srv.Addr()
	cfg.RedisPrefix = "t" + strconv.Itoa(b.stores) + ":"
	return cfg
}

// open opens a store of this backend with cfg and closes it at cleanup.
func (b *backendCase) open(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(b.config(cfg), nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// ns returns the store's namespace by name.
func (s *Store) ns(t *testing.T, name string) *namespace {
	t.Helper()
	for _, n := range s.all {
		if n.name == name {
			return n
		}
	}
	t.Fatalf("no namespace %q", name)
	return nil
}

// rawSet writes val under key straight into the namespace's backend,
// bypassing encoding and validation, as damaged or old data would be.
func rawSet(t *testing.T, n *namespace, key string, val []byte) {
	t.Helper()
	switch kv := n.kv.(type) {
	case *badgerBackend:
		require.NoError(t, kv.db.Update(func(txn *badger.Txn) error {
			return txn.SetEntry(badger.NewEntry(dbKey(key), val).WithTTL(time.Hour))
		}))
	case *redisBackend:
		require.NoError(t, kv.client.Set(testCtx(t), kv.key(key), val, time.Hour).Err())
	default:
		t.Fatalf("unknown backend %T", n.kv)
	}
}

// rawItem returns whether key exists in the backend and its expiry in
// whole Unix seconds, Badger's resolution (Redis's milliseconds are
// truncated; 0 means no expiry).
func rawItem(t *testing.T, n *namespace, key string) (exists bool, expiresAt uint64) {
	t.Helper()
	switch kv := n.kv.(type) {
	case *badgerBackend:
		err := kv.db.View(func(txn *badger.Txn) error {
			item, err := txn.Get(dbKey(key))
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			exists, expiresAt = true, item.ExpiresAt()
			return nil
		})
		require.NoError(t, err)
		return exists, expiresAt
	case *redisBackend:
		exists, at := redisExpiry(t, kv, key)
		if !exists || at.IsZero() {
			return exists, 0
		}
		return true, uint64(at.Unix())
	default:
		t.Fatalf("unknown backend %T", n.kv)
		return false, 0
	}
}

// redisExpiry returns whether key exists in Redis and its expiry to the
// millisecond (zero time: none), from PEXPIRETIME (Redis 7).
func redisExpiry(t *testing.T, kv *redisBackend, key string) (exists bool, at time.Time) {
	t.Helper()
	ms, err := kv.client.Do(testCtx(t), "PEXPIRETIME", kv.key(key)).Int64()
	require.NoError(t, err)
	switch ms {
	case -2: // no such key
		return false, time.Time{}
	case -1: // no expiry
		return true, time.Time{}
	default:
		return true, time.UnixMilli(ms)
	}
}

// redisClient returns the Redis client behind a Redis-backed store.
func redisClient(t *testing.T, s *Store) *redis.Client {
	t.Helper()
	kv, ok := s.sessions.kv.(*redisBackend)
	require.True(t, ok, "not a Redis store")
	return kv.client
}

// testCtx is a context that ends with the test, with a generous upper bound
// so that no test can hang forever.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
