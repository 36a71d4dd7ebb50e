package actors

import (
	"sync"
	"testing"
	"time"

	"dj/mix"
	"dj/store"
	"dj/upstream/sim"

	"github.com/stretchr/testify/require"
)

// The figure: 100 uncached tracks finish within 1.1× the time the
// 40 rps bound allows for the calls they need; a second run is served
// from the cache with zero upstream calls. Calls are counted by the
// simulator (/_sim/stats), not by us.
func TestEnrichHundredTracksWithinRateBound(t *testing.T) {
	figureTest(t)
	env := newEnrichEnv(t, enrichOpts{})
	ctx := testContext(t)
	tracks := env.pick(100, nil)
	refs := refsOf(env, tracks)
	env.srv.ResetStats()

	t0 := time.Now()
	first := env.enrichAll(t, ctx, refs)
	elapsed := time.Since(t0)
	st := env.stats(t)
	calls := st.TotalRequests
	allowed := time.Duration(float64(calls) / 40 * float64(time.Second))
	es := env.e.Stats()
	t.Logf("enrichment of %d uncached tracks: %d upstream calls (deezer %d, lastfm %d) in %v; 40 rps allows %v; ratio %.3f; max %d in any 1 s window; lookups found %d, not found %d",
		len(refs), calls, st.APIs["deezer"].Requests, st.APIs["lastfm"].Requests, elapsed.Round(time.Millisecond),
		allowed, elapsed.Seconds()/allowed.Seconds(), st.MaxRequestsInAny1sWindow, es.LookupsFound, es.LookupsNotFound)

	require.Len(t, first, 100)
	require.LessOrEqual(t, elapsed, time.Duration(1.1*float64(allowed)), "within 1.1× of calls/40 s")
	require.EqualValues(t, calls, es.DeezerCalls+es.LastfmCalls, "our count matches the wire")
	require.EqualValues(t, 100, es.LookupsStarted)
	require.Zero(t, es.LookupsPartial)
	checkAgainstCatalog(t, env, tracks, first)

	env.srv.ResetStats()
	t0 = time.Now()
	second := env.enrichAll(t, ctx, refs)
	t.Logf("second run: %d upstream calls in %v", env.stats(t).TotalRequests, time.Since(t0).Round(time.Microsecond))
	require.Zero(t, env.stats(t).TotalRequests, "served from the cache")
	require.Equal(t, first, second)
	require.EqualValues(t, 100, env.e.Stats().LookupsStarted, "no new lookup")
}

// checkAgainstCatalog compares results with the simulator's truth: the
// tempo where Deezer knows it, listeners and tags where Last.fm does.
func checkAgainstCatalog(t *testing.T, env *enrichEnv, tracks []*sim.Track, got map[string]mix.Features) {
	t.Helper()
	var withBPM, withLastfm int
	for _, tr := range tracks {
		f, ok := got[tr.ID]
		require.True(t, ok, "result for %s", tr.ID)
		require.Equal(t, tr.ID, f.TrackID)
		if tr.InDeezer && tr.DeezerBPMKnown {
			require.NotNil(t, f.BPM, "bpm of %s", tr.ID)
			require.InDelta(t, tr.BPM, *f.BPM, 0.01)
			require.NotNil(t, f.Energy)
			withBPM++
		} else {
			require.Nil(t, f.BPM, "no bpm for %s", tr.ID)
		}
		if tr.InLastfm {
			require.Equal(t, tr.Listeners, f.Listeners, "listeners of %s", tr.ID)
			require.NotEmpty(t, f.Tags)
			require.Equal(t, tr.Tags[0].Name, f.Tags[0])
			require.Equal(t, env.srv.Catalog().Artists[tr.Artist].Name, f.CanonicalArtist)
			withLastfm++
		} else {
			require.Empty(t, f.Tags)
			require.Zero(t, f.Listeners)
		}
		if !tr.InDeezer && !tr.InLastfm {
			require.Equal(t, store.LookupNegative, env.cacheState(t, tr.ID))
		} else {
			require.Equal(t, store.LookupHit, env.cacheState(t, tr.ID))
		}
	}
	t.Logf("%d of %d tracks with a tempo, %d with Last.fm data", withBPM, len(tracks), withLastfm)
}

