package mix

import (
	"slices"
	"time"
)

// duplicateReportWindow is how close in time two reports of the same
// played track must be to count as one play. The reference recorded a
// track change twice (player stream and browser) and so duplicated
// history entries.
const duplicateReportWindow = 2 * time.Minute

// duplicateReportDepth is how many recent history entries are checked for
// a duplicate report.
const duplicateReportDepth = 3

// Enqueue appends a track to the queue. Its Position is set by the queue.
func (s *Session) Enqueue(t QueuedTrack) error {
	return s.InsertQueue(t, len(s.Queue))
}

// InsertQueue puts a track at index pos (0 = play next). A pos past the
// end appends; the reference ignored pos entirely and always appended.
// Errors: ErrQueueFull, ErrInvalidPosition (pos < 0) or a FieldError for
// an invalid track.
func (s *Session) InsertQueue(t QueuedTrack, pos int) error {
	if len(s.Queue) >= MaxQueueSize {
		return ErrQueueFull
	}
	if pos < 0 {
		return &FieldError{Field: "position", Reason: "must be ≥ 0", Err: ErrInvalidPosition}
	}
	t.Position = 0
	if err := t.Validate(); err != nil {
		return err
	}
	s.Queue = slices.Insert(s.Queue, min(pos, len(s.Queue)), t)
	s.reindex()
	return nil
}

// RemoveFromQueue drops the track at index pos.
func (s *Session) RemoveFromQueue(pos int) error {
	if err := s.checkIndex("position", pos); err != nil {
		return err
	}
	s.Queue = slices.Delete(s.Queue, pos, pos+1)
	s.reindex()
	return nil
}

// ReorderQueue moves the track at index from to index to.
func (s *Session) ReorderQueue(from, to int) error {
	if err := s.checkIndex("from", from); err != nil {
		return err
	}
	if err := s.checkIndex("to", to); err != nil {
		return err
	}
	if from == to {
		return nil
	}
	t := s.Queue[from]
	s.Queue = slices.Insert(slices.Delete(s.Queue, from, from+1), to, t)
	s.reindex()
	return nil
}

// ClearQueue empties the queue (steering and skip streaks rebuild it).
func (s *Session) ClearQueue() { s.Queue = []QueuedTrack{} }

// QueueIndex finds the first queued entry with this track id or URI.
// It returns ErrNotFound when there is none.
func (s *Session) QueueIndex(trackID, trackURI string) (int, error) {
	for i, q := range s.Queue {
		if q.matches(trackID, trackURI) {
			return i, nil
		}
	}
	return -1, ErrNotFound
}

// checkIndex reports ErrInvalidPosition for an index outside the queue.
func (s *Session) checkIndex(field string, i int) error {
	if i < 0 || i >= len(s.Queue) {
		return &FieldError{Field: field, Reason: "outside the queue", Err: ErrInvalidPosition}
	}
	return nil
}

// reindex restores the position-equals-index invariant.
func (s *Session) reindex() {
	for i := range s.Queue {
		s.Queue[i].Position = i
	}
}

// AddToHistory prepends a played track and keeps the newest
// MaxHistorySize entries. Most callers want AdvanceTo instead.
func (s *Session) AddToHistory(p PlayedTrack) {
	h := make([]PlayedTrack, 0, min(len(s.History)+1, MaxHistorySize))
	h = append(h, p.clone())
	s.History = append(h, firstN(s.History, MaxHistorySize-1)...)
}

// AdvanceResult says what AdvanceTo did.
type AdvanceResult struct {
	Moved     bool `json:"movedToHistory"` // a history entry was written
	FromQueue bool `json:"fromQueue"`      // the track was taken out of the queue
}

// AdvanceTo records that a track has been played: it takes the track out
// of the queue if it is there (filling blank name, artist and art from the
// queued entry), writes it to history once, and folds it into the vibe.
// The BPM is normalised (NormalizeBPM) so a bad tempo cannot make the
// session invalid. Reporting the same play again — the player stream and
// the browser both report each change — is a no-op, so it is safe to call
// from both paths; a repeated report is one whose track heads the history
// or appears in its first few entries with a playedAt within two minutes.
func (s *Session) AdvanceTo(p PlayedTrack) (AdvanceResult, error) {
	p = p.clone()
	p.BPM = NormalizeBPM(p.BPM)
	p.PlayedAt = stamp(p.PlayedAt)
	if s.alreadyPlayed(p) {
		return AdvanceResult{}, nil
	}
	idx, err := s.QueueIndex(p.TrackID, p.TrackURI)
	fromQueue := err == nil
	if fromQueue {
		p = fillFromQueued(p, s.Queue[idx])
	}
	if err := p.Validate(); err != nil {
		return AdvanceResult{}, err
	}
	if fromQueue {
		s.Queue = slices.Delete(s.Queue, idx, idx+1)
		s.reindex()
	}
	s.Vibe = UpdateVibeFromTrack(s.Vibe, p, s.History)
	s.AddToHistory(p)
	return AdvanceResult{Moved: true, FromQueue: fromQueue}, nil
}

// alreadyPlayed detects a second report of a play already in history.
func (s *Session) alreadyPlayed(p PlayedTrack) bool {
	for i, h := range firstN(s.History, duplicateReportDepth) {
		if !h.matches(p.TrackID, p.TrackURI) {
			continue
		}
		gap := p.PlayedAt.Sub(h.PlayedAt)
		if i == 0 || (gap < duplicateReportWindow && gap > -duplicateReportWindow) {
			return true
		}
	}
	return false
}

// fillFromQueued completes a played track from its queue entry.
func fillFromQueued(p PlayedTrack, q QueuedTrack) PlayedTrack {
	if p.TrackID == "" {
		p.TrackID = q.TrackID
	}
	if p.TrackURI == "" {
		p.TrackURI = q.TrackURI
	}
	if p.Name == "" {
		p.Name = q.Name
	}
	if p.Artist == "" {
		p.Artist = q.Artist
	}
	if p.AlbumArt == "" {
		p.AlbumArt = q.AlbumArt
	}
	return p
}
