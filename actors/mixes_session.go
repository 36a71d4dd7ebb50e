package actors

import (
	"context"
	"crypto/rand"

	"dj/mix"
)

// StartRequest is what starting a mix asks for.
type StartRequest struct {
	// Preferences for the new mix; nil means the defaults.
	Preferences *mix.Preferences
	// SeedPlaylistID seeds the vibe from the playlist's first 50 tracks;
	// empty seeds it from the user's top and recently played tracks.
	SeedPlaylistID string
	// Restart replaces an existing mix; without it an existing mix is
	// returned unchanged (and the other fields are ignored).
	Restart bool
}

// Start returns the user's mix, starting one when there is none (or when
// a restart is asked for): the vibe is seeded first, then the session is
// created in one step (so concurrent starts make one session: the others
// get it as it is), then the queue is auto-filled, bounded by the fill
// timeout, and its head fed to Spotify in the background.
func (m *Mixes) Start(ctx context.Context, userID string, req StartRequest) (*mix.Session, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	if !req.Restart {
		if s, err := m.snapshot(ctx, userID); err != nil || s != nil {
			return s, err
		}
	}
	c, err := m.spotifyClient(ctx, userID)
	if err != nil {
		return nil, err
	}
	seed, err := m.seed(ctx, c, req.SeedPlaylistID)
	if err != nil {
		return nil, err
	}
	r, err := m.ask(ctx, userID, &createSession{
		reqID: RequestID(ctx), id: newSessionID(), prefs: req.Preferences,
		vibe: seed.vibe, pool: seed.pool, restart: req.Restart,
	})
	if err != nil || !r.created {
		return sessionOf(r), err
	}
	m.log.InfoContext(ctx, "mix seeded", "request_id", RequestID(ctx), "user_id", userID,
		"seed_tracks", seed.tracks, "playlist", req.SeedPlaylistID != "", "genres", len(seed.vibe.Genres))
	sess := m.fillNow(ctx, userID, r.sess)
	if sess == nil {
		return nil, ErrNoMix
	}
	m.pushLater(t, userID, sess)
	return sess, nil
}

// Current is the user's mix, or nil without error when there is none. It
// answers at once; a queue below the auto-fill target is topped up in the
// background (tracked work), so the next read shows the new tracks.
func (m *Mixes) Current(ctx context.Context, userID string) (*mix.Session, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	s, err := m.snapshot(ctx, userID)
	if err != nil || s == nil {
		return nil, err
	}
	if s.FillNeed() > 0 {
		m.fillLater(t, userID, false)
	}
	return s, nil
}

// Session is the user's mix without side effects; ErrNoMix when there is
// none.
func (m *Mixes) Session(ctx context.Context, userID string) (*mix.Session, error) {
	return m.existing(ctx, userID)
}

// End deletes the user's mix and reports how long it ran and how many
// tracks it played; ErrNoMix when there is none.
func (m *Mixes) End(ctx context.Context, userID string) (mix.SessionStats, error) {
	r, err := m.ask(ctx, userID, &endSession{reqID: RequestID(ctx)})
	if err != nil {
		return mix.SessionStats{}, err
	}
	m.quiet.Delete(userID)
	m.pushed.Delete(userID)
	return r.stats, nil
}

// newSessionID is a random version-4 UUID.
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return mix.FormatUUIDv4(b)
}

// sessionOf is the session of a reply, nil for none.
func sessionOf(r *sessionReply) *mix.Session {
	if r == nil {
		return nil
	}
	return r.sess
}
