package mix

import (
	"strings"
	"time"
)

// Score and BPM bounds shared by the track types.
const (
	MinVibeScore = 0
	MaxVibeScore = 100
	// MinReliableBPM is the lowest tempo accepted from enrichment. Deezer
	// reports 0 (and stray half-tempo values) when it has no analysis;
	// treating those as unknown keeps them out of scoring and history.
	MinReliableBPM = 45
)

// AddedBy says who put a track in the queue.
type AddedBy string

// The two queue owners the contract allows.
const (
	AddedByUser AddedBy = "user"
	AddedByAI   AddedBy = "ai"
)

// QueuedTrack is one entry of the app-managed queue.
type QueuedTrack struct {
	AddedBy   AddedBy `json:"addedBy"`
	AlbumArt  string  `json:"albumArt,omitempty"`
	Artist    string  `json:"artist"`
	Name      string  `json:"name"`
	Position  int     `json:"position"`
	Reason    string  `json:"reason,omitempty"`
	TrackID   string  `json:"trackId"`
	TrackURI  string  `json:"trackUri"`
	VibeScore int     `json:"vibeScore"`
}

// Validate checks ids, owner, position and score bounds.
func (q QueuedTrack) Validate() error {
	if err := validateIDs(q.TrackID, q.TrackURI); err != nil {
		return err
	}
	if q.AddedBy != AddedByUser && q.AddedBy != AddedByAI {
		return invalid("addedBy", "must be user or ai")
	}
	if q.Position < 0 {
		return invalid("position", "must be ≥ 0")
	}
	if err := validateScore(q.VibeScore); err != nil {
		return err
	}
	return validateArt(q.AlbumArt)
}

// matches reports whether the entry is the track with this id or URI.
func (q QueuedTrack) matches(id, uri string) bool {
	return (id != "" && q.TrackID == id) || (uri != "" && q.TrackURI == uri)
}

// PlayedTrack is one history entry.
type PlayedTrack struct {
	AlbumArt string    `json:"albumArt,omitempty"`
	Artist   string    `json:"artist"`
	BPM      *float64  `json:"bpm"`
	Energy   *float64  `json:"energy"`
	Name     string    `json:"name"`
	PlayedAt time.Time `json:"playedAt"`
	TrackID  string    `json:"trackId"`
	TrackURI string    `json:"trackUri"`
}

// Validate checks ids, the BPM and energy bounds and the timestamp.
func (p PlayedTrack) Validate() error {
	if err := validateIDs(p.TrackID, p.TrackURI); err != nil {
		return err
	}
	if p.BPM != nil && !validBPMValue(*p.BPM) {
		return invalid("bpm", "must be null or between %d and %d", MinBPM, MaxBPM)
	}
	if p.Energy != nil && !validUnit(*p.Energy) {
		return invalid("energy", "must be null or between 0 and 1")
	}
	if p.PlayedAt.IsZero() {
		return invalid("playedAt", "required")
	}
	return validateArt(p.AlbumArt)
}

// matches reports whether the entry is the track with this id or URI.
func (p PlayedTrack) matches(id, uri string) bool {
	return (id != "" && p.TrackID == id) || (uri != "" && p.TrackURI == uri)
}

// clone deep-copies the optional numbers.
func (p PlayedTrack) clone() PlayedTrack {
	if p.BPM != nil {
		p.BPM = ptr(*p.BPM)
	}
	if p.Energy != nil {
		p.Energy = ptr(*p.Energy)
	}
	return p
}

// Suggestion is a scored candidate offered to the listener (response only).
type Suggestion struct {
	AlbumArt  string   `json:"albumArt,omitempty"`
	Artist    string   `json:"artist"`
	BPM       *float64 `json:"bpm"`
	Name      string   `json:"name"`
	Reason    string   `json:"reason"`
	TrackID   string   `json:"trackId"`
	TrackURI  string   `json:"trackUri"`
	VibeScore int      `json:"vibeScore"`
}

// Validate checks ids, the required reason and the bounds.
func (s Suggestion) Validate() error {
	if err := validateIDs(s.TrackID, s.TrackURI); err != nil {
		return err
	}
	if strings.TrimSpace(s.Reason) == "" {
		return invalid("reason", "required")
	}
	if s.BPM != nil && !validBPMValue(*s.BPM) {
		return invalid("bpm", "must be null or between %d and %d", MinBPM, MaxBPM)
	}
	if err := validateScore(s.VibeScore); err != nil {
		return err
	}
	return validateArt(s.AlbumArt)
}

// ValidBPM reports whether a tempo from enrichment is trustworthy
// (45–220, the reference's isValidBPM).
func ValidBPM(b float64) bool { return finite(b) && b >= MinReliableBPM && b <= MaxBPM }

// NormalizeBPM turns an enrichment tempo into what may be stored: nil for
// unknown, zero, non-finite or implausible values. The reference stored 0
// and values above 220, which then failed schema validation and lost the
// whole track transition.
func NormalizeBPM(b *float64) *float64 {
	if b == nil || !ValidBPM(*b) {
		return nil
	}
	return ptr(*b)
}

// validBPMValue is the schema bound (20–220) for stored BPM values.
func validBPMValue(b float64) bool { return finite(b) && b >= MinBPM && b <= MaxBPM }

// validUnit reports whether x is a finite number in [0,1].
func validUnit(x float64) bool { return finite(x) && x >= 0 && x <= 1 }

// validateIDs requires a track id and URI.
func validateIDs(id, uri string) error {
	if strings.TrimSpace(id) == "" {
		return invalid("trackId", "required")
	}
	if strings.TrimSpace(uri) == "" {
		return invalid("trackUri", "required")
	}
	return nil
}

// validateScore checks a vibe score bound.
func validateScore(s int) error {
	if s < MinVibeScore || s > MaxVibeScore {
		return invalid("vibeScore", "must be between %d and %d", MinVibeScore, MaxVibeScore)
	}
	return nil
}

// validateArt accepts an empty album-art link or an http(s) URL.
func validateArt(u string) error {
	if u == "" || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return nil
	}
	return invalid("albumArt", "must be an http(s) URL")
}
