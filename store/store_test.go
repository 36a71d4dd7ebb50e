package store

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigNormalize(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "defaults", cfg: Config{Dir: "d"}, check: func(t *testing.T, c Config) {
			assert.Equal(t, 4*time.Hour, c.SessionTTL)
			assert.Equal(t, 8*time.Hour, c.MixTTL)
			assert.Equal(t, 90*24*time.Hour, c.FeatureHitTTL)
			assert.Equal(t, 5*time.Minute, c.FeatureMissTTL)
			assert.Equal(t, 10*time.Minute, c.GCInterval)
			assert.NotNil(t, c.Logger)
		}},
		{name: "overrides kept", cfg: Config{InMemory: true, SessionTTL: time.Second, GCInterval: time.Minute}, check: func(t *testing.T, c Config) {
			assert.Equal(t, time.Second, c.SessionTTL)
			assert.Equal(t, time.Minute, c.GCInterval)
		}},
		{name: "redis needs no dir", cfg: Config{RedisAddr: "127.0.0.1:1"}, check: func(t *testing.T, c Config) {
			assert.Equal(t, 4*time.Hour, c.SessionTTL)
			assert.Empty(t, c.Dir)
		}},
		{name: "no dir", cfg: Config{}, wantErr: "Dir is required"},
		{name: "in-memory redis", cfg: Config{InMemory: true, RedisAddr: "127.0.0.1:1"}, wantErr: "exclude each other"},
		{name: "sub-second TTL with redis", cfg: Config{RedisAddr: "127.0.0.1:1", MixTTL: 999 * time.Millisecond}, wantErr: "MixTTL"},
		{name: "negative GC interval", cfg: Config{Dir: "d", GCInterval: -time.Second}, wantErr: "GCInterval"},
		{name: "sub-second session TTL", cfg: Config{Dir: "d", SessionTTL: 500 * time.Millisecond}, wantErr: "SessionTTL"},
		{name: "negative mix TTL", cfg: Config{Dir: "d", MixTTL: -time.Hour}, wantErr: "MixTTL"},
		{name: "sub-second hit TTL", cfg: Config{Dir: "d", FeatureHitTTL: time.Millisecond}, wantErr: "FeatureHitTTL"},
		{name: "sub-second miss TTL", cfg: Config{Dir: "d", FeatureMissTTL: time.Nanosecond}, wantErr: "FeatureMissTTL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.cfg.normalize()
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				_, err := Open(c.cfg, nil)
				require.ErrorContains(t, err, c.wantErr, "Open rejects it too")
				return
			}
			require.NoError(t, err)
			c.check(t, got)
		})
	}
}

func TestWriteRefusesMissingTTL(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		k, err := checkKey("k")
		require.NoError(t, err)
		for _, ttl := range []time.Duration{0, -time.Second, 999 * time.Millisecond} {
			require.ErrorContains(t, s.sessions.write(testCtx(t), k, []byte("x"), ttl), "TTL", ttl)
		}
		exists, _ := rawItem(t, s.sessions, "k")
		assert.False(t, exists)
	})
}

func TestOnDiskLayoutAndReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := testCtx(t)
	s, err := Open(Config{Dir: dir, Logger: quietLogger()}, nil)
	require.NoError(t, err)
	require.NoError(t, Sessions[rec](s).Put(ctx, "a", rec{ID: "a"}))
	require.NoError(t, Features[rec](s).PutMiss(ctx, "b"))
	require.NoError(t, Mixes[rec](s).Put(ctx, "c", rec{ID: "c"}))

	// One directory, one opener: a second Open fails and leaves s working.
	_, err = Open(Config{Dir: dir, Logger: quietLogger()}, nil)
	require.ErrorContains(t, err, "store: open sessions")
	require.NoError(t, s.Close())

	for _, ns := range []string{NSSessions, NSAudioFeatures, NSMixSessions} {
		fi, err := os.Stat(filepath.Join(dir, ns))
		require.NoError(t, err)
		assert.True(t, fi.IsDir(), ns)
	}

	s, err = Open(Config{Dir: dir, Logger: quietLogger()}, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	_, found, err := Sessions[rec](s).Get(ctx, "a")
	require.NoError(t, err)
	assert.True(t, found)
	_, l, err := Features[rec](s).Get(ctx, "b")
	require.NoError(t, err)
	assert.Equal(t, LookupNegative, l)
	_, found, err = Mixes[rec](s).Get(ctx, "c")
	require.NoError(t, err)
	assert.True(t, found)
	st := s.Stats()
	assert.Positive(t, st[NSSessions].LSMBytes+st[NSSessions].VlogBytes, "on-disk size is reported")
}

