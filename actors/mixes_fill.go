package actors

import (
	"context"
	"errors"
	"sync"
	"time"

	"dj/mix"
	"dj/upstream/spotify"
)

// Bounds of a fill nobody waits for (after GET current or a played
// track): it may take longer, and enrich more, than one inside a request.
const (
	backgroundFillTimeout = 30 * time.Second
	backgroundEnrichWait  = 10 * time.Second
	fallbackTimeout       = 5 * time.Second
	// emptyFillQuiet is how long after a background fill that found
	// nothing no other is started for the user (GET current is frequent).
	emptyFillQuiet = 30 * time.Second
)

// fill tops the queue up to mix.TargetQueueSize (when auto-fill is on)
// with suggestions for the session as snap shows it; discovery is bounded
// by limit and enrichment by enrichWait. When no suggestion can be used,
// tracks from the seed's fallback pool are queued instead (the
// reference's unreachable fallback). The actor re-checks the need and
// the duplicates when it applies the tracks, so racing fills cannot
// overfill. It returns the session after the fill and the tracks added.
func (m *Mixes) fill(ctx context.Context, userID string, snap *mix.Session, limit, enrichWait time.Duration) (*mix.Session, []mix.QueuedTrack, error) {
	want := snap.SuggestionRequest()
	if want == 0 {
		return snap, nil, nil
	}
	c, err := m.spotifyClient(ctx, userID)
	if err != nil {
		return snap, nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	sugs := m.suggest(dctx, c, snap, want, enrichWait)
	if len(sugs) == 0 {
		// Discovery found nothing (or ran out of time): the fallback gets
		// its own, short bound.
		fctx, cancel := context.WithTimeout(ctx, fallbackTimeout)
		defer cancel()
		sugs, err = m.fallbackSuggestions(fctx, c, userID, snap)
		if err != nil {
			return snap, nil, err
		}
	}
	if len(sugs) == 0 {
		return snap, nil, nil
	}
	r, err := m.ask(ctx, userID, &applyFill{reqID: RequestID(ctx), sessionID: snap.ID, suggestions: sugs})
	if err != nil {
		return snap, nil, err
	}
	if len(r.added) > 0 {
		m.log.InfoContext(ctx, "mix auto-filled", "request_id", RequestID(ctx), "user_id", userID,
			"added", len(r.added), "queue", len(r.sess.Queue))
	}
	return r.sess, r.added, nil
}

// fillNow is fill inside a request, bounded by the fill timeout. A failed
// or empty fill is not an error for the request: the caller's change is
// already stored; the session is returned as it is.
func (m *Mixes) fillNow(ctx context.Context, userID string, snap *mix.Session) *mix.Session {
	sess, _, err := m.fill(ctx, userID, snap, m.cfg.fillTimeout, m.cfg.enrichTimeout)
	if err != nil {
		m.log.WarnContext(ctx, "mix auto-fill failed; the queue stays as it is",
			"request_id", RequestID(ctx), "user_id", userID, "err", err)
		if errors.Is(err, ErrNoMix) {
			return nil
		}
	}
	return sess
}

// fillLater runs a fill as tracked background work (one per user at a
// time), then, with push, feeds the queue head to Spotify.
func (m *Mixes) fillLater(t *Tracker, userID string, push bool) {
	if until, ok := m.quiet.Load(userID); ok {
		if m.deps.Now().Before(until.(time.Time)) && !push {
			return
		}
		m.quiet.CompareAndDelete(userID, until)
	}
	if _, busy := m.filling.LoadOrStore(userID, struct{}{}); busy {
		return
	}
	t.GoRedoable("mix.autofill", func(ctx context.Context) error {
		defer m.filling.Delete(userID)
		ctx = WithPriority(ctx, PriorityBackground)
		snap, err := m.snapshot(ctx, userID)
		if err != nil || snap == nil {
			return err
		}
		sess, added, err := m.fill(ctx, userID, snap, backgroundFillTimeout, backgroundEnrichWait)
		if len(added) == 0 && snap.FillNeed() > 0 {
			m.quiet.Store(userID, m.deps.Now().Add(emptyFillQuiet))
		} else {
			m.quiet.Delete(userID)
		}
		if push {
			m.pushHead(ctx, userID, sess)
		}
		return err
	})
}

// fallbackSuggestions takes URIs from the session's fallback pool and
// resolves them as suggestions.
func (m *Mixes) fallbackSuggestions(ctx context.Context, c *spotify.UserClient, userID string, snap *mix.Session) ([]mix.Suggestion, error) {
	if len(snap.FallbackPool) == 0 {
		return nil, nil
	}
	r, err := m.ask(ctx, userID, &takeFallback{reqID: RequestID(ctx), sessionID: snap.ID, n: snap.FillNeed()})
	if err != nil {
		return nil, err
	}
	found := make([]*trackInfo, len(r.uris))
	var wg sync.WaitGroup
	for i, uri := range r.uris {
		id, ok := trackIDOf(uri)
		if !ok {
			continue
		}
		wg.Go(func() {
			if t, err := m.track(ctx, c, id); err == nil {
				found[i] = &t
			}
		})
	}
	wg.Wait()
	var out []mix.Suggestion
	for _, t := range found {
		if t != nil {
			out = append(out, mix.Suggestion{
				AlbumArt: t.albumArt, Artist: t.artist(), Name: t.name, Reason: mix.FallbackReason,
				TrackID: t.id, TrackURI: t.uri, VibeScore: mix.FallbackVibeScore,
			})
		}
	}
	return out, nil
}

// pushHead puts the first queued track into the user's Spotify playback
// queue, best effort (no active device, no Premium: nothing happens), and
// only once per head. Only the head is fed, when it becomes the next
// track: Spotify's queue cannot be edited, so feeding every AI pick (as
// the reference did) left Spotify playing tracks the app queue had long
// dropped.
func (m *Mixes) pushHead(ctx context.Context, userID string, sess *mix.Session) {
	if !m.cfg.spotifyQueue || sess == nil || len(sess.Queue) == 0 {
		return
	}
	head := sess.Queue[0].TrackURI
	if prev, ok := m.pushed.Swap(userID, head); ok && prev.(string) == head {
		return
	}
	c, err := m.spotifyClient(ctx, userID)
	if err == nil {
		err = m.sys.Do(ctx, LaneSpotify, "mix.queue.push", func(ctx context.Context) error {
			return c.AddToQueue(ctx, head)
		})
	}
	if err != nil {
		m.pushed.CompareAndDelete(userID, head)
		m.log.DebugContext(ctx, "queue head not fed to Spotify", "request_id", RequestID(ctx), "user_id", userID, "err", err)
	}
}

// pushLater feeds the queue head to Spotify as tracked background work.
func (m *Mixes) pushLater(t *Tracker, userID string, sess *mix.Session) {
	if !m.cfg.spotifyQueue || sess == nil || len(sess.Queue) == 0 {
		return
	}
	t.Go("mix.queue.push", func(ctx context.Context) error {
		m.pushHead(ctx, userID, sess)
		return nil
	})
}
