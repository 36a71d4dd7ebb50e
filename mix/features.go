package mix

import (
	"math"
	"strings"
)

// Enrichment limits.
const (
	MaxTags    = 10 // Last.fm top tags kept per track
	MaxSimilar = 20 // Last.fm similar tracks kept per track
)

// Energy estimate tuning: Deezer's gain is the replay-gain correction in
// dB (loud masters get large negative values), so −gain is a loudness
// proxy; tempo adds a little.
const (
	quietGain      = -3.0  // gain at or above which loudness counts as 0
	loudGain       = -15.0 // gain at or below which loudness counts as 1
	slowBPM        = 60.0
	fastBPM        = 180.0
	loudnessWeight = 0.6
	tempoWeight    = 0.4
)

// DeezerSource says how a Deezer record was found.
type DeezerSource string

// Deezer lookups go by ISRC, either Spotify's or one found on MusicBrainz.
const (
	DeezerDirect         DeezerSource = "deezer"
	DeezerViaMusicBrainz DeezerSource = "deezer-via-musicbrainz"
)

// DeezerInfo is one Deezer lookup result, as the upstream client returns it.
type DeezerInfo struct {
	BPM         *float64     `json:"bpm"`
	Gain        *float64     `json:"gain"`
	Rank        *int64       `json:"rank"`
	ReleaseDate string       `json:"releaseDate,omitempty"`
	Source      DeezerSource `json:"source,omitempty"`
}

// LastFmInfo is one Last.fm track lookup result (correction, info, top
// tags, similar tracks), as the upstream client returns it.
type LastFmInfo struct {
	CanonicalArtist string         `json:"canonicalArtist,omitempty"`
	CanonicalTrack  string         `json:"canonicalTrack,omitempty"`
	Listeners       int64          `json:"listeners"`
	Playcount       int64          `json:"playcount"`
	Tags            []string       `json:"tags"`
	Similar         []SimilarTrack `json:"similar"`
}

// Features is everything enrichment knows about one Spotify track; it is
// cached per track and feeds scoring. Energy is estimated from gain and
// tempo (there is no direct energy source).
type Features struct {
	TrackID         string         `json:"trackId"`
	BPM             *float64       `json:"bpm"`
	Gain            *float64       `json:"gain"`
	Rank            *int64         `json:"rank"`
	ReleaseDate     string         `json:"releaseDate,omitempty"`
	Source          DeezerSource   `json:"source,omitempty"`
	Energy          *float64       `json:"energy"`
	CanonicalArtist string         `json:"canonicalArtist,omitempty"`
	CanonicalTrack  string         `json:"canonicalTrack,omitempty"`
	Listeners       int64          `json:"listeners"`
	Playcount       int64          `json:"playcount"`
	Tags            []string       `json:"tags"`
	Similar         []SimilarTrack `json:"similar"`
}

// MergeDeezer folds a Deezer result into the features, field by field:
// a new value wins when present, otherwise the old one stays. A BPM
// outside 45–220 (Deezer's 0 for "no analysis") counts as absent, and so
// does a rank ≤ 0.
func (f Features) MergeDeezer(d DeezerInfo) Features {
	f = f.clone()
	if b := NormalizeBPM(d.BPM); b != nil {
		f.BPM = b
	}
	if d.Gain != nil && finite(*d.Gain) {
		f.Gain = ptr(*d.Gain)
	}
	if d.Rank != nil && *d.Rank > 0 {
		f.Rank = ptr(*d.Rank)
	}
	if d.ReleaseDate != "" {
		f.ReleaseDate = d.ReleaseDate
	}
	if d.Source == DeezerDirect || d.Source == DeezerViaMusicBrainz {
		f.Source = d.Source
	}
	f.Energy = EstimateEnergy(f.Gain, f.BPM)
	return f
}

// MergeLastFm folds a Last.fm result into the features: canonical names
// when given, the larger listener and play counts, and the new tags and
// similar tracks when non-empty (capped, with invalid entries dropped).
func (f Features) MergeLastFm(l LastFmInfo) Features {
	f = f.clone()
	if l.CanonicalArtist != "" {
		f.CanonicalArtist = l.CanonicalArtist
	}
	if l.CanonicalTrack != "" {
		f.CanonicalTrack = l.CanonicalTrack
	}
	f.Listeners = max(f.Listeners, l.Listeners, 0)
	f.Playcount = max(f.Playcount, l.Playcount, 0)
	if tags := cleanTags(l.Tags); len(tags) > 0 {
		f.Tags = tags
	}
	if sim := cleanSimilar(l.Similar); len(sim) > 0 {
		f.Similar = sim
	}
	return f
}

// cleanTags trims tags, drops blanks and duplicates, keeps MaxTags.
func cleanTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return firstN(mergeUnique(nil, out), MaxTags)
}

// cleanSimilar drops entries without names or with a match outside [0,1].
func cleanSimilar(sim []SimilarTrack) []SimilarTrack {
	var out []SimilarTrack
	for _, s := range sim {
		if s.Artist != "" && s.Name != "" && validUnit(s.Match) {
			out = append(out, s)
		}
	}
	return firstN(out, MaxSimilar)
}

