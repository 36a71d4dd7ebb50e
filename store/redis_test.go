package store

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dj/internal/redistest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openRedisStore opens a store on srv under prefix and closes it at cleanup.
func openRedisStore(t *testing.T, srv *redistest.Server, prefix string, cfg Config) *Store {
	t.Helper()
	cfg.RedisAddr, cfg.RedisPrefix = srv.Addr(), prefix
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := Open(cfg, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestRedisKeyLayoutAndPrefixIsolation(t *testing.T) {
	srv := redistest.Start(t)
	ctx := testCtx(t)
	a := openRedisStore(t, srv, "a:", Config{})
	b := openRedisStore(t, srv, "b:", Config{})
	require.NoError(t, Sessions[rec](a).Put(ctx, "user", rec{ID: "a", N: 1}))
	require.NoError(t, Mixes[rec](a).Put(ctx, "user", rec{ID: "a", N: 2}))
	require.NoError(t, Features[rec](a).PutMiss(ctx, "user"))
	require.NoError(t, Sessions[rec](b).Put(ctx, "user", rec{ID: "b", N: 3}))

	// Each store, and each namespace in it, sees only its own value.
	for _, c := range []struct {
		s    *Store
		tbl  func(*Store) *Table[rec]
		want rec
	}{
		{a, Sessions[rec], rec{ID: "a", N: 1}},
		{a, Mixes[rec], rec{ID: "a", N: 2}},
		{b, Sessions[rec], rec{ID: "b", N: 3}},
	} {
		v, found, err := c.tbl(c.s).Get(ctx, "user")
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, c.want, v)
	}
	_, found, err := Mixes[rec](b).Get(ctx, "user")
	require.NoError(t, err)
	assert.False(t, found, "b's mixes are empty")

	keys, err := redisClient(t, a).Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"a:dj:sessions:user", "a:dj:mix_sessions:user", "a:dj:audio_features:user", "b:dj:sessions:user",
	}, keys)
}

func TestRedisTTLHasMillisecondPrecision(t *testing.T) {
	srv := redistest.Start(t)
	ctx := testCtx(t)
	const ttl = 1500 * time.Millisecond // Badger would round this to whole seconds
	s := openRedisStore(t, srv, "", Config{SessionTTL: ttl})
	before := time.Now()
	require.NoError(t, Sessions[rec](s).Put(ctx, "k", rec{ID: "k"}))
	after := time.Now()
	exists, at := redisExpiry(t, s.sessions.kv.(*redisBackend), "k")
	require.True(t, exists)
	// PEXPIRETIME is whole milliseconds: allow for that truncation.
	assert.False(t, at.Before(before.Add(ttl).Truncate(time.Millisecond)), "expiry %v before write+ttl", at)
	assert.False(t, at.After(after.Add(ttl)), "expiry %v after write+ttl", at)
}

func TestRedisTakeAcrossNodes(t *testing.T) {
	// Two stores on one prefix are two cluster nodes: of takers spread
	// over both, exactly one gets a login code.
	srv := redistest.Start(t)
	ctx := testCtx(t)
	nodes := []*Table[rec]{
		Sessions[rec](openRedisStore(t, srv, "shared:", Config{})),
		Sessions[rec](openRedisStore(t, srv, "shared:", Config{})),
	}
	const takers, rounds = 40, 5
	for round := range rounds {
		key := "code-" + strconv.Itoa(round)
		require.NoError(t, nodes[0].Put(ctx, key, rec{ID: key, N: round}))
		var (
			wins  atomic.Int32
			start = make(chan struct{})
			wg    sync.WaitGroup
		)
		for i := range takers {
			wg.Go(func() {
				<-start
				v, found, err := nodes[i%2].Take(ctx, key)
				if !assert.NoError(t, err) {
					return
				}
				if found {
					wins.Add(1)
					assert.Equal(t, rec{ID: key, N: round}, v)
				}
			})
		}
		close(start)
		wg.Wait()
		require.Equal(t, int32(1), wins.Load(), "round %d", round)
	}
}

func TestRedisOpenUnreachable(t *testing.T) {
	// A port that was free a moment ago: nothing answers there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	s, err := Open(Config{RedisAddr: addr, Logger: quietLogger()}, nil)
	require.Nil(t, s)
	require.ErrorContains(t, err, "store: open redis at "+addr+": ping:")
	assert.ErrorContains(t, err, "connection refused")
	// goleak (TestMain) checks that the failed Open closed its client.
}

func TestRedisPassword(t *testing.T) {
	srv := redistest.Start(t, redistest.Password("s3cret"))
	_, err := Open(Config{RedisAddr: srv.Addr(), Logger: quietLogger()}, nil)
	require.ErrorContains(t, err, "store: open redis at "+srv.Addr())
	assert.ErrorContains(t, err, "NOAUTH")

	s := openRedisStore(t, srv, "", Config{RedisPassword: "s3cret"})
	require.NoError(t, Sessions[rec](s).Put(testCtx(t), "k", rec{ID: "k"}))
}

