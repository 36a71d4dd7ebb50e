package actors

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"dj/mix"
	"dj/store"
	"dj/upstream/sim"

	"github.com/stretchr/testify/require"
)

// enrichable are tracks both sources know, with a tempo on Deezer and a
// single Deezer edition (one Deezer call each).
func enrichable(tr *sim.Track) bool {
	return tr.InDeezer && tr.DeezerBPMKnown && tr.DeezerAltID == 0 && tr.InLastfm
}

// A 503 burst on Deezer leaves the Deezer fields missing, fails nothing
// and caches nothing; once Deezer is back the next request fills them.
func TestEnrichDeezer503BurstLeavesFieldsMissing(t *testing.T) {
	const n = 5
	env := newEnrichEnv(t, enrichOpts{
		// Keep the breaker closed so the burst itself is what callers see.
		sys:    Config{Breaker: BreakerConfig{ConsecutiveFailures: 1000, MinRequests: 1000}},
		faults: []sim.Fault{{API: "deezer", Kind: sim.Fault503, Count: n}},
	})
	ctx := testContext(t)
	tracks := env.pick(n, enrichable)
	refs := refsOf(env, tracks)

	got := env.enrichAll(t, ctx, refs)
	require.Len(t, got, n)
	for _, tr := range tracks {
		f := got[tr.ID]
		require.Nil(t, f.BPM, "no tempo during the burst")
		require.Nil(t, f.Gain)
		require.Equal(t, tr.Listeners, f.Listeners, "Last.fm fields still arrive")
		require.Equal(t, store.LookupMiss, env.cacheState(t, tr.ID), "a transient failure is not cached")
	}
	require.EqualValues(t, n, env.e.Stats().LookupsPartial)
	require.EqualValues(t, n, env.stats(t).APIs["deezer"].Faults)

	got = env.enrichAll(t, ctx, refs)
	for _, tr := range tracks {
		require.NotNil(t, got[tr.ID].BPM, "tempo once Deezer is back")
		require.Equal(t, store.LookupHit, env.cacheState(t, tr.ID))
	}
}

// With the production breaker the burst opens it and later calls fail
// fast; those refusals are transient too: fields missing, nothing cached.
func TestEnrichBreakerOpenIsNotAMiss(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{
		cfg:    enrichConfig{MaxLookups: 1}, // one at a time, so the failures come in a row
		faults: []sim.Fault{{API: "deezer", Kind: sim.Fault503, Count: 5}},
	})
	ctx := testContext(t)
	tracks := env.pick(8, enrichable)
	got := env.enrichAll(t, ctx, refsOf(env, tracks))
	for _, tr := range tracks {
		require.Nil(t, got[tr.ID].BPM)
		require.Equal(t, store.LookupMiss, env.cacheState(t, tr.ID))
	}
	require.EqualValues(t, 5, env.calls(t, "deezer"), "the open breaker kept the rest off the wire")
	require.Positive(t, env.ts.metric(t, "dj_upstream_requests_total", "lane", "deezer", "outcome", "breaker_open"))
	require.EqualValues(t, 8, env.e.Stats().LookupsPartial)
}

// When every waiter's context ends the lookup is cancelled: the request
// on the wire is abandoned, nothing is cached, and the worker, the
// tracked work and the actors are back to where they were. One waiter
// leaving while another stays does not cancel anything.
func TestEnrichCancelAllWaitersStopsLookup(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{latency: map[string]sim.Latency{
		"deezer": {Median: 300 * time.Millisecond, P99: 400 * time.Millisecond},
	}})
	tracks := env.pick(2, enrichable)
	// The alive gauge counts an actor once it has processed Started.
	eventually(t, "the coordinator is counted", func() bool {
		return env.ts.metric(t, "dj_actors_alive", "kind", "enrichment") == 1
	})
	baseActors := env.ts.metric(t, "dj_actors_alive", "kind", "enrichment")
	baseTracked := env.ts.metric(t, "dj_tracked_work_active")

	t.Run("one of two leaves", func(t *testing.T) {
		ref := env.ref(tracks[0])
		leaving, leave := context.WithCancel(context.Background())
		errs := make(chan error, 1)
		go func() { _, err := env.e.Features(leaving, ref); errs <- err }()
		eventually(t, "the lookup is on the wire", func() bool { return env.stats(t).APIs["deezer"].InFlight == 1 })
		res := make(chan mix.Features, 1)
		go func() { f, _ := env.e.Features(testContext(t), ref); res <- f }()
		eventually(t, "both wait", func() bool { return env.e.Stats().DedupJoins == 1 })
		leave()
		require.ErrorIs(t, <-errs, context.Canceled)
		f := <-res
		require.NotNil(t, f.BPM, "the lookup went on for the waiter still there")
		require.Zero(t, env.e.Stats().LookupsCancelled)
		require.Equal(t, store.LookupHit, env.cacheState(t, ref.ID))
	})

	t.Run("all leave", func(t *testing.T) {
		require.NoError(t, env.srv.AddFault(sim.Fault{API: "deezer", Kind: sim.FaultHang, Count: 1}))
		env.srv.ResetStats()
		before := env.e.Stats()
		ref := env.ref(tracks[1])
		ctx, cancel := context.WithCancel(context.Background())
		const waiters = 10
		errs := make(chan error, waiters)
		for range waiters {
			go func() { _, err := env.e.Features(ctx, ref); errs <- err }()
		}
		eventually(t, "the lookup is on the wire", func() bool { return env.stats(t).APIs["deezer"].InFlight == 1 })
		eventually(t, "everyone waits", func() bool {
			s := env.e.Stats()
			return s.DedupJoins-before.DedupJoins == waiters-1
		})
		cancel()
		for range waiters {
			require.ErrorIs(t, <-errs, context.Canceled)
		}
		eventually(t, "nothing in flight on the wire", func() bool { return env.stats(t).APIs["deezer"].InFlight == 0 })
		eventually(t, "the worker is gone", func() bool { return env.e.Stats().Running == 0 })
		eventually(t, "tracked work is back to its baseline", func() bool {
			return env.ts.metric(t, "dj_tracked_work_active") == baseTracked
		})
		require.Equal(t, baseActors, env.ts.metric(t, "dj_actors_alive", "kind", "enrichment"))
		require.Zero(t, env.stats(t).APIs["lastfm"].Requests, "Last.fm was never asked")
		require.Equal(t, store.LookupMiss, env.cacheState(t, ref.ID), "a cancelled lookup caches nothing")
		require.EqualValues(t, 1, env.e.Stats().LookupsCancelled-before.LookupsCancelled)
	})
}

