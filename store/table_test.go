package store

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// access abstracts "put a record, get it back" over the three namespaces so
// that round-trip, TTL and expiry tests run once per namespace.
type access struct {
	ns  string
	ttl func(Config) time.Duration
	put func(ctx context.Context, key string, v rec) error
	get func(ctx context.Context, key string) (rec, bool, error)
}

func accessors(s *Store) []access {
	sessions, mixes, features := Sessions[rec](s), Mixes[rec](s), Features[rec](s)
	return []access{
		{NSSessions, func(c Config) time.Duration { return c.SessionTTL }, sessions.Put, sessions.Get},
		{NSMixSessions, func(c Config) time.Duration { return c.MixTTL }, mixes.Put, mixes.Get},
		{NSAudioFeatures, func(c Config) time.Duration { return c.FeatureHitTTL }, features.PutHit,
			func(ctx context.Context, key string) (rec, bool, error) {
				v, l, err := features.Get(ctx, key)
				return v, l == LookupHit, err
			}},
	}
}

func TestRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		for _, a := range accessors(s) {
			t.Run(a.ns, func(t *testing.T) {
				_, found, err := a.get(ctx, "user-1")
				require.NoError(t, err)
				assert.False(t, found, "absent key")

				want := rec{ID: "user-1", N: 7}
				require.NoError(t, a.put(ctx, "user-1", want))
				got, found, err := a.get(ctx, "user-1")
				require.NoError(t, err)
				require.True(t, found)
				assert.Equal(t, want, got)

				// Overwrite replaces.
				want.N = 8
				require.NoError(t, a.put(ctx, "user-1", want))
				got, _, err = a.get(ctx, "user-1")
				require.NoError(t, err)
				assert.Equal(t, want, got)
			})
		}
		st := s.Stats()
		for _, ns := range []string{NSSessions, NSMixSessions, NSAudioFeatures} {
			assert.Equal(t, NamespaceStats{Hits: 2, Misses: 1}, st[ns], ns)
		}
	})
}

func TestPointerRecordRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		tbl := Mixes[*prec](s)
		require.NoError(t, tbl.Put(ctx, "u", &prec{Name: "x"}))
		got, found, err := tbl.Get(ctx, "u")
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, &prec{Name: "x"}, got)

		require.ErrorIs(t, tbl.Put(ctx, "u", nil), ErrInvalidValue)
		require.ErrorIs(t, Features[*prec](s).PutHit(ctx, "u", nil), ErrInvalidValue)
	})
}

func TestEveryWriteHasTTL(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		cfg := Config{SessionTTL: 2 * time.Hour, MixTTL: 3 * time.Hour, FeatureHitTTL: 4 * time.Hour, FeatureMissTTL: 90 * time.Second}
		s := b.open(t, cfg)
		ctx := testCtx(t)
		norm, err := b.config(cfg).normalize()
		require.NoError(t, err)

		check := func(t *testing.T, s *Store, ns, key string, ttl time.Duration, before, after time.Time) {
			t.Helper()
			exists, exp := rawItem(t, s.ns(t, ns), key)
			require.True(t, exists)
			require.NotZero(t, exp, "write without TTL")
			assert.GreaterOrEqual(t, exp, uint64(before.Add(ttl).Unix()))
			assert.LessOrEqual(t, exp, uint64(after.Add(ttl).Unix()))
		}
		for _, a := range accessors(s) {
			t.Run(a.ns, func(t *testing.T) {
				before := time.Now()
				require.NoError(t, a.put(ctx, "k", rec{ID: "k"}))
				check(t, s, a.ns, "k", a.ttl(norm), before, time.Now())
			})
		}
		t.Run("negative", func(t *testing.T) {
			before := time.Now()
			require.NoError(t, Features[rec](s).PutMiss(ctx, "miss"))
			check(t, s, NSAudioFeatures, "miss", 90*time.Second, before, time.Now())
		})
		t.Run("defaults", func(t *testing.T) {
			d := b.open(t, Config{})
			for _, c := range []struct {
				ns, key string
				put     func(key string) error
				ttl     time.Duration
			}{
				{NSSessions, "s", func(k string) error { return Sessions[rec](d).Put(ctx, k, rec{ID: k}) }, 4 * time.Hour},
				{NSMixSessions, "x", func(k string) error { return Mixes[rec](d).Put(ctx, k, rec{ID: k}) }, 8 * time.Hour},
				{NSAudioFeatures, "h", func(k string) error { return Features[rec](d).PutHit(ctx, k, rec{ID: k}) }, 90 * 24 * time.Hour},
				{NSAudioFeatures, "m", func(k string) error { return Features[rec](d).PutMiss(ctx, k) }, 5 * time.Minute},
			} {
				before := time.Now()
				require.NoError(t, c.put(c.key))
				check(t, d, c.ns, c.key, c.ttl, before, time.Now())
			}
		})
	})
}