func TestOpenFailureReleasesOpenedDatabases(t *testing.T) {
	dir := t.TempDir()
	// A file where the last namespace's directory should be makes its Open
	// fail after the first two succeeded.
	blocker := filepath.Join(dir, NSMixSessions)
	require.NoError(t, os.WriteFile(blocker, []byte("x"), 0o600))
	_, err := Open(Config{Dir: dir, Logger: quietLogger()}, nil)
	require.ErrorContains(t, err, "store: open mix_sessions")

	require.NoError(t, os.Remove(blocker))
	s, err := Open(Config{Dir: dir, Logger: quietLogger()}, nil)
	require.NoError(t, err, "the first two directories must have been unlocked")
	require.NoError(t, s.Close())
}

func TestCloseIsIdempotentAndFinal(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s, err := Open(b.config(Config{}), nil)
		require.NoError(t, err)
		ctx := testCtx(t)
		tbl, cache := Sessions[rec](s), Features[rec](s)
		require.NoError(t, tbl.Put(ctx, "k", rec{ID: "k"}))

		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { assert.NoError(t, s.Close()) })
		}
		wg.Wait()
		require.NoError(t, s.Close())

		require.ErrorIs(t, tbl.Put(ctx, "k", rec{ID: "k"}), ErrClosed)
		_, _, err = tbl.Get(ctx, "k")
		require.ErrorIs(t, err, ErrClosed)
		_, _, err = tbl.Take(ctx, "k")
		require.ErrorIs(t, err, ErrClosed)
		require.ErrorIs(t, tbl.Delete(ctx, "k"), ErrClosed)
		require.ErrorIs(t, cache.PutMiss(ctx, "k"), ErrClosed)
		_, _, err = cache.Get(ctx, "k")
		require.ErrorIs(t, err, ErrClosed)
		assert.Len(t, s.Stats(), 3, "Stats still answers after Close")
		if b.srv != nil {
			require.ErrorIs(t, redisClient(t, s).Ping(ctx).Err(), redis.ErrClosed, "Close closes the Redis client")
		}
	})
}

func TestCloseWaitsForConcurrentOperations(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s, err := Open(b.config(Config{}), nil)
		require.NoError(t, err)
		ctx := testCtx(t)
		tbl := Sessions[rec](s)
		var (
			wg      sync.WaitGroup
			started sync.WaitGroup
		)
		for i := range 8 {
			started.Add(1)
			wg.Go(func() {
				for j := 0; ; j++ {
					key := "k" + string(rune('a'+i))
					if err := tbl.Put(ctx, key, rec{ID: key, N: j}); err != nil {
						assert.ErrorIs(t, err, ErrClosed)
						if j == 0 {
							started.Done()
						}
						return
					}
					if j == 0 {
						started.Done()
					}
					if _, _, err := tbl.Get(ctx, key); err != nil {
						assert.ErrorIs(t, err, ErrClosed)
						return
					}
				}
			})
		}
		started.Wait() // every worker has made a first call
		require.NoError(t, s.Close())
		wg.Wait()
	})
}

func TestGCLoopRunsAndStops(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), GCInterval: 5 * time.Millisecond, Logger: quietLogger()}, nil)
	require.NoError(t, err)
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	require.Len(t, s.badgers, 3)
	for _, n := range s.badgers {
		for n.gcRuns.Load() < 2 {
			require.True(t, time.Now().Before(deadline), "%s: GC did not run", n.name)
			<-tick.C
		}
	}
	start := time.Now()
	require.NoError(t, s.Close())
	assert.Less(t, time.Since(start), 5*time.Second)
	// goleak in TestMain checks that the GC goroutine is gone.
}

func TestBadgerLoggerFiltersToWarnings(t *testing.T) {
	var buf bytes.Buffer
	l := badgerLogger{log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), min: slog.LevelWarn}
	l.Debugf("debug %d", 1)
	l.Infof("info %d\n", 2)
	l.Warningf("careful %d\n", 3)
	l.Errorf("broken %s", "disk")
	out := buf.String()
	assert.NotContains(t, out, "debug 1")
	assert.NotContains(t, out, "info 2")
	assert.Contains(t, out, `level=WARN msg="careful 3" component=badger`)
	assert.Contains(t, out, `level=ERROR msg="broken disk" component=badger`)
	assert.Equal(t, 2, strings.Count(out, "\n"), "trailing newlines trimmed")
}

func TestBadgerInfoLinesAreDropped(t *testing.T) {
	// A store opened with an Info-level logger must not receive Badger's
	// INFO chatter: only its warnings pass the adapter.
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := Open(Config{Dir: t.TempDir(), Logger: logger}, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.NotContains(t, buf.String(), "component=badger")
}

// syncBuffer is a bytes.Buffer safe for Badger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
