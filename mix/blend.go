package mix

import "math"

// DefaultBlendWeight is how strongly BlendVibes moves towards a partial
// vibe unless told otherwise (the reference default).
const DefaultBlendWeight = 0.3

// directionThreshold is the energy change, over three tracks, that counts
// as building or winding down.
const directionThreshold = 0.1

// VibePatch is a partial vibe: nil fields are left alone. It is the body
// of PUT /api/mix/vibe and the input of BlendVibes.
type VibePatch struct {
	BPMRange        *BPMRange        `json:"bpmRange,omitempty"`
	EnergyDirection *EnergyDirection `json:"energyDirection,omitempty"`
	EnergyLevel     *float64         `json:"energyLevel,omitempty"`
	Era             *Era             `json:"era,omitempty"`
	Genres          []string         `json:"genres,omitempty"`
	Mood            []string         `json:"mood,omitempty"`
}

// BlendVibes moves cur towards p by weight w in [0,1] (1 = take p's
// values). Energy level and the BPM window are interpolated, so w = 1
// replaces them and the user can narrow the window; the direction is
// replaced; the era is widened to cover both; genres and moods are merged
// (current first) and capped at five, though entries already present
// are never dropped.
func BlendVibes(cur Vibe, p VibePatch, w float64) Vibe {
	w = clamp(w, 0, 1)
	out := cur.Clone()
	if p.EnergyLevel != nil && finite(*p.EnergyLevel) {
		out.EnergyLevel = ClampEnergyLevel(cur.EnergyLevel*(1-w) + *p.EnergyLevel*w)
	}
	if p.EnergyDirection != nil && p.EnergyDirection.Valid() {
		out.EnergyDirection = *p.EnergyDirection
	}
	if p.BPMRange != nil {
		out.BPMRange = blendRange(cur.BPMRange, p.BPMRange.normalized(), w)
	}
	if p.Era != nil {
		e := p.Era.normalized()
		out.Era = Era{Start: min(cur.Era.Start, e.Start), End: max(cur.Era.End, e.End)}
	}
	if p.Genres != nil {
		out.Genres = firstN(mergeUnique(cur.Genres, p.Genres), max(maxBlendTags, len(cur.Genres)))
	}
	if p.Mood != nil {
		out.Mood = firstN(mergeUnique(cur.Mood, p.Mood), max(maxBlendTags, len(cur.Mood)))
	}
	return out
}

// blendRange interpolates both ends and rounds them to whole BPM.
func blendRange(cur, next BPMRange, w float64) BPMRange {
	return BPMRange{
		Min: jsRound(cur.Min*(1-w) + next.Min*w),
		Max: jsRound(cur.Max*(1-w) + next.Max*w),
	}.normalized()
}

// UpdateVibeFromTrack folds a played track into the vibe. previous is the
// history before this track, newest first. The level moves 30 % towards
// the track's energy, the BPM window widens to include its tempo, and the
// direction is re-detected from the last three tracks' energies — but only
// when all three are known; otherwise the current direction stays (the
// reference reset it to steady on every track).
func UpdateVibeFromTrack(v Vibe, played PlayedTrack, previous []PlayedTrack) Vibe {
	out := v.Clone()
	if played.Energy != nil {
		trackLevel := jsRound(*played.Energy * 10)
		out.EnergyLevel = ClampEnergyLevel(0.7*v.EnergyLevel + 0.3*trackLevel)
	}
	if d, ok := detectDirection(played, previous); ok {
		out.EnergyDirection = d
	}
	if played.BPM != nil && finite(*played.BPM) {
		b := clamp(*played.BPM, MinBPM, MaxBPM)
		out.BPMRange = BPMRange{
			Min: math.Max(MinBPM, math.Min(v.BPMRange.Min, b)),
			Max: math.Min(MaxBPM, math.Max(v.BPMRange.Max, b)),
		}
	}
	return out
}

// detectDirection compares the new track's energy with the energy two
// tracks back. ok is false when fewer than three energies are known.
func detectDirection(played PlayedTrack, previous []PlayedTrack) (EnergyDirection, bool) {
	if len(previous) < 2 || played.Energy == nil || previous[0].Energy == nil || previous[1].Energy == nil {
		return "", false
	}
	diff := *played.Energy - *previous[1].Energy
	switch {
	case diff > directionThreshold:
		return Building, true
	case diff < -directionThreshold:
		return WindingDown, true
	default:
		return Steady, true
	}
}

// mergeUnique appends the entries of add that are not yet in base,
// keeping order and dropping blanks and duplicates.
func mergeUnique(base, add []string) []string {
	out := make([]string, 0, len(base)+len(add))
	seen := make(map[string]bool, len(base)+len(add))
	for _, list := range [][]string{base, add} {
		for _, s := range list {
			if s == "" || seen[s] {
				continue
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// firstN keeps at most n leading entries.
func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// lastN keeps at most n trailing entries.
func lastN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