func TestExpiredValuesAreNotReturned(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		ttl := b.shortTTL
		s := b.open(t, Config{SessionTTL: ttl, MixTTL: ttl, FeatureHitTTL: ttl, FeatureMissTTL: ttl})
		ctx := testCtx(t)
		acc := accessors(s)
		for _, a := range acc {
			require.NoError(t, a.put(ctx, "k", rec{ID: "k"}), a.ns)
			_, found, err := a.get(ctx, "k")
			require.NoError(t, err)
			require.True(t, found, a.ns)
		}
		features := Features[rec](s)
		require.NoError(t, features.PutMiss(ctx, "m"))

		// Poll instead of sleeping: the values must go within a bound of
		// their TTL, however fast or slow the machine is.
		deadline := time.Now().Add(ttl + 3*time.Second)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for _, a := range acc {
			for {
				_, found, err := a.get(ctx, "k")
				require.NoError(t, err)
				if !found {
					break
				}
				require.True(t, time.Now().Before(deadline), "%s: value still returned after its TTL", a.ns)
				<-tick.C
			}
		}
		// The negative entry shared the same TTL and must be gone as well.
		for {
			_, l, err := features.Get(ctx, "m")
			require.NoError(t, err)
			if l == LookupMiss {
				break
			}
			require.True(t, time.Now().Before(deadline), "negative entry still returned after its TTL")
			<-tick.C
		}
	})
}

func TestInvalidKeys(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		tbl, cache := Sessions[rec](s), Features[rec](s)
		for name, key := range map[string]string{
			"empty":    "",
			"too long": strings.Repeat("a", MaxKeyLen+1),
			"bad utf8": "a\xffb",
		} {
			t.Run(name, func(t *testing.T) {
				require.ErrorIs(t, tbl.Put(ctx, key, rec{ID: "x"}), ErrInvalidKey)
				_, _, err := tbl.Get(ctx, key)
				require.ErrorIs(t, err, ErrInvalidKey)
				_, _, err = tbl.Take(ctx, key)
				require.ErrorIs(t, err, ErrInvalidKey)
				require.ErrorIs(t, tbl.Delete(ctx, key), ErrInvalidKey)
				require.ErrorIs(t, cache.PutHit(ctx, key, rec{ID: "x"}), ErrInvalidKey)
				require.ErrorIs(t, cache.PutMiss(ctx, key), ErrInvalidKey)
				_, _, err = cache.Get(ctx, key)
				require.ErrorIs(t, err, ErrInvalidKey)
			})
		}
		require.NoError(t, tbl.Put(ctx, strings.Repeat("a", MaxKeyLen), rec{ID: "x"}), "a key of exactly MaxKeyLen is fine")
		assert.Equal(t, NamespaceStats{}, s.Stats()[NSAudioFeatures], "rejected keys are not counted as reads")
	})
}

func TestPutRejectsInvalidRecord(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		tbl, cache := Sessions[rec](s), Features[rec](s)
		for name, v := range map[string]rec{"empty id": {}, "negative n": {ID: "a", N: -1}} {
			t.Run(name, func(t *testing.T) {
				require.ErrorIs(t, tbl.Put(ctx, "k", v), ErrInvalidValue)
				require.ErrorIs(t, cache.PutHit(ctx, "k", v), ErrInvalidValue)
				exists, _ := rawItem(t, s.ns(t, NSSessions), "k")
				assert.False(t, exists, "nothing written")
			})
		}
	})
}

func TestDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		tbl := Sessions[rec](s)
		require.NoError(t, tbl.Put(ctx, "k", rec{ID: "k"}))
		require.NoError(t, tbl.Delete(ctx, "k"))
		_, found, err := tbl.Get(ctx, "k")
		require.NoError(t, err)
		assert.False(t, found)
		require.NoError(t, tbl.Delete(ctx, "k"), "deleting an absent key is fine")
	})
}

func TestTakeIsSingleUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		tbl := Sessions[rec](s)
		const takers, rounds = 50, 5
		for round := range rounds {
			key := "code-" + string(rune('a'+round))
			require.NoError(t, tbl.Put(ctx, key, rec{ID: key, N: round}))

			var (
				wins  atomic.Int32
				start = make(chan struct{})
				wg    sync.WaitGroup
				errs  = make(chan error, takers)
			)
			for range takers {
				wg.Go(func() {
					<-start
					v, found, err := tbl.Take(ctx, key)
					if err != nil {
						errs <- err
						return
					}
					if found {
						wins.Add(1)
						if v != (rec{ID: key, N: round}) {
							errs <- assert.AnError
						}
					}
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			require.Equal(t, int32(1), wins.Load(), "round %d: exactly one taker wins", round)
			_, found, err := tbl.Get(ctx, key)
			require.NoError(t, err)
			require.False(t, found, "taken value is gone")
		}
		st := s.Stats()[NSSessions]
		assert.Equal(t, uint64(rounds), st.Hits)
		assert.Equal(t, uint64(rounds*takers), st.Misses, "per round: 49 losing takes plus one get")
	})
}

func TestOperationsHonourContext(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		tbl := Sessions[rec](s)
		require.ErrorIs(t, tbl.Put(ctx, "k", rec{ID: "k"}), context.Canceled)
		_, _, err := tbl.Get(ctx, "k")
		require.ErrorIs(t, err, context.Canceled)
		_, _, err = tbl.Take(ctx, "k")
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, tbl.Delete(ctx, "k"), context.Canceled)
	})
}
