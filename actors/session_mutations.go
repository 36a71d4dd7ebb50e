package actors

import (
	"time"

	"dj/mix"
)

// The state changes a session actor applies. Each works on the actor's
// copy of the session and re-checks what the caller checked earlier
// (room in the queue, the session still being the same one), because
// other edits may have arrived in between.

func (m *insertTrack) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	pos := len(s.Queue)
	if m.position != nil {
		pos = *m.position
	}
	if err := s.InsertQueue(m.track, pos); err != nil {
		return sessionReply{}, false, err
	}
	return sessionReply{}, true, nil
}

func (m *removeTrack) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	if err := s.RemoveFromQueue(m.position); err != nil {
		return sessionReply{}, false, err
	}
	return sessionReply{}, true, nil
}

func (m *moveTrack) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	if err := s.ReorderQueue(m.from, m.to); err != nil {
		return sessionReply{}, false, err
	}
	return sessionReply{}, m.from != m.to, nil
}

func (m *setVibe) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	s.Vibe = mix.BlendVibes(s.Vibe, m.patch, 1)
	if err := s.Vibe.Validate(); err != nil {
		return sessionReply{}, false, err
	}
	keepListenerTracks(s)
	return sessionReply{}, true, nil
}

func (m *steerVibe) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	before := s.Vibe.Clone()
	s.Vibe = mix.ApplyAdjustment(s.Vibe, m.adj)
	if err := s.Vibe.Validate(); err != nil {
		return sessionReply{}, false, err
	}
	keepListenerTracks(s)
	return sessionReply{before: before}, true, nil
}

func (m *applyFill) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	if s.ID != m.sessionID {
		return sessionReply{added: []mix.QueuedTrack{}}, false, nil
	}
	added := s.AutoFill(m.suggestions)
	return sessionReply{added: added}, len(added) > 0, nil
}

func (m *takeFallback) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	if s.ID != m.sessionID || m.n <= 0 || len(s.FallbackPool) == 0 {
		return sessionReply{uris: []string{}}, false, nil
	}
	uris := s.TakeFallback(m.n)
	return sessionReply{uris: uris}, true, nil
}

func (m *recordPlay) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	res, err := s.AdvanceTo(m.played)
	if err != nil {
		return sessionReply{}, false, err
	}
	return sessionReply{advance: res}, res.Moved, nil
}

func (m *setPreferences) apply(s *mix.Session, _ time.Time) (sessionReply, bool, error) {
	p := m.patch
	if p.AutoFill != nil {
		s.Preferences.AutoFill = *p.AutoFill
	}
	if p.AvoidGenres != nil {
		s.Preferences.AvoidGenres = append([]string{}, p.AvoidGenres...)
	}
	if p.FavoriteArtists != nil {
		s.Preferences.FavoriteArtists = append([]string{}, p.FavoriteArtists...)
	}
	switch {
	case p.ClearBPMLock:
		s.Preferences.BPMLock = nil
	case p.BPMLock != nil:
		lock := *p.BPMLock
		s.Preferences.BPMLock = &lock
	}
	if err := s.Preferences.Validate(); err != nil {
		return sessionReply{}, false, err
	}
	return sessionReply{}, true, nil
}

// keepListenerTracks takes the AI-picked tracks off the queue and keeps
// what the listener queued, in order. A vibe change makes the AI's picks
// stale; the reference also threw away the listener's own choices.
func keepListenerTracks(s *mix.Session) {
	kept := make([]mix.QueuedTrack, 0, len(s.Queue))
	for _, q := range s.Queue {
		if q.AddedBy == mix.AddedByUser {
			kept = append(kept, q)
		}
	}
	s.ClearQueue()
	for _, q := range kept {
		_ = s.Enqueue(q) // cannot fail: fewer tracks than were there, each valid
	}
}
