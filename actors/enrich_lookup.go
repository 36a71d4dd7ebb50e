package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dj/mix"
	"dj/upstream"
)

// sourceResult is what one source (Deezer or Last.fm) said about a track.
type sourceResult struct {
	found bool  // the source knows the track; its data is in the lookup
	err   error // a call failed in a way that may pass: not a "no"
}

// definite reports whether the source gave an answer worth caching: it
// knows the track (and every call for it worked), or it said it does not.
func (r sourceResult) definite() bool { return r.err == nil }

func (r sourceResult) String() string {
	switch {
	case r.err != nil && r.found:
		return "partial"
	case r.err != nil:
		return "failed"
	case r.found:
		return "found"
	default:
		return "absent"
	}
}

// callAnswer is how enrichment reads the outcome of one upstream call.
type callAnswer int

const (
	answerOK     callAnswer = iota
	answerAbsent            // the API says it has no such thing: a definite "no"
	answerFailed            // anything that may pass: retry later, cache nothing
)

// answerOf sorts a call's error. Not found is a definite "no", and so is
// a bad request (the API refuses this query and will keep refusing it).
// Everything else may pass: outages, 429s, timeouts, the limiter's
// refusals (breaker open, queue full, budget), a bad credential (fixed by
// the operator, after which the track should be fetched again), an
// undecodable answer and the caller leaving.
func answerOf(err error) callAnswer {
	switch {
	case err == nil:
		return answerOK
	case errors.Is(err, upstream.ErrNotFound), errors.Is(err, upstream.ErrBadRequest):
		return answerAbsent
	default:
		return answerFailed
	}
}

// lookupRun is one worker's lookup of one track.
type lookupRun struct {
	e   *Enricher
	ref TrackRef
}

// call makes one upstream call through its lane and the global rate. It
// is always a fresh Do with the lookup's own context, never one made
// from inside another call, so no permit is held while waiting for the
// next one (the reference's deadlock, anchor-infra §1.8).
func (r *lookupRun) call(ctx context.Context, lane Lane, op string, fn func(context.Context) error) error {
	counter := &r.e.stats.deezerCalls
	if lane == LaneLastfm {
		counter = &r.e.stats.lastfmCalls
	}
	err := r.e.s.Do(ctx, lane, op, func(ctx context.Context) error {
		counter.Add(1)
		return fn(ctx)
	})
	if err != nil && answerOf(err) == answerFailed {
		r.e.log.LogAttrs(ctx, slog.LevelDebug, "enrichment call failed",
			slog.String("request_id", RequestID(ctx)), slog.String("track", r.ref.ID),
			slog.String("lane", string(lane)), slog.String("op", op), slog.Any("err", err))
	}
	return err
}

// run is a lookup worker: re-check the cache (the entry may have been
// written since the caller looked), ask Deezer, then Last.fm, merge, and
// cache the result when both answers are definite. The error is for the
// tracker's record only; the features are always usable.
func (e *Enricher) run(ctx context.Context, t TrackRef) (mix.Features, error) {
	t0 := time.Now()
	if f, found, err := e.cached(ctx, t.ID, false); err != nil || found {
		if found {
			e.stats.recheck.Add(1)
		}
		return f, err
	}
	r := &lookupRun{e: e, ref: t}
	f := mix.Features{TrackID: t.ID}
	dzInfo, dz := r.deezer(ctx)
	if dz.found {
		f = f.MergeDeezer(dzInfo)
	}
	lf := sourceResult{err: ctx.Err()}
	if lf.err == nil {
		var lfInfo mix.LastFmInfo
		if lfInfo, lf = r.lastfm(ctx); lf.found {
			f = f.MergeLastFm(lfInfo)
		}
	}
	if ctx.Err() != nil {
		// Every waiter left: nobody uses the answer, and a cut-short
		// lookup must not be cached.
		return f, fmt.Errorf("enrich %s: %w", t.ID, ctx.Err())
	}
	outcome := e.keep(ctx, f, dz, lf)
	e.log.LogAttrs(ctx, slog.LevelDebug, "enrichment lookup",
		slog.String("request_id", RequestID(ctx)), slog.String("track", t.ID),
		slog.String("deezer", dz.String()), slog.String("lastfm", lf.String()),
		slog.String("outcome", outcome), slog.Duration("took", time.Since(t0)))
	return f, errors.Join(dz.err, lf.err)
}

// keep caches the lookup's result and counts its outcome: a hit when
// either source knew the track, a negative entry when both said no, and
// nothing when a call failed (a passing outage must not hide a track for
// five minutes, nor fix half-empty data for 90 days).
func (e *Enricher) keep(ctx context.Context, f mix.Features, dz, lf sourceResult) string {
	key := enrichKey(f.TrackID)
	// The answer is complete and paid for: keep it even if the last
	// waiter leaves during the write.
	ctx = context.WithoutCancel(ctx)
	var (
		outcome string
		err     error
	)
	switch {
	case !dz.definite() || !lf.definite():
		e.stats.partial.Add(1)
		return "partial"
	case dz.found || lf.found:
		e.stats.found.Add(1)
		outcome = "found"
		err = e.cache.PutHit(ctx, key, &featuresRecord{Version: featuresRecordVersion, Features: f, FetchedAt: e.now().UTC()})
	default:
		e.stats.notFound.Add(1)
		outcome = "not_found"
		err = e.cache.PutMiss(ctx, key)
	}
	if err != nil {
		e.log.WarnContext(ctx, "enrichment cache write failed", "request_id", RequestID(ctx),
			"track", f.TrackID, "outcome", outcome, "err", err)
	}
	return outcome
}
