package actors

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dj/mix"
	"dj/store"
	"dj/upstream/sim"

	"github.com/stretchr/testify/require"
)

// The bounds hold: waiters per lookup, lookups in flight, queued lookups.
// A caller past a bound is answered at once without enrichment.
func TestEnrichBounds(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{
		cfg: enrichConfig{MaxLookups: 2, MaxWaiters: 3, MaxQueued: 2},
		latency: map[string]sim.Latency{
			"deezer": {Median: 300 * time.Millisecond, P99: 400 * time.Millisecond},
		},
	})
	ctx := testContext(t)
	tracks := env.pick(7, enrichable)

	t.Run("waiters per lookup", func(t *testing.T) {
		results := concurrentFeatures(t, env, ctx, repeat(env.ref(tracks[0]), 10))
		es := env.e.Stats()
		require.EqualValues(t, 7, es.Overflow)
		require.EqualValues(t, 2, es.DedupJoins)
		full := 0
		for _, f := range results {
			if f.BPM != nil {
				full++
			}
		}
		require.Equal(t, 3, full, "the three waiters got the lookup's answer")
	})

	t.Run("lookups in flight and queued", func(t *testing.T) {
		env.srv.ResetStats()
		before := env.e.Stats()
		refs := refsOf(env, tracks[1:7])
		var maxRunning, maxQueued atomic.Int64
		stop := make(chan struct{})
		var watch sync.WaitGroup
		watch.Add(1)
		go func() {
			defer watch.Done()
			for {
				s := env.e.Stats()
				maxRunning.Store(max(maxRunning.Load(), s.Running))
				maxQueued.Store(max(maxQueued.Load(), s.Queued))
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		results := concurrentFeatures(t, env, ctx, refs)
		close(stop)
		watch.Wait()
		es := env.e.Stats()
		require.EqualValues(t, 2, es.Overflow-before.Overflow, "six tracks: two running, two queued, two refused")
		require.EqualValues(t, 4, es.LookupsStarted-before.LookupsStarted)
		require.LessOrEqual(t, maxRunning.Load(), int64(2))
		require.LessOrEqual(t, maxQueued.Load(), int64(2))
		require.LessOrEqual(t, env.stats(t).APIs["deezer"].MaxInFlight, int64(2))
		full := 0
		for _, f := range results {
			if f.BPM != nil {
				full++
			}
		}
		require.Equal(t, 4, full)
	})
}

func repeat(r TrackRef, n int) []TrackRef {
	out := make([]TrackRef, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// concurrentFeatures calls Features for every ref at once.
func concurrentFeatures(t *testing.T, env *enrichEnv, ctx context.Context, refs []TrackRef) []mix.Features {
	t.Helper()
	out := make([]mix.Features, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, r := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			out[i], errs[i] = env.e.Features(ctx, r)
		}()
	}
	close(gate)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	return out
}

// Without a Last.fm key only Deezer is asked, and the result is cached.
func TestEnrichWithoutLastfm(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{noLastfm: true})
	tr := env.pickOne(t, enrichable)
	f, err := env.e.Features(testContext(t), env.ref(tr))
	require.NoError(t, err)
	require.NotNil(t, f.BPM)
	require.Empty(t, f.Tags)
	require.Zero(t, env.calls(t, "lastfm"))
	require.Equal(t, store.LookupHit, env.cacheState(t, tr.ID))
}

// Without an ISRC, Deezer is searched by artist and title and the hit
// closest in length is taken; a hit of another length is another
// recording, so Deezer counts as not knowing the track.
func TestEnrichWithoutISRC(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{})
	ctx := testContext(t)
	tracks := env.pick(2, enrichable)

	ref := env.ref(tracks[0])
	ref.ISRC = ""
	f, err := env.e.Features(ctx, ref)
	require.NoError(t, err)
	require.NotNil(t, f.BPM)
	require.InDelta(t, tracks[0].BPM, *f.BPM, 0.01)
	require.EqualValues(t, 2, env.calls(t, "deezer"), "search, then the full track")

	env.srv.ResetStats()
	ref = env.ref(tracks[1])
	ref.ISRC, ref.DurationMs = "", ref.DurationMs+60_000
	f, err = env.e.Features(ctx, ref)
	require.NoError(t, err)
	require.Nil(t, f.BPM, "a minute off is not this recording")
	require.Equal(t, tracks[1].Listeners, f.Listeners)
	require.EqualValues(t, 1, env.calls(t, "deezer"), "search only")
}

