package mix

import (
	"math"
	"strings"
)

// Transition weights: how much each aspect counts in a transition score.
const (
	WeightBPM    = 0.30
	WeightEnergy = 0.25
	WeightGenre  = 0.20
	WeightArtist = 0.15
	WeightEra    = 0.10
)

// Component tuning from the reference scorer.
const (
	neutralComponent    = 0.5
	bpmTolerance        = 10   // BPM difference that still mixes perfectly
	bpmSigma            = 15   // fall-off beyond the tolerance
	energyTolerance     = 0.15 // energy gap that still counts as on target
	energySigma         = 0.25
	artistRecentWindow  = 5  // recent artists checked for repeats
	eraZeroAfterYears   = 50 // years apart at which era proximity reaches 0
	defaultTargetEnergy = 0.5
)

// TrackProfile is what the transition scorer knows about a track.
type TrackProfile struct {
	Artist      string   `json:"artist"`
	BPM         *float64 `json:"bpm"`
	Energy      *float64 `json:"energy"` // 0–1; nil when unknown
	Name        string   `json:"name"`
	ReleaseYear *int     `json:"releaseYear"`
	Tags        []string `json:"tags"`
	URI         string   `json:"spotifyUri,omitempty"`
}

// Score is a transition score in [0,1] with the parts it is made of, so
// a reason can say which aspect fits.
type Score struct {
	BPM     float64 `json:"bpm"`
	Energy  float64 `json:"energy"`
	Genre   float64 `json:"genre"`
	Artist  float64 `json:"artist"`
	Era     float64 `json:"era"`
	Overall float64 `json:"overall"`
}

// gaussian is exp(−d²/2σ²), the soft fall-off used by the BPM and energy terms.
func gaussian(d, sigma float64) float64 { return jsExp(-(d * d) / (2 * sigma * sigma)) }

// BPMCompatibility is 1 within 10 BPM, then falls off as a Gaussian
// (σ 15); 0.5 if either tempo is unknown.
func BPMCompatibility(a, b *float64) float64 {
	if a == nil || b == nil {
		return neutralComponent
	}
	d := math.Abs(*a - *b)
	if d <= bpmTolerance {
		return 1
	}
	return gaussian(d-bpmTolerance, bpmSigma)
}

// EnergyFlow is 1 within 0.15 of the target energy, then falls off as a
// Gaussian (σ 0.25).
func EnergyFlow(energy, target float64) float64 {
	d := math.Abs(energy - target)
	if d <= energyTolerance {
		return 1
	}
	return gaussian(d-energyTolerance, energySigma)
}

// GenreBridge is the Jaccard similarity of two tag sets, compared
// case-insensitively; 0.5 when either side has no tags.
func GenreBridge(a, b []string) float64 {
	sa, sb := tagSet(a), tagSet(b)
	if len(sa) == 0 || len(sb) == 0 {
		return neutralComponent
	}
	inter := 0
	for t := range sa {
		if sb[t] {
			inter++
		}
	}
	return float64(inter) / float64(len(sa)+len(sb)-inter)
}

// tagSet lower-cases and trims tags into a set, dropping blanks.
func tagSet(tags []string) map[string]bool {
	s := make(map[string]bool, len(tags))
	for _, t := range tags {
		if k := normTag(t); k != "" {
			s[k] = true
		}
	}
	return s
}

// normTag is the comparison form of a tag or artist name.
func normTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

// ArtistDiversity is 0 if the artist is among the last five recent
// artists (case-insensitive), else 1, so sets avoid back-to-back repeats.
func ArtistDiversity(artist string, recent []string) float64 {
	a := normTag(artist)
	for _, r := range lastN(recent, artistRecentWindow) {
		if normTag(r) == a {
			return 0
		}
	}
	return 1
}

// EraProximity falls linearly from 1 (same year) to 0 at 50 years apart;
// 0.5 if either year is unknown. The reference bucketed by decade, which
// made 2019/2020 "adjacent" and scored adjacent decades (0.5) below two
// decades apart (0.6); this keeps its values at 20, 30 and 40 years.
func EraProximity(y1, y2 *int) float64 {
	if y1 == nil || y2 == nil {
		return neutralComponent
	}
	d := math.Abs(float64(*y1 - *y2))
	return math.Max(0, 1-d/eraZeroAfterYears)
}

// TransitionScore rates how well to follows from for a target energy
// (0–1) given the recently played artists (oldest first). Overall is
// 0.30·BPM + 0.25·energy + 0.20·genre + 0.15·artist + 0.10·era.
func TransitionScore(from, to TrackProfile, targetEnergy float64, recentArtists []string) Score {
	s := Score{
		BPM:    BPMCompatibility(from.BPM, to.BPM),
		Energy: neutralComponent,
		Genre:  GenreBridge(from.Tags, to.Tags),
		Artist: ArtistDiversity(to.Artist, recentArtists),
		Era:    EraProximity(from.ReleaseYear, to.ReleaseYear),
	}
	if to.Energy != nil {
		s.Energy = EnergyFlow(*to.Energy, targetEnergy)
	}
	s.Overall = WeightBPM*s.BPM + WeightEnergy*s.Energy + WeightGenre*s.Genre + WeightArtist*s.Artist + WeightEra*s.Era
	return s
}
