package actors

import (
	"context"
	"errors"

	"dj/mix"
)

// PlayedResult is what recording a played track did.
type PlayedResult struct {
	// Moved is true when a history entry was written (false for a repeated
	// report of the same play, or a track Spotify does not know).
	Moved   bool
	Session *mix.Session
}

// TrackPlayed records that a track was played: taken out of the queue if
// it is there, written to history once (the browser and the player stream
// both report each change; mix.AdvanceTo makes the second report a
// no-op), with its tempo and energy from enrichment, and folded into the
// vibe. When the played track was the queue head, the next head is fed
// to Spotify, and a queue below the auto-fill target is topped up, both
// in the background.
func (m *Mixes) TrackPlayed(ctx context.Context, userID, trackID, trackURI string) (PlayedResult, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	snap, err := m.existing(ctx, userID)
	if err != nil {
		return PlayedResult{}, err
	}
	played, ok, err := m.playedTrack(ctx, userID, snap, trackID, trackURI)
	if err != nil || !ok {
		return PlayedResult{Session: snap}, err
	}
	r, err := m.ask(ctx, userID, &recordPlay{reqID: RequestID(ctx), played: played})
	if err != nil {
		return PlayedResult{}, err
	}
	if r.advance.Moved && r.advance.FromQueue {
		sess := r.sess
		if len(sess.Queue) > 0 {
			m.pushLater(t, userID, sess)
		}
		if sess.FillNeed() > 0 {
			m.fillLater(t, userID, len(sess.Queue) == 0)
		}
	}
	return PlayedResult{Moved: r.advance.Moved, Session: r.sess}, nil
}

// playedTrack builds the history entry: Spotify's details when it has
// them (else the queue entry's), with tempo and energy from enrichment
// (bounded by the enrichment timeout). ok is false for a track neither
// Spotify nor the queue knows.
func (m *Mixes) playedTrack(ctx context.Context, userID string, snap *mix.Session, trackID, trackURI string) (mix.PlayedTrack, bool, error) {
	var queued *mix.QueuedTrack
	if i, err := snap.QueueIndex(trackID, trackURI); err == nil {
		queued = &snap.Queue[i]
	}
	id := trackID
	if id == "" {
		id, _ = trackIDOf(trackURI)
	}
	var info trackInfo
	c, err := m.spotifyClient(ctx, userID)
	if err == nil {
		info, err = m.track(ctx, c, id)
	}
	var played mix.PlayedTrack
	switch {
	case err == nil:
		played = info.played()
		ectx, cancel := context.WithTimeout(ctx, m.cfg.enrichTimeout)
		f, ferr := m.features.Features(ectx, info.ref())
		cancel()
		if ferr == nil {
			played.BPM, played.Energy = mix.NormalizeBPM(f.BPM), f.Energy
		}
	case queued != nil:
		played = mix.PlayedTrack{AlbumArt: queued.AlbumArt, Artist: queued.Artist, Name: queued.Name,
			TrackID: queued.TrackID, TrackURI: queued.TrackURI}
	case errors.Is(err, ErrUnknownTrack):
		return mix.PlayedTrack{}, false, nil
	default:
		return mix.PlayedTrack{}, false, err
	}
	played.PlayedAt = m.deps.Now()
	return played, true, nil
}

// PreferencesPatch changes the preferences; nil fields are left alone.
type PreferencesPatch struct {
	AutoFill        *bool
	AvoidGenres     []string
	FavoriteArtists []string
	BPMLock         *mix.BPMRange
	ClearBPMLock    bool // remove the BPM lock
}

// SetPreferences changes the preferences. Turning auto-fill on with a
// queue below the target fills it (bounded by the fill timeout).
func (m *Mixes) SetPreferences(ctx context.Context, userID string, p PreferencesPatch) (*mix.Session, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	r, err := m.ask(ctx, userID, &setPreferences{reqID: RequestID(ctx), patch: p})
	if err != nil {
		return nil, err
	}
	sess := r.sess
	if p.AutoFill != nil && *p.AutoFill && sess.FillNeed() > 0 {
		if filled := m.fillNow(ctx, userID, sess); filled != nil {
			sess = filled
			m.pushLater(t, userID, sess)
		}
	}
	return sess, nil
}
