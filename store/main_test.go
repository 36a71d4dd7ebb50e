package store

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
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

// rawSet writes val under key straight into the namespace's database,
// bypassing encoding and validation, as damaged or old data would be.
func rawSet(t *testing.T, n *namespace, key string, val []byte) {
	t.Helper()
	require.NoError(t, n.db.Update(func(txn *badger.Txn) error {
		return txn.SetEntry(badger.NewEntry([]byte(keyPrefix+key), val).WithTTL(time.Hour))
	}))
}

// rawItem returns whether key exists in the database and its expiry (Unix s).
func rawItem(t *testing.T, n *namespace, key string) (exists bool, expiresAt uint64) {
	t.Helper()
	err := n.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyPrefix + key))
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
}

// testCtx is a context that ends with the test, with a generous upper bound
// so that no test can hang forever.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
