package mix

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// Listening-signal and taste constants from the reference.
const (
	completedRatio      = 0.8
	skipListenMs        = 30_000
	completedAffinity   = 0.1
	skippedAffinity     = -0.2
	MaxSkipPatterns     = 20
	skipStreakWindow    = 5
	skipStreakThreshold = 3
)

// SignalType classifies how a track was listened to.
type SignalType string

// Signal types of the contract. Only the first three are produced.
const (
	SignalCompleted  SignalType = "completed"
	SignalSkipped    SignalType = "skipped"
	SignalPartial    SignalType = "partial"
	SignalUserQueued SignalType = "user-queued"
	SignalSteer      SignalType = "steer"
)

// ListenerSignal is one observation of how a track was received.
type ListenerSignal struct {
	ListenDuration int64      `json:"listenDuration"` // ms
	Timestamp      int64      `json:"timestamp"`      // epoch ms
	TrackDuration  int64      `json:"trackDuration"`  // ms
	TrackID        string     `json:"trackId"`
	Type           SignalType `json:"type"`
}

// Validate checks the id, the type and the durations.
func (l ListenerSignal) Validate() error {
	if strings.TrimSpace(l.TrackID) == "" {
		return invalid("trackId", "required")
	}
	switch l.Type {
	case SignalCompleted, SignalSkipped, SignalPartial, SignalUserQueued, SignalSteer:
	default:
		return invalid("type", "unknown signal type")
	}
	if l.ListenDuration < 0 {
		return invalid("listenDuration", "must be ≥ 0")
	}
	if l.TrackDuration < 0 {
		return invalid("trackDuration", "must be ≥ 0")
	}
	return nil
}

// ClassifySignal decides from listened and total milliseconds whether a
// track was completed (≥ 80 %), skipped (< 30 s) or partly heard.
func ClassifySignal(listenMs, durationMs int64) SignalType {
	switch {
	case durationMs <= 0:
		return SignalPartial
	case float64(listenMs)/float64(durationMs) >= completedRatio:
		return SignalCompleted
	case listenMs < skipListenMs:
		return SignalSkipped
	default:
		return SignalPartial
	}
}

// TasteModel is what the session has learned about the listener.
type TasteModel struct {
	ArtistAffinities map[string]float64 `json:"artistAffinities"`
	BPMPreference    [2]float64         `json:"bpmPreference"`
	EnergyPreference float64            `json:"energyPreference"`
	GenreWeights     map[string]float64 `json:"genreWeights"`
	SkipPatterns     []string           `json:"skipPatterns"`
	UpdatedAt        int64              `json:"updatedAt"` // epoch ms
}

// newTasteModel is the neutral model created at the first decisive signal.
func newTasteModel(now time.Time) *TasteModel {
	return &TasteModel{
		ArtistAffinities: map[string]float64{},
		BPMPreference:    [2]float64{defaultBPMLow, defaultBPMHigh},
		EnergyPreference: 0.5,
		GenreWeights:     map[string]float64{},
		SkipPatterns:     []string{},
		UpdatedAt:        now.UnixMilli(),
	}
}

// Validate checks the weight and preference bounds.
func (t *TasteModel) Validate() error {
	for k, v := range t.ArtistAffinities {
		if !finite(v) || v < -1 || v > 1 {
			return invalid("artistAffinities."+k, "must be between -1 and 1")
		}
	}
	for k, v := range t.GenreWeights {
		if !finite(v) || v < -1 || v > 1 {
			return invalid("genreWeights."+k, "must be between -1 and 1")
		}
	}
	for i, b := range t.BPMPreference {
		if !validBPMValue(b) {
			return invalid("bpmPreference["+itoa(i)+"]", "must be between %d and %d", MinBPM, MaxBPM)
		}
	}
	if !validUnit(t.EnergyPreference) {
		return invalid("energyPreference", "must be between 0 and 1")
	}
	if len(t.SkipPatterns) > MaxSkipPatterns {
		return invalid("skipPatterns", "at most %d entries", MaxSkipPatterns)
	}
	return nil
}

// clone deep-copies maps and lists.
func (t *TasteModel) clone() *TasteModel {
	c := *t
	c.ArtistAffinities = maps.Clone(t.ArtistAffinities)
	c.GenreWeights = maps.Clone(t.GenreWeights)
	c.SkipPatterns = cloneSlice(t.SkipPatterns)
	return &c
}

