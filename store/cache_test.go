package store

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNegativeEntries(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		c := Features[rec](s)

		before := time.Now()
		require.NoError(t, c.PutMiss(ctx, "track-1"))
		v, l, err := c.Get(ctx, "track-1")
		require.NoError(t, err)
		assert.Equal(t, LookupNegative, l)
		assert.Zero(t, v)
		_, exp := rawItem(t, s.ns(t, NSAudioFeatures), "track-1")
		assert.GreaterOrEqual(t, exp, uint64(before.Add(5*time.Minute).Unix()))
		assert.LessOrEqual(t, exp, uint64(time.Now().Add(5*time.Minute).Unix()))

		// A hit replaces the negative entry, and a miss replaces a hit.
		require.NoError(t, c.PutHit(ctx, "track-1", rec{ID: "track-1", N: 120}))
		v, l, err = c.Get(ctx, "track-1")
		require.NoError(t, err)
		assert.Equal(t, LookupHit, l)
		assert.Equal(t, rec{ID: "track-1", N: 120}, v)
		require.NoError(t, c.PutMiss(ctx, "track-1"))
		_, l, err = c.Get(ctx, "track-1")
		require.NoError(t, err)
		assert.Equal(t, LookupNegative, l)

		_, l, err = c.Get(ctx, "never-seen")
		require.NoError(t, err)
		assert.Equal(t, LookupMiss, l)

		assert.Equal(t, NamespaceStats{Hits: 1, Misses: 1, Negatives: 2}, s.Stats()[NSAudioFeatures])
	})
}

func TestLookupString(t *testing.T) {
	for l, want := range map[Lookup]string{LookupMiss: "miss", LookupHit: "hit", LookupNegative: "negative", Lookup(9): "Lookup(9)"} {
		assert.Equal(t, want, l.String())
	}
}

// invalidValues are stored values that must never reach a caller.
var invalidValues = []struct {
	name       string
	raw        string
	validInNeg bool // a well-formed negative entry: invalid only in tables
}{
	{name: "garbage", raw: "\x00\xffnot json"},
	{name: "empty", raw: ""},
	{name: "validate fails", raw: `{"v":1,"data":{"id":"","n":1}}`},
	{name: "validate fails negative n", raw: `{"v":1,"data":{"id":"a","n":-3}}`},
	{name: "other format version", raw: `{"v":2,"data":{"id":"a","n":1}}`},
	{name: "no version", raw: `{"data":{"id":"a","n":1}}`},
	{name: "unknown envelope field", raw: `{"v":1,"data":{"id":"a","n":1},"extra":1}`},
	{name: "payload and negative flag", raw: `{"v":1,"neg":true,"data":{"id":"a","n":1}}`},
	{name: "neither payload nor flag", raw: `{"v":1}`},
	{name: "null payload", raw: `{"v":1,"data":null}`},
	{name: "payload of wrong type", raw: `{"v":1,"data":[1,2,3]}`},
	{name: "field of wrong type", raw: `{"v":1,"data":{"id":5,"n":1}}`},
	{name: "trailing data", raw: `{"v":1,"data":{"id":"a","n":1}} {}`},
	{name: "bare record without envelope", raw: `{"id":"a","n":1}`},
	{name: "negative entry", raw: `{"v":1,"neg":true}`, validInNeg: true},
}

func TestInvalidStoredValueIsMissDeletedCounted(t *testing.T) {
	modes := []struct {
		name       string
		ns         string
		negativeOK bool
		read       func(s *Store, key string) (bool, error)
	}{
		{"table get", NSSessions, false, func(s *Store, key string) (bool, error) {
			_, found, err := Sessions[rec](s).Get(testCtx(t), key)
			return found, err
		}},
		{"table take", NSMixSessions, false, func(s *Store, key string) (bool, error) {
			_, found, err := Mixes[rec](s).Take(testCtx(t), key)
			return found, err
		}},
		{"cache get", NSAudioFeatures, true, func(s *Store, key string) (bool, error) {
			_, l, err := Features[rec](s).Get(testCtx(t), key)
			return l != LookupMiss, err
		}},
	}
	eachBackend(t, func(t *testing.T, b *backendCase) {
		for _, m := range modes {
			t.Run(m.name, func(t *testing.T) {
				s := b.open(t, Config{})
				n := s.ns(t, m.ns)
				invalid := uint64(0)
				for _, iv := range invalidValues {
					if iv.validInNeg && m.negativeOK {
						continue
					}
					t.Run(iv.name, func(t *testing.T) {
						rawSet(t, n, "k", []byte(iv.raw))
						found, err := m.read(s, "k")
						require.NoError(t, err)
						assert.False(t, found, "invalid value returned")
						exists, _ := rawItem(t, n, "k")
						assert.False(t, exists, "invalid value not deleted")
						invalid++
						st := s.Stats()[m.ns]
						assert.Equal(t, invalid, st.Invalid)
						assert.Zero(t, st.Hits+st.Misses+st.Negatives, "an invalid read counts only as invalid")
					})
				}
				// Control: a valid value written the same raw way is a hit.
				rawSet(t, n, "k", []byte(`{"v":1,"data":{"id":"a","n":1}}`))
				found, err := m.read(s, "k")
				require.NoError(t, err)
				assert.True(t, found)
			})
		}
	})
}

func TestDiscardSparesNewerValue(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		s := b.open(t, Config{})
		ctx := testCtx(t)
		n := s.ns(t, NSSessions)
		rawSet(t, n, "k", []byte("garbage"))
		k, err := checkKey("k")
		require.NoError(t, err)
		old, found, err := n.read(ctx, k)
		require.NoError(t, err)
		require.True(t, found)

		// A valid value lands between the invalid read and its deletion.
		tbl := Sessions[rec](s)
		require.NoError(t, tbl.Put(ctx, "k", rec{ID: "fresh"}))
		n.discard(ctx, k, old, errors.New("test"))

		v, found, err := tbl.Get(ctx, "k")
		require.NoError(t, err)
		require.True(t, found, "a concurrent valid write must survive the cleanup")
		assert.Equal(t, rec{ID: "fresh"}, v)

		// Control: with nothing written in between, discard deletes.
		rawSet(t, n, "k", []byte("garbage"))
		old, found, err = n.read(ctx, k)
		require.NoError(t, err)
		require.True(t, found)
		n.discard(ctx, k, old, errors.New("test"))
		exists, _ := rawItem(t, n, "k")
		assert.False(t, exists, "the unchanged invalid value must be deleted")
	})
}
