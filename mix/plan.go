package mix

import (
	"math"
	"time"
)

// ArcPhase is one stretch of a planned set with its energy target.
type ArcPhase struct {
	DurationMinutes float64    `json:"durationMinutes"`
	GenreHints      []string   `json:"genreHints"`
	Name            string     `json:"name"`
	TargetBPMRange  [2]float64 `json:"targetBpmRange"`
	TargetEnergy    float64    `json:"targetEnergy"`
}

// Validate checks the phase bounds of the contract.
func (p ArcPhase) Validate() error {
	if p.Name == "" {
		return invalid("name", "required")
	}
	if !finite(p.DurationMinutes) || p.DurationMinutes < 1 || p.DurationMinutes > 120 {
		return invalid("durationMinutes", "must be between 1 and 120")
	}
	if !validUnit(p.TargetEnergy) {
		return invalid("targetEnergy", "must be between 0 and 1")
	}
	for i, b := range p.TargetBPMRange {
		if !validBPMValue(b) {
			return invalid("targetBpmRange["+itoa(i)+"]", "must be between %d and %d", MinBPM, MaxBPM)
		}
	}
	return nil
}

// ArcTemplate is the energy arc of a whole set.
type ArcTemplate struct {
	Name                 string     `json:"name"`
	Phases               []ArcPhase `json:"phases"`
	TotalDurationMinutes float64    `json:"totalDurationMinutes"`
}

// PlannedTrack is one slot of a planned set.
type PlannedTrack struct {
	ArcPhase        string   `json:"arcPhase"`
	Artist          string   `json:"artist"`
	BPM             *float64 `json:"bpm"`
	Energy          float64  `json:"energy"`
	Name            string   `json:"name"`
	Reason          string   `json:"reason"`
	SpotifyURI      string   `json:"spotifyUri"`
	TransitionScore float64  `json:"transitionScore"`
}

// SetPlan is an ordered set with its arc (the contract reserves the
// session field; the planner below can fill it).
type SetPlan struct {
	Arc             ArcTemplate    `json:"arc"`
	CurrentPosition int            `json:"currentPosition"`
	ExpiresAt       time.Time      `json:"expiresAt"`
	GeneratedAt     time.Time      `json:"generatedAt"`
	Tracks          []PlannedTrack `json:"tracks"`
}

// Validate checks the arc, the position and the track scores.
func (p *SetPlan) Validate() error {
	if len(p.Arc.Phases) == 0 {
		return invalid("arc.phases", "at least one phase")
	}
	if !finite(p.Arc.TotalDurationMinutes) || p.Arc.TotalDurationMinutes < 1 || p.Arc.TotalDurationMinutes > 240 {
		return invalid("arc.totalDurationMinutes", "must be between 1 and 240")
	}
	for i, ph := range p.Arc.Phases {
		if err := ph.Validate(); err != nil {
			return prefixField("arc.phases["+itoa(i)+"]", err)
		}
	}
	if p.CurrentPosition < 0 {
		return invalid("currentPosition", "must be ≥ 0")
	}
	for i, t := range p.Tracks {
		if !validUnit(t.TransitionScore) || !validUnit(t.Energy) {
			return invalid("tracks["+itoa(i)+"]", "energy and transitionScore must be between 0 and 1")
		}
	}
	return nil
}

// clone deep-copies the plan's lists.
func (p *SetPlan) clone() *SetPlan {
	c := *p
	c.Arc.Phases = make([]ArcPhase, len(p.Arc.Phases))
	for i, ph := range p.Arc.Phases {
		ph.GenreHints = cloneSlice(ph.GenreHints)
		c.Arc.Phases[i] = ph
	}
	c.Tracks = cloneSlice(p.Tracks)
	for i, t := range c.Tracks {
		if t.BPM != nil {
			c.Tracks[i].BPM = ptr(*t.BPM)
		}
	}
	return &c
}

// OrderByTransition greedily orders candidates along an energy arc: each
// phase gets a share of the tracks proportional to its duration, and each
// step picks the remaining candidate with the best transition from the
// previous pick (the first wins ties). start is the track playing now;
// nil starts from the first candidate.
func OrderByTransition(cands []TrackProfile, phases []ArcPhase, start *TrackProfile) []PlannedTrack {
	if len(cands) == 0 || len(phases) == 0 {
		return []PlannedTrack{}
	}
	quotas := phaseQuotas(phases, len(cands))
	remaining := append([]TrackProfile(nil), cands...)
	prev := cands[0]
	if start != nil {
		prev = *start
	}
	var recent []string
	out := make([]PlannedTrack, 0, len(cands))
	phase, used := 0, 0
	for range cands {
		for phase < len(phases)-1 && used >= quotas[phase] {
			phase, used = phase+1, 0
		}
		best, score := bestNext(prev, remaining, phases[phase].TargetEnergy, recent)
		pick := remaining[best]
		remaining = append(remaining[:best], remaining[best+1:]...)
		out = append(out, plannedTrack(pick, phases[phase].Name, score.Overall))
		recent = append(recent, pick.Artist)
		prev = pick
		used++
	}
	return out
}

// phaseQuotas splits n tracks over the phases by duration (each at least
// one); rounding excess or shortfall goes to the last phase.
func phaseQuotas(phases []ArcPhase, n int) []int {
	total := 0.0
	for _, p := range phases {
		total += p.DurationMinutes
	}
	q := make([]int, len(phases))
	sum := 0
	for i, p := range phases {
		q[i] = max(1, int(jsRound(p.DurationMinutes/total*float64(n))))
		sum += q[i]
	}
	q[len(q)-1] += n - sum
	return q
}

// bestNext finds the candidate with the strictly highest overall score.
func bestNext(prev TrackProfile, cands []TrackProfile, target float64, recent []string) (int, Score) {
	best, bestScore := 0, Score{Overall: math.Inf(-1)}
	for i, c := range cands {
		if s := TransitionScore(prev, c, target, recent); s.Overall > bestScore.Overall {
			best, bestScore = i, s
		}
	}
	return best, bestScore
}

// plannedTrack builds the planner's output entry with its reason.
func plannedTrack(t TrackProfile, phase string, overall float64) PlannedTrack {
	energy := 0.0
	if t.Energy != nil {
		energy = *t.Energy
	}
	return PlannedTrack{
		ArcPhase: phase, Artist: t.Artist, BPM: clonePtr(t.BPM), Energy: energy, Name: t.Name,
		SpotifyURI: t.URI, TransitionScore: overall,
		Reason: "Transition score: " + jsToFixed(overall, 2) + " (BPM, energy, genre match for " + phase + " phase)",
	}
}
