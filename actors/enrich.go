package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"dj/mix"
	"dj/store"
	"dj/upstream/deezer"
	"dj/upstream/lastfm"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// TrackRef names a track to enrich: its Spotify id (the cache key), the
// ISRC that joins it to Deezer, and the artist and title that join it to
// Last.fm (and to Deezer when there is no ISRC). DurationMs picks the
// right Deezer edition when several share an ISRC.
type TrackRef struct {
	ID, ISRC, Artist, Name string
	DurationMs             int
}

// Enrichment bounds (see enrichConfig).
const (
	defaultMaxLookups = 32
	defaultMaxWaiters = 1024
	defaultMaxQueued  = 4096
	defaultFanout     = 32
)

// enrichConfig bounds the enricher. Zero fields take the defaults above;
// tests shrink them.
type enrichConfig struct {
	MaxLookups int // lookups in flight at once, across all callers
	MaxWaiters int // callers waiting on one lookup
	MaxQueued  int // lookups waiting for a free slot
	Fanout     int // concurrent Features calls of one Enrich
}

func (c enrichConfig) withDefaults() enrichConfig {
	set := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	set(&c.MaxLookups, defaultMaxLookups)
	set(&c.MaxWaiters, defaultMaxWaiters)
	set(&c.MaxQueued, defaultMaxQueued)
	set(&c.Fanout, defaultFanout)
	return c
}

// Enricher adds Deezer (tempo, gain, rank, release date) and Last.fm
// (canonical names, listeners, play count, tags, similar tracks) to
// Spotify tracks. It is best-effort: a failing upstream shows as missing
// fields, never as an error. Results are cached per track in
// AUDIO_FEATURES_CACHE (hits 90 d; tracks neither source knows as
// negative entries for 5 min; transient failures are not cached), and
// concurrent requests for one track share one upstream lookup, kept by
// the "enrichment" coordinator actor. Every upstream call is one System.Do
// (its lane plus the global rate), made one after the other, so a lookup
// never holds a permit while waiting for another. Safe for concurrent use.
type Enricher struct {
	s      *System
	cfg    enrichConfig
	log    *slog.Logger
	cache  *store.Cache[*featuresRecord]
	dz     *deezer.Client
	lf     *lastfm.Client // nil: no Last.fm key, Last.fm is skipped
	now    func() time.Time
	pid    *actor.PID
	state  *enrichState
	stats  enrichCounters
	nextID atomic.Uint64 // waiter ids, for leaving a lookup

	stopped  chan struct{} // closed when the coordinator has stopped
	stopOnce sync.Once
}

// NewEnricher spawns the "enrichment" coordinator actor under d.System.
// It stops when the System shuts down: lookups are tracked work, so
// Shutdown drains them first; callers still waiting then get what is
// known (nothing) instead of hanging.
func NewEnricher(d Deps) (*Enricher, error) { return newEnricher(d, enrichConfig{}) }

func newEnricher(d Deps, cfg enrichConfig) (*Enricher, error) {
	switch {
	case d.System == nil:
		return nil, errors.New("actors: enricher: no System")
	case d.Store == nil:
		return nil, errors.New("actors: enricher: no Store")
	case d.Upstreams.Deezer == nil:
		return nil, errors.New("actors: enricher: no Deezer client")
	}
	d.defaults()
	e := &Enricher{
		s:       d.System,
		cfg:     cfg.withDefaults(),
		log:     d.Log.With("component", "enrichment"),
		cache:   store.Features[*featuresRecord](d.Store),
		dz:      d.Upstreams.Deezer,
		lf:      d.Upstreams.Lastfm,
		now:     d.Now,
		state:   newEnrichState(),
		stopped: make(chan struct{}),
	}
	props := d.System.Props("enrichment", func() actor.Actor { return &enrichCoordinator{e: e, st: e.state} })
	pid, err := d.System.sys.Root.SpawnNamed(props, "enrichment")
	if err != nil {
		return nil, fmt.Errorf("actors: spawn enrichment coordinator: %w", err)
	}
	e.pid = pid
	// Stop with the System: its base context ends when Shutdown has
	// drained (or given up on) tracked work, lookups included.
	context.AfterFunc(d.System.base, func() { d.System.sys.Root.Stop(pid) })
	if e.lf == nil {
		e.log.Info("enrichment without Last.fm (no API key): tags, listeners and similar tracks stay empty")
	}
	return e, nil
}

// Collector exports the enrichment metrics (dj_enrich_*). NewEnricher
// does not register it because Deps carries no registerer; the wiring
// registers it next to the System's metrics.
func (e *Enricher) Collector() prometheus.Collector { return e.stats.collector() }

// Stats is a snapshot of the enrichment figures.
func (e *Enricher) Stats() EnrichStats { return e.stats.snapshot() }