// EstimateEnergy guesses a 0–1 energy from Deezer's gain (loudness) and
// the tempo; nil without a gain. The reference had no energy source, so
// every energy-aware rule sat idle; this rough proxy lets them act.
func EstimateEnergy(gain, bpm *float64) *float64 {
	if gain == nil || !finite(*gain) {
		return nil
	}
	loud := clamp((*gain-quietGain)/(loudGain-quietGain), 0, 1)
	if bpm == nil {
		return ptr(math.Round(loud*100) / 100)
	}
	tempo := clamp((*bpm-slowBPM)/(fastBPM-slowBPM), 0, 1)
	return ptr(math.Round((loudnessWeight*loud+tempoWeight*tempo)*100) / 100)
}

// HasDeezer reports whether Deezer supplied a usable tempo.
func (f Features) HasDeezer() bool { return f.BPM != nil }

// HasLastFm reports whether Last.fm knew the track (tags or listeners).
func (f Features) HasLastFm() bool { return len(f.Tags) > 0 || f.Listeners > 0 }

// IsMiss reports whether neither source knew the track; the store keeps
// misses only briefly so they are retried.
func (f Features) IsMiss() bool { return !f.HasDeezer() && !f.HasLastFm() }

// DeezerInfo returns the Deezer part, for playlist aggregation.
func (f Features) DeezerInfo() DeezerInfo {
	return DeezerInfo{BPM: f.BPM, Gain: f.Gain, Rank: f.Rank, ReleaseDate: f.ReleaseDate, Source: f.Source}
}

// LastFmInfo returns the Last.fm part, for playlist aggregation.
func (f Features) LastFmInfo() LastFmInfo {
	return LastFmInfo{
		CanonicalArtist: f.CanonicalArtist, CanonicalTrack: f.CanonicalTrack,
		Listeners: f.Listeners, Playcount: f.Playcount, Tags: f.Tags, Similar: f.Similar,
	}
}

// Validate checks the id and every bound, so a corrupt cache entry is
// treated as a miss.
func (f Features) Validate() error {
	if strings.TrimSpace(f.TrackID) == "" {
		return invalid("trackId", "required")
	}
	if err := f.validateDeezer(); err != nil {
		return err
	}
	return f.validateLastFm()
}

// validateDeezer checks the Deezer-derived fields.
func (f Features) validateDeezer() error {
	switch {
	case f.BPM != nil && !ValidBPM(*f.BPM):
		return invalid("bpm", "must be null or between %d and %d", MinReliableBPM, MaxBPM)
	case f.Gain != nil && !finite(*f.Gain):
		return invalid("gain", "must be a finite number")
	case f.Rank != nil && *f.Rank < 0:
		return invalid("rank", "must be ≥ 0")
	case f.Energy != nil && !validUnit(*f.Energy):
		return invalid("energy", "must be null or between 0 and 1")
	case f.Source != "" && f.Source != DeezerDirect && f.Source != DeezerViaMusicBrainz:
		return invalid("source", "unknown source")
	}
	return nil
}

// validateLastFm checks the Last.fm-derived fields.
func (f Features) validateLastFm() error {
	switch {
	case f.Listeners < 0:
		return invalid("listeners", "must be ≥ 0")
	case f.Playcount < 0:
		return invalid("playcount", "must be ≥ 0")
	case len(f.Tags) > MaxTags:
		return invalid("tags", "at most %d entries", MaxTags)
	case len(f.Similar) > MaxSimilar:
		return invalid("similar", "at most %d entries", MaxSimilar)
	}
	for i, s := range f.Similar {
		if !validUnit(s.Match) {
			return invalid("similar["+itoa(i)+"].match", "must be between 0 and 1")
		}
	}
	return nil
}

// clone deep-copies pointers and lists so merges never alias.
func (f Features) clone() Features {
	if f.BPM != nil {
		f.BPM = ptr(*f.BPM)
	}
	if f.Gain != nil {
		f.Gain = ptr(*f.Gain)
	}
	if f.Rank != nil {
		f.Rank = ptr(*f.Rank)
	}
	if f.Energy != nil {
		f.Energy = ptr(*f.Energy)
	}
	f.Tags = cloneSlice(f.Tags)
	f.Similar = cloneSlice(f.Similar)
	return f
}

// WithFeatures fills a candidate's tempo, energy, genres and release date
// from its enrichment (an explicit release date on the candidate wins).
func (c Candidate) WithFeatures(f Features) Candidate {
	c.BPM, c.Energy = f.BPM, f.Energy
	if len(f.Tags) > 0 {
		c.Genres = cloneSlice(f.Tags)
	}
	if c.ReleaseDate == "" {
		c.ReleaseDate = f.ReleaseDate
	}
	return c
}

// TrackKey is the cache key for a track's Last.fm data: the artist and
// title, trimmed and lower-cased, length-prefixed so no two pairs collide.
// The reference hashed them to 32 bits after replacing every non-ASCII
// character with "_", so distinct tracks shared cached data.
func TrackKey(artist, track string) string {
	a := strings.ToLower(strings.TrimSpace(artist))
	t := strings.ToLower(strings.TrimSpace(track))
	return itoa(len(a)) + ":" + a + "|" + t
}
