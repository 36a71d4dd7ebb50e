package actors

import (
	"errors"
	"fmt"
	"time"

	"dj/mix"
)

// enrichKeyPrefix names the enrichment entries in AUDIO_FEATURES_CACHE.
// There is one entry per Spotify track id, holding both sources, so one
// read answers "what do we know about this track" (the reference kept
// Deezer and Last.fm apart, under a 32-bit name hash that collided).
const enrichKeyPrefix = "track:"

// maxTrackIDLen bounds accepted Spotify track ids (they are 22 base-62
// characters); anything longer is not a Spotify id and is not looked up.
const maxTrackIDLen = 64

// enrichKey is the cache key of a track's features.
func enrichKey(id string) string { return enrichKeyPrefix + id }

// validTrackID reports whether id looks like a Spotify track id: 1–64
// ASCII letters and digits. Other ids (local files, garbage from a
// client) are never looked up or used in keys.
func validTrackID(id string) bool {
	if id == "" || len(id) > maxTrackIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// featuresRecordVersion is bumped when the meaning of a stored record
// changes, so old entries read as misses and are fetched again.
const featuresRecordVersion = 1

// featuresRecord is what AUDIO_FEATURES_CACHE holds for a track both
// sources (or one of them) knew. Tracks neither knew are negative entries
// of the store, not records. The store calls Validate before every write
// and after every read, so a damaged entry is a miss.
type featuresRecord struct {
	Version   int          `json:"v"`
	Features  mix.Features `json:"features"`
	FetchedAt time.Time    `json:"fetchedAt"`
}

// Validate checks the version, the fetch time and every feature bound.
func (r *featuresRecord) Validate() error {
	switch {
	case r == nil:
		return errors.New("features record: nil")
	case r.Version != featuresRecordVersion:
		return fmt.Errorf("features record: version %d, want %d", r.Version, featuresRecordVersion)
	case r.FetchedAt.IsZero():
		return errors.New("features record: fetchedAt missing")
	case !validTrackID(r.Features.TrackID):
		return errors.New("features record: trackId is not a Spotify id")
	}
	if err := r.Features.Validate(); err != nil {
		return fmt.Errorf("features record: %w", err)
	}
	return nil
}