// Features returns what is known about t: from the cache, or from one
// upstream lookup shared with every other caller asking for the same
// track at the same time. Missing data is missing fields, never an
// error; the error is only the caller's context ending (then the lookup
// goes on for the other callers, or is cancelled when none is left).
func (e *Enricher) Features(ctx context.Context, t TrackRef) (mix.Features, error) {
	if err := ctx.Err(); err != nil {
		return mix.Features{}, fmt.Errorf("enrich %s: %w", t.ID, err)
	}
	empty := mix.Features{TrackID: t.ID}
	if !validTrackID(t.ID) {
		return empty, nil
	}
	f, found, err := e.cached(ctx, t.ID, true)
	if err != nil {
		return mix.Features{}, fmt.Errorf("enrich %s: %w", t.ID, err)
	}
	if found {
		return f, nil
	}
	if held, ok := permitHeld(ctx); ok {
		// Waiting on a lookup while holding a permit is the reference's
		// deadlock (anchor-infra §1.8): answer from the cache only.
		e.log.WarnContext(ctx, "enrichment asked while holding an upstream permit; not looking up",
			"request_id", RequestID(ctx), "track", t.ID, "holding_lane", string(held.lane), "holding_op", held.op)
		return empty, nil
	}
	if e.s.stopped.Load() {
		return empty, nil
	}
	return e.await(ctx, t)
}

// await joins (or starts) the lookup of t and waits for its answer. If
// ctx ends first it leaves, so a lookup nobody waits for is cancelled.
func (e *Enricher) await(ctx context.Context, t TrackRef) (mix.Features, error) {
	id := e.nextID.Add(1)
	reply := make(chan mix.Features, 1)
	root := e.s.sys.Root
	root.Send(e.pid, &enrichJoin{ref: t, waiter: id, reply: reply, reqID: RequestID(ctx), budget: BudgetOf(ctx)})
	select {
	case f := <-reply:
		return f, nil
	case <-ctx.Done():
		root.Send(e.pid, &enrichLeave{track: t.ID, waiter: id})
		return mix.Features{}, fmt.Errorf("enrich %s: %w", t.ID, ctx.Err())
	case <-e.stopped:
		return mix.Features{TrackID: t.ID}, nil
	}
}

// cached reads the track's entry. found is true for a hit and for a
// negative entry (then f is empty: neither source knew the track lately).
// The error is only ctx's; a failing store reads as a miss. count says
// whether the read is a caller's (counted) or a worker's re-check.
func (e *Enricher) cached(ctx context.Context, id string, count bool) (f mix.Features, found bool, err error) {
	rec, l, err := e.cache.Get(ctx, enrichKey(id))
	switch {
	case err != nil && ctx.Err() != nil:
		return f, false, ctx.Err()
	case err != nil:
		if count {
			e.stats.cacheError.Add(1)
		}
		e.log.WarnContext(ctx, "enrichment cache read failed; treating as a miss", "track", id, "err", err)
		return f, false, nil
	case l == store.LookupHit && rec.Features.TrackID == id:
		if count {
			e.stats.cacheHit.Add(1)
		}
		return rec.Features, true, nil
	case l == store.LookupNegative:
		if count {
			e.stats.cacheNegative.Add(1)
		}
		return mix.Features{TrackID: id}, true, nil
	default:
		if count {
			e.stats.cacheMiss.Add(1)
		}
		return f, false, nil
	}
}

// Enrich looks up every distinct track id of refs concurrently (at most
// a fixed number at a time) and calls each with the result as soon as it
// is known, so the caller can push it on as an event. Calls to each are
// serialized (the caller needs no locking) and never happen after Enrich
// returns. Refs with an empty id are skipped. It returns nil when every
// track is done, or ctx's error when ctx ended first.
func (e *Enricher) Enrich(ctx context.Context, refs []TrackRef, each func(id string, f mix.Features)) error {
	todo := distinctRefs(refs)
	if len(todo) == 0 {
		return ctx.Err()
	}
	jobs := make(chan TrackRef)
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		done atomic.Int64
	)
	for range min(len(todo), e.cfg.Fanout) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				f, err := e.Features(ctx, t)
				if err != nil {
					continue // ctx ended: drain the remaining jobs quickly
				}
				done.Add(1)
				if each != nil {
					mu.Lock()
					each(t.ID, f)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, t := range todo {
		select {
		case jobs <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if n := done.Load(); n < int64(len(todo)) {
		return fmt.Errorf("enrich: %d of %d tracks done: %w", n, len(todo), ctx.Err())
	}
	return nil
}

// distinctRefs drops refs without an id and repeats of an id (the first
// wins), keeping the order.
func distinctRefs(refs []TrackRef) []TrackRef {
	seen := make(map[string]bool, len(refs))
	out := make([]TrackRef, 0, len(refs))
	for _, t := range refs {
		if t.ID == "" || seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		out = append(out, t)
	}
	return out
}