func TestRedisOutageIsAnErrorNotAMiss(t *testing.T) {
	srv := redistest.Start(t)
	ctx := testCtx(t)
	s := openRedisStore(t, srv, "", Config{})
	tbl, cache := Sessions[rec](s), Features[rec](s)
	require.NoError(t, tbl.Put(ctx, "k", rec{ID: "k"}))

	srv.Kill()
	_, found, err := tbl.Get(ctx, "k")
	require.Error(t, err, "an unreachable store must not look like an absent key")
	assert.False(t, found)
	assert.ErrorContains(t, err, "store: sessions get:")
	_, _, err = tbl.Take(ctx, "k")
	require.Error(t, err)
	require.Error(t, tbl.Put(ctx, "k", rec{ID: "k"}))
	_, l, err := cache.Get(ctx, "k")
	require.Error(t, err)
	assert.Equal(t, LookupMiss, l)
	assert.Equal(t, NamespaceStats{}, s.Stats()[NSSessions], "failed reads are not counted")

	// The same store works again once Redis is back (its data is gone:
	// the test server keeps nothing on disk).
	srv.Restart()
	require.NoError(t, tbl.Put(ctx, "k", rec{ID: "k"}))
	_, found, err = tbl.Get(ctx, "k")
	require.NoError(t, err)
	assert.True(t, found)
}

func TestRedisCallerDeadlineReachesTheServerCall(t *testing.T) {
	srv := redistest.Start(t)
	s := openRedisStore(t, srv, "", Config{})
	tbl := Sessions[rec](s)
	require.NoError(t, tbl.Put(testCtx(t), "k", rec{ID: "k"})) // a pooled connection exists

	srv.Pause()
	defer srv.Resume()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := tbl.Get(ctx, "k")
		done <- err
	}()
	// Without the caller's deadline only the client's own read timeout
	// (redisIOTimeout) would end the call; this bound is far from both.
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.DeadlineExceeded)
	case <-time.After(redisIOTimeout - 500*time.Millisecond):
		t.Fatal("the caller's deadline did not reach the Redis call")
	}
}

func TestRedisAcknowledgedWritesSurviveServerKill(t *testing.T) {
	// With appendfsync always (the operator's choice, see doc.go) a write
	// the store acknowledged is on disk before Redis replied.
	srv := redistest.Start(t, redistest.Durable())
	ctx := testCtx(t)
	s := openRedisStore(t, srv, "", Config{})
	sessions, mixes, features := Sessions[rec](s), Mixes[rec](s), Features[rec](s)
	const n = 300
	for i := range n {
		key := crashKey(i)
		switch i % 3 {
		case 0:
			require.NoError(t, sessions.Put(ctx, key, crashRec(i)))
		case 1:
			require.NoError(t, mixes.Put(ctx, key, crashRec(i)))
		default:
			require.NoError(t, features.PutMiss(ctx, key))
		}
	}
	srv.Kill()
	srv.Restart()
	for i := range n {
		key := crashKey(i)
		switch i % 3 {
		case 0, 1:
			tbl := sessions
			if i%3 == 1 {
				tbl = mixes
			}
			v, found, err := tbl.Get(ctx, key)
			require.NoError(t, err)
			require.True(t, found, "%s lost", key)
			assert.Equal(t, crashRec(i), v)
		default:
			_, l, err := features.Get(ctx, key)
			require.NoError(t, err)
			require.Equal(t, LookupNegative, l, "%s lost", key)
		}
	}
	// TTLs survive too: Redis stores absolute expiry times.
	exists, at := redisExpiry(t, s.sessions.kv.(*redisBackend), crashKey(0))
	require.True(t, exists)
	assert.False(t, at.IsZero(), "TTL lost in the restart")
}

func TestRedisVersionCheck(t *testing.T) {
	cases := []struct {
		info    string
		want    [3]int
		wantErr string
	}{
		{info: "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n", want: [3]int{7, 0, 15}},
		{info: "redis_version:6.2\r\n", want: [3]int{6, 2, 0}},
		{info: "redis_version:seven\r\n", wantErr: "unparsable"},
		{info: "# Server\r\n", wantErr: "no redis_version"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%q", c.info), func(t *testing.T) {
			v, err := redisVersion(c.info)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, v)
		})
	}
	minimum := [3]int{redisMinMajor, redisMinMinor, 0}
	assert.Negative(t, compareVersion([3]int{6, 0, 16}, minimum), "6.0 lacks GETDEL")
	assert.Zero(t, compareVersion([3]int{6, 2, 0}, minimum))
	assert.Positive(t, compareVersion([3]int{7, 0, 0}, minimum))
	assert.Positive(t, compareVersion([3]int{6, 2, 1}, minimum))
}