// 50 callers asking for one track at once make one Deezer lookup and one
// Last.fm lookup between them (counted on the wire).
func TestEnrichConcurrentCallersShareOneLookup(t *testing.T) {
	slow := map[string]sim.Latency{
		"deezer": {Median: 40 * time.Millisecond, P99: 60 * time.Millisecond},
		"lastfm": {Median: 20 * time.Millisecond, P99: 30 * time.Millisecond},
	}
	env := newEnrichEnv(t, enrichOpts{latency: slow})
	tr := env.pickOne(t, func(tr *sim.Track) bool {
		return tr.InDeezer && tr.DeezerBPMKnown && tr.DeezerAltID == 0 && tr.InLastfm
	})
	ref := env.ref(tr)
	env.srv.ResetStats()

	const callers = 50
	var (
		wg    sync.WaitGroup
		gate  = make(chan struct{})
		mu    sync.Mutex
		got   []mix.Features
		errCh = make(chan error, callers)
		ctx   = testContext(t)
	)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			f, err := env.e.Features(ctx, ref)
			errCh <- err
			mu.Lock()
			got = append(got, f)
			mu.Unlock()
		}()
	}
	close(gate)
	wg.Wait()
	close(errCh)
	for err := range errCh {
		require.NoError(t, err)
	}
	st := env.stats(t)
	es := env.e.Stats()
	t.Logf("%d callers: deezer requests %d, lastfm requests %d, lookups %d, dedup joins %d, cache hits %d",
		callers, st.APIs["deezer"].Requests, st.APIs["lastfm"].Requests, es.LookupsStarted, es.DedupJoins, es.CacheHits)
	require.EqualValues(t, 1, st.APIs["deezer"].Requests, "one Deezer lookup (by ISRC)")
	require.EqualValues(t, 3, st.APIs["lastfm"].Requests, "one Last.fm lookup (info, tags, similar)")
	require.EqualValues(t, 1, es.LookupsStarted)
	require.EqualValues(t, callers-1, es.DedupJoins+es.CacheHits, "everyone else joined or read the cache")
	require.Len(t, got, callers)
	for _, f := range got {
		require.Equal(t, got[0], f)
	}
	require.NotNil(t, got[0].BPM)
	require.Equal(t, tr.Listeners, got[0].Listeners)
	require.EqualValues(t, 1, env.ts.metric(t, "dj_enrich_lookups_started_total"))
	require.EqualValues(t, es.DedupJoins, env.ts.metric(t, "dj_enrich_dedup_joins_total"))
}

// Tracks a source does not know: both unknown gives a negative entry and
// no second lookup while it lives; one known gives a hit with that
// source's fields only.
func TestEnrichMissingTracksAreCachedAsMisses(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{catalog: sim.CatalogConfig{Tracks: 1500, Artists: 200}})
	ctx := testContext(t)
	neither := env.pickOne(t, func(tr *sim.Track) bool { return !tr.InDeezer && !tr.InLastfm })
	onlyLastfm := env.pickOne(t, func(tr *sim.Track) bool { return !tr.InDeezer && tr.InLastfm })
	onlyDeezer := env.pickOne(t, func(tr *sim.Track) bool { return tr.InDeezer && tr.DeezerBPMKnown && !tr.InLastfm })

	f, err := env.e.Features(ctx, env.ref(neither))
	require.NoError(t, err)
	require.Equal(t, mix.Features{TrackID: neither.ID}, f)
	require.Equal(t, store.LookupNegative, env.cacheState(t, neither.ID))

	f, err = env.e.Features(ctx, env.ref(onlyLastfm))
	require.NoError(t, err)
	require.Nil(t, f.BPM)
	require.Equal(t, onlyLastfm.Listeners, f.Listeners)
	require.Equal(t, store.LookupHit, env.cacheState(t, onlyLastfm.ID))

	f, err = env.e.Features(ctx, env.ref(onlyDeezer))
	require.NoError(t, err)
	require.NotNil(t, f.BPM)
	require.Empty(t, f.Tags)
	require.Equal(t, store.LookupHit, env.cacheState(t, onlyDeezer.ID))

	env.srv.ResetStats()
	for _, tr := range []*sim.Track{neither, onlyLastfm, onlyDeezer} {
		_, err := env.e.Features(ctx, env.ref(tr))
		require.NoError(t, err)
	}
	require.Zero(t, env.stats(t).TotalRequests, "no second lookup while the entries live")
	es := env.e.Stats()
	require.EqualValues(t, 1, es.CacheNegatives)
	require.EqualValues(t, 2, es.CacheHits)
	require.EqualValues(t, 3, es.LookupsStarted)
}

// A negative entry lives for the miss TTL only (5 min in production; 1 s
// here), after which the track is looked up again.
func TestEnrichNegativeEntryExpires(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{catalog: sim.CatalogConfig{Tracks: 1500, Artists: 200}, missTTL: time.Second})
	ctx := testContext(t)
	neither := env.pickOne(t, func(tr *sim.Track) bool { return !tr.InDeezer && !tr.InLastfm })
	_, err := env.e.Features(ctx, env.ref(neither))
	require.NoError(t, err)
	env.srv.ResetStats()
	_, err = env.e.Features(ctx, env.ref(neither))
	require.NoError(t, err)
	require.Zero(t, env.stats(t).TotalRequests)

	time.Sleep(2100 * time.Millisecond) // Badger expires in whole seconds
	_, err = env.e.Features(ctx, env.ref(neither))
	require.NoError(t, err)
	require.Positive(t, env.stats(t).TotalRequests, "looked up again after the miss TTL")
	require.EqualValues(t, 2, env.e.Stats().LookupsStarted)
}