// MarshalJSON writes nil maps and lists as {} and [].
func (t TasteModel) MarshalJSON() ([]byte, error) {
	type plain TasteModel
	p := plain(t)
	if p.ArtistAffinities == nil {
		p.ArtistAffinities = map[string]float64{}
	}
	if p.GenreWeights == nil {
		p.GenreWeights = map[string]float64{}
	}
	p.SkipPatterns = nonNil(p.SkipPatterns)
	return json.Marshal(p)
}

// Affinity is the learned liking for an artist in [-1, 1] (0 unknown).
func (t *TasteModel) Affinity(artist string) float64 {
	if t == nil {
		return 0
	}
	return t.ArtistAffinities[artistKey(artist)]
}

// artistKey normalises an artist name for the taste maps.
func artistKey(a string) string { return strings.TrimSpace(a) }

// RecordSignal appends a listening signal (keeping the newest MaxSignals),
// updates the taste model for artist, and applies the skip-streak rule:
// three or more skips among the last five signals clear the queue. It
// reports whether the queue was cleared so the caller can refill it (the
// reference left it empty until some other trigger).
func (s *Session) RecordSignal(sig ListenerSignal, artist string, now time.Time) (queueCleared bool, err error) {
	if err := sig.Validate(); err != nil {
		return false, err
	}
	s.Signals = append(cloneSlice(lastN(s.Signals, MaxSignals-1)), sig)
	if s.TasteModel != nil || sig.Type != SignalPartial {
		s.updateTaste(sig.Type, artist, now)
	}
	if s.skipStreak() && len(s.Queue) > 0 {
		s.ClearQueue()
		return true, nil
	}
	return false, nil
}

// updateTaste nudges the artist's affinity: +0.1 for a completed track,
// −0.2 for a skip (which also records the artist as a skip pattern).
func (s *Session) updateTaste(kind SignalType, artist string, now time.Time) {
	key := artistKey(artist)
	if key == "" {
		return
	}
	if s.TasteModel == nil {
		s.TasteModel = newTasteModel(now)
	}
	var w float64
	switch kind {
	case SignalCompleted:
		w = completedAffinity
	case SignalSkipped:
		w = skippedAffinity
	default:
		return
	}
	t := s.TasteModel
	if t.ArtistAffinities == nil {
		t.ArtistAffinities = map[string]float64{}
	}
	t.ArtistAffinities[key] = clamp(t.ArtistAffinities[key]+w, -1, 1)
	if kind == SignalSkipped && !slices.Contains(t.SkipPatterns, key) {
		t.SkipPatterns = append(cloneSlice(lastN(t.SkipPatterns, MaxSkipPatterns-1)), key)
	}
	t.UpdatedAt = now.UnixMilli()
}

// skipStreak counts the trailing skips among the last five signals.
func (s *Session) skipStreak() bool {
	recent := lastN(s.Signals, skipStreakWindow)
	n := 0
	for i := len(recent) - 1; i >= 0 && recent[i].Type == SignalSkipped; i-- {
		n++
	}
	return n >= skipStreakThreshold
}

// TasteContext is the listener feedback a next-track prompt includes.
type TasteContext struct {
	LikedGenres    []string `json:"likedGenres"`
	DislikedGenres []string `json:"dislikedGenres"`
	SkippedArtists []string `json:"skippedArtists"`
}

// Empty reports whether there is nothing worth telling the model.
func (c TasteContext) Empty() bool {
	return len(c.LikedGenres) == 0 && len(c.DislikedGenres) == 0 && len(c.SkippedArtists) == 0
}

// tasteGenreThreshold is the weight beyond which a genre counts as liked
// (or, negated, disliked).
const tasteGenreThreshold = 0.2

// Context extracts liked genres (weight > 0.2), disliked genres
// (< −0.2), both sorted by name, and the five most recently skipped
// artists. A nil model gives an empty context.
func (t *TasteModel) Context() TasteContext {
	c := TasteContext{LikedGenres: []string{}, DislikedGenres: []string{}, SkippedArtists: []string{}}
	if t == nil {
		return c
	}
	for _, g := range slices.Sorted(maps.Keys(t.GenreWeights)) {
		switch w := t.GenreWeights[g]; {
		case w > tasteGenreThreshold:
			c.LikedGenres = append(c.LikedGenres, g)
		case w < -tasteGenreThreshold:
			c.DislikedGenres = append(c.DislikedGenres, g)
		}
	}
	c.SkippedArtists = append(c.SkippedArtists, lastN(t.SkipPatterns, 5)...)
	return c
}
