package mix

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Suggestion points tables (reference SuggestionEngine).
const (
	neutralPoints      = 15 // unknown BPM or energy
	genrePointsEach    = 15
	genrePointsMax     = 45
	eraInsidePoints    = 25
	flowBPMWeight      = 0.6
	flowEnergyWeight   = 0.4
	smoothFlowAbove    = 80 // flow score that earns "Smooth transition"
	bpmReasonWithin    = 10 // BPM distance that earns "BPM n matches vibe"
	similarSearchRatio = 3  // similar tracks searched per wanted suggestion
	// Default reasons when the model gave none for a track.
	reasonInitial = "AI-recommended for your vibe"
	reasonContext = "AI-recommended for your vibe and recent tracks"
	reasonSimilar = "Similar to recent tracks"
)

// Candidate is a resolved track that might be suggested, with whatever
// enrichment is known. Reason is the model's reason for this very track
// (the reference paired reasons by index after filtering, so they drifted
// onto the wrong tracks).
type Candidate struct {
	TrackID     string   `json:"trackId"`
	TrackURI    string   `json:"trackUri"`
	Name        string   `json:"name"`
	Artist      string   `json:"artist"`
	AlbumArt    string   `json:"albumArt,omitempty"`
	ReleaseDate string   `json:"releaseDate,omitempty"`
	BPM         *float64 `json:"bpm"`
	Energy      *float64 `json:"energy"`
	Genres      []string `json:"genres,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

// CandidateSource says where candidates came from, which decides how they
// are cut, ranked and explained.
type CandidateSource int

const (
	// SourceAI candidates were picked by the model, in its order of
	// preference; the first count are kept and then ranked.
	SourceAI CandidateSource = iota
	// SourceSimilar candidates come from Last.fm similar tracks; all are
	// ranked and the best count kept, with reasons built from the scores.
	SourceSimilar
)

// ScoreSuggestion rates a candidate against the vibe on a 0–100 scale:
// BPM near the window's centre (6–30, 15 if unknown), shared genres
// (15 each, ≤ 45), energy near the level (5–30, 15 if unknown) and
// release year inside or near the era (0–25).
func ScoreSuggestion(v Vibe, c Candidate) int {
	sum := bpmPoints(v.BPMRange, NormalizeBPM(c.BPM)) +
		genrePoints(v.Genres, c.Genres) +
		energyPoints(v.EnergyLevel, c.Energy) +
		eraPoints(v.Era, c.ReleaseDate)
	return int(clamp(jsRound(sum), MinVibeScore, MaxVibeScore))
}

// bpmPoints scores the distance to the window's centre.
func bpmPoints(r BPMRange, bpm *float64) float64 {
	if bpm == nil {
		return neutralPoints
	}
	switch d := math.Abs(*bpm - r.Mid()); {
	case d <= 5:
		return 30
	case d <= 10:
		return 24
	case d <= 20:
		return 15
	default:
		return 6
	}
}

// genrePoints gives 15 per vibe genre the track shares, at most 45.
func genrePoints(vibeGenres, genres []string) float64 {
	return math.Min(genrePointsMax, float64(genrePointsEach*len(sharedTags(vibeGenres, genres))))
}

// energyPoints scores the distance between the track's energy and the
// vibe's level scaled to 0–1.
func energyPoints(level float64, energy *float64) float64 {
	if energy == nil {
		return neutralPoints
	}
	switch d := math.Abs(*energy - level/10); {
	case d <= 0.2:
		return 30
	case d <= 0.4:
		return 15
	default:
		return 5
	}
}

// eraPoints rewards release years inside the era, and near misses less.
func eraPoints(e Era, releaseDate string) float64 {
	y, ok := releaseYear(releaseDate)
	if !ok {
		return 0
	}
	if e.Contains(y) {
		return eraInsidePoints
	}
	switch d := min(absInt(y-e.Start), absInt(y-e.End)); {
	case d <= 5:
		return 15
	case d <= 10:
		return 5
	default:
		return 0
	}
}

// absInt is |n|.
func absInt(n int) int { return max(n, -n) }

// sharedTags lists the track's tags that the vibe also has, compared
// case-insensitively, each once, in the track's order.
func sharedTags(vibeTags, tags []string) []string {
	want := tagSet(vibeTags)
	var out []string
	for _, t := range tags {
		if k := normTag(t); want[k] {
			out = append(out, t)
			delete(want, k)
		}
	}
	return out
}

// FlowScore is the 0–100 next-track fit used for suggestions:
// 60 % BPM compatibility with the previous track and 40 % energy flow
// towards targetEnergy (an unknown energy counts as on target).
func FlowScore(fromBPM, toBPM, toEnergy *float64, targetEnergy float64) int {
	e := targetEnergy
	if toEnergy != nil {
		e = *toEnergy
	}
	return int(jsRound((BPMCompatibility(fromBPM, toBPM)*flowBPMWeight + EnergyFlow(e, targetEnergy)*flowEnergyWeight) * 100))
}

// Suggest turns candidates into ranked suggestions for this session.
// Candidates already queued or played, repeated candidates, candidates
// with an avoided genre and candidates whose known BPM is outside the
// BPM lock are dropped. With no history a suggestion's score is its vibe
// score; otherwise it is the mean of the vibe score and the flow from the
// most recent track (the reference used the oldest history entry).
func (s *Session) Suggest(cands []Candidate, src CandidateSource, count int) []Suggestion {
	if count <= 0 {
		return []Suggestion{}
	}
	kept := s.eligible(cands)
	if src == SourceAI {
		kept = firstN(kept, count)
	}
	out := make([]Suggestion, 0, len(kept))
	for _, c := range kept {
		out = append(out, s.suggestion(c, src))
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int { return cmp.Compare(b.VibeScore, a.VibeScore) })
	return firstN(out, count)
}

// suggestion scores one candidate and explains it.
func (s *Session) suggestion(c Candidate, src CandidateSource) Suggestion {
	bpm := NormalizeBPM(c.BPM)
	vibe := ScoreSuggestion(s.Vibe, c)
	score, reason := vibe, c.Reason
	if len(s.History) > 0 {
		flow := FlowScore(s.History[0].BPM, bpm, c.Energy, s.Vibe.EnergyLevel/10)
		score = int(jsRound(float64(vibe+flow) / 2))
		if src == SourceSimilar {
			reason = similarReason(s.Vibe, c, bpm, flow)
		}
	}
	if reason == "" {
		reason = reasonInitial
		if len(s.History) > 0 {
			reason = reasonContext
		}
	}
	return Suggestion{
		AlbumArt: c.AlbumArt, Artist: c.Artist, BPM: bpm, Name: c.Name, Reason: reason,
		TrackID: c.TrackID, TrackURI: c.TrackURI, VibeScore: score,
	}
}

// similarReason explains a similar-track candidate from its scores.
func similarReason(v Vibe, c Candidate, bpm *float64, flow int) string {
	var parts []string
	if bpm != nil && math.Abs(*bpm-v.BPMRange.Mid()) < bpmReasonWithin {
		parts = append(parts, "BPM "+formatNum(*bpm)+" matches vibe")
	}
	if shared := sharedTags(v.Genres, c.Genres); len(shared) > 0 {
		parts = append(parts, "Matches genres: "+strings.Join(shared, ", "))
	}
	if flow > smoothFlowAbove {
		parts = append(parts, "Smooth transition")
	}
	if len(parts) == 0 {
		return reasonSimilar
	}
	return strings.Join(parts, " • ")
}

// eligible filters candidates as Suggest documents, keeping order.
func (s *Session) eligible(cands []Candidate) []Candidate {
	seen := s.knownTracks()
	avoid := tagSet(s.Preferences.AvoidGenres)
	var out []Candidate
	for _, c := range cands {
		if c.TrackID == "" || c.TrackURI == "" || seen[c.TrackID] || seen[c.TrackURI] {
			continue
		}
		if s.outsideLock(NormalizeBPM(c.BPM)) || hasAny(avoid, c.Genres) {
			continue
		}
		seen[c.TrackID], seen[c.TrackURI] = true, true
		out = append(out, c)
	}
	return out
}

// knownTracks is the set of ids and URIs already queued or played.
func (s *Session) knownTracks() map[string]bool {
	seen := make(map[string]bool, 2*(len(s.Queue)+len(s.History)))
	for _, q := range s.Queue {
		seen[q.TrackID], seen[q.TrackURI] = true, true
	}
	for _, h := range s.History {
		seen[h.TrackID], seen[h.TrackURI] = true, true
	}
	return seen
}

// outsideLock reports whether a known BPM breaks the session's BPM lock.
func (s *Session) outsideLock(bpm *float64) bool {
	l := s.Preferences.BPMLock
	return l != nil && bpm != nil && (*bpm < l.Min || *bpm > l.Max)
}

// hasAny reports whether any tag is in the set.
func hasAny(set map[string]bool, tags []string) bool {
	for _, t := range tags {
		if set[normTag(t)] {
			return true
		}
	}
	return false
}

// RecentTracks returns up to n history entries, most recent first: the
// context for prompts and the seeds for similar-track lookups (the
// reference took the oldest entries by mistake).
func (s *Session) RecentTracks(n int) []PlayedTrack {
	return cloneSlice(firstN(s.History, max(0, n)))
}

// SimilarSearchLimit is how many similar tracks to resolve when count
// suggestions are wanted.
func SimilarSearchLimit(count int) int { return count * similarSearchRatio }

// SimilarTrack is a Last.fm "similar track" with its match in [0,1].
type SimilarTrack struct {
	Artist string  `json:"artist"`
	Match  float64 `json:"match"`
	Name   string  `json:"name"`
}

// MergeSimilar combines the similar-track lists of several seeds: one
// entry per artist-and-name (case-insensitive; first position, last
// value), sorted by match, best first.
func MergeSimilar(lists ...[]SimilarTrack) []SimilarTrack {
	index := map[string]int{}
	var out []SimilarTrack
	for _, list := range lists {
		for _, t := range list {
			key := strings.ToLower(t.Artist + "-" + t.Name)
			if i, ok := index[key]; ok {
				out[i] = t
				continue
			}
			index[key] = len(out)
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b SimilarTrack) int { return cmp.Compare(b.Match, a.Match) })
	return nonNil(out)
}