// Where Deezer files a remaster under the ISRC, the ISRC search finds
// the edition whose length matches Spotify's (the original).
func TestEnrichPicksClosestEdition(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{catalog: sim.CatalogConfig{Tracks: 1500, Artists: 200}})
	tracks := env.pick(8, func(tr *sim.Track) bool { return tr.InDeezer && tr.DeezerAltID != 0 })
	require.NotEmpty(t, tracks)
	got := env.enrichAll(t, testContext(t), refsOf(env, tracks))
	cat := env.srv.Catalog()
	for _, tr := range tracks {
		f := got[tr.ID]
		require.NotNil(t, f.Rank, "track %s", tr.ID)
		require.EqualValues(t, tr.Rank, *f.Rank, "the original's rank, not the remaster's")
		require.Equal(t, cat.Albums[tr.Album].ReleaseDate, f.ReleaseDate)
	}
	t.Logf("%d tracks with two editions: %d Deezer calls", len(tracks), env.calls(t, "deezer"))
}

// Enrich reports each distinct id once, serially, and skips empty ids;
// an id that is not a Spotify id gets empty features without a lookup.
func TestEnrichDistinctRefs(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{})
	tracks := env.pick(3, enrichable)
	refs := refsOf(env, tracks)
	refs = append(refs, refs[0], TrackRef{}, TrackRef{ID: "not a spotify id!", Artist: "x", Name: "y"})
	var (
		inside, overlaps atomic.Int32
		calls            = map[string]int{}
		ids              = map[string]string{}
	)
	err := env.e.Enrich(testContext(t), refs, func(id string, f mix.Features) {
		if inside.Add(1) != 1 {
			overlaps.Add(1)
		}
		defer inside.Add(-1)
		time.Sleep(time.Millisecond) // widen the window an overlap would need
		calls[id]++
		ids[id] = f.TrackID
	})
	require.NoError(t, err)
	require.Zero(t, overlaps.Load(), "each is never called concurrently")
	for id, got := range ids {
		require.Equal(t, id, got)
	}
	require.Len(t, calls, 4)
	for id, n := range calls {
		require.Equal(t, 1, n, "id %s", id)
	}
	require.EqualValues(t, 3, env.e.Stats().LookupsStarted)
}

// A stored record for another track (or any record failing validation)
// is a miss: the track is looked up again.
func TestEnrichCacheEntryIsValidated(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{})
	ctx := testContext(t)
	tracks := env.pick(2, enrichable)
	cache := store.Features[*featuresRecord](env.st)
	wrong := &featuresRecord{Version: featuresRecordVersion, FetchedAt: time.Now(),
		Features: mix.Features{TrackID: tracks[1].ID}}
	require.NoError(t, cache.PutHit(ctx, enrichKey(tracks[0].ID), wrong))
	f, err := env.e.Features(ctx, env.ref(tracks[0]))
	require.NoError(t, err)
	require.Equal(t, tracks[0].ID, f.TrackID)
	require.NotNil(t, f.BPM)
	require.EqualValues(t, 1, env.e.Stats().LookupsStarted)

	bad := 300.0
	for _, r := range []*featuresRecord{
		nil,
		{Version: 2, FetchedAt: time.Now(), Features: mix.Features{TrackID: "abc"}},
		{Version: 1, Features: mix.Features{TrackID: "abc"}},
		{Version: 1, FetchedAt: time.Now(), Features: mix.Features{TrackID: "a b"}},
		{Version: 1, FetchedAt: time.Now(), Features: mix.Features{TrackID: "abc", BPM: &bad}},
	} {
		require.Error(t, r.Validate())
	}
	require.NoError(t, (&featuresRecord{Version: 1, FetchedAt: time.Now(), Features: mix.Features{TrackID: "abc"}}).Validate())
}

// The coordinator stops with the System: a caller waiting on a lookup
// that cannot finish gets an empty answer once Shutdown gives up on it,
// and later callers get one at once.
func TestEnricherStopsWithSystem(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{
		sys:    Config{DrainTimeout: 200 * time.Millisecond},
		faults: []sim.Fault{{API: "deezer", Kind: sim.FaultHang}},
	})
	tracks := env.pick(2, enrichable)
	res := make(chan error, 1)
	go func() {
		f, err := env.e.Features(context.Background(), env.ref(tracks[0]))
		if err == nil && f.BPM != nil {
			err = context.DeadlineExceeded // unexpected: the lookup cannot succeed
		}
		res <- err
	}()
	eventually(t, "the lookup is on the wire", func() bool { return env.e.Stats().Running == 1 })
	_ = env.ts.Shutdown(context.Background()) // reports the abandoned lookup
	select {
	case err := <-res:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("waiter still waiting after shutdown")
	}
	eventually(t, "the coordinator stopped", func() bool {
		return env.ts.metric(t, "dj_actors_alive", "kind", "enrichment") == 0
	})
	f, err := env.e.Features(context.Background(), env.ref(tracks[1]))
	require.NoError(t, err)
	require.Equal(t, mix.Features{TrackID: tracks[1].ID}, f)
	require.EqualValues(t, 1, env.e.Stats().LookupsStarted)
	env.srv.ClearFaults()
}