// The reference deadlocked when more than five uncached artists needed
// nested Last.fm lookups (anchor-infra §1.8). Here every lookup makes its
// Last.fm calls one after another, each a fresh Do; many distinct
// uncached artists, half of them taking the correction path, complete
// even with the lane squeezed to one permit.
func TestEnrichNestedLookupsDoNotDeadlock(t *testing.T) {
	for _, lanes := range []int{10, 1} {
		t.Run(fmt.Sprintf("lastfm lane %d", lanes), func(t *testing.T) {
			env := newEnrichEnv(t, enrichOpts{sys: Config{
				LaneCaps: map[Lane]int{LaneLastfm: lanes},
				MaxWait:  10 * time.Second, // a deadlock would show as wait timeouts, not a hang
			}})
			var tracks []*sim.Track
			seen := map[int]bool{}
			for _, known := range []bool{true, false} {
				n := 0
				for _, tr := range env.pick(1000, func(tr *sim.Track) bool { return tr.InLastfm == known }) {
					if n < 6 && !seen[tr.Artist] {
						seen[tr.Artist] = true
						tracks = append(tracks, tr)
						n++
					}
				}
			}
			require.Len(t, tracks, 12, "12 distinct uncached artists")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			got := env.enrichAll(t, ctx, refsOf(env, tracks))
			require.Len(t, got, len(tracks))
			for _, tr := range tracks {
				require.Equal(t, tr.InLastfm, got[tr.ID].HasLastFm(), "track %s", tr.ID)
			}
			es := env.e.Stats()
			require.Zero(t, es.LookupsPartial, "no call failed or waited out")
			require.Zero(t, env.ts.metric(t, "dj_upstream_requests_total", "lane", "lastfm", "outcome", "nested"))
			st := env.stats(t)
			require.LessOrEqual(t, st.APIs["lastfm"].MaxInFlight, int64(lanes))
			t.Logf("lane %d: %d Last.fm calls (max %d in flight), %d lookups", lanes, st.APIs["lastfm"].Requests,
				st.APIs["lastfm"].MaxInFlight, es.LookupsStarted)
		})
	}
}

// A caller that holds a permit (inside a Do call) is answered from the
// cache only: waiting there for a lookup could deadlock.
func TestEnrichInsidePermitDoesNotLookUp(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{})
	ctx := testContext(t)
	tr := env.pickOne(t, enrichable)
	var f mix.Features
	require.NoError(t, env.ts.Do(ctx, LaneSpotify, "outer", func(ctx context.Context) error {
		var err error
		f, err = env.e.Features(ctx, env.ref(tr))
		return err
	}))
	require.Equal(t, mix.Features{TrackID: tr.ID}, f)
	require.Zero(t, env.e.Stats().LookupsStarted)
	require.Zero(t, env.calls(t, "deezer"))
}

// Errors come only from the caller's context.
func TestEnrichErrorsOnlyForContext(t *testing.T) {
	env := newEnrichEnv(t, enrichOpts{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr := env.pickOne(t, enrichable)
	_, err := env.e.Features(ctx, env.ref(tr))
	require.ErrorIs(t, err, context.Canceled)
	err = env.e.Enrich(ctx, []TrackRef{env.ref(tr)}, func(string, mix.Features) { t.Error("each after ctx end") })
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	require.Zero(t, env.e.Stats().LookupsStarted)
}
