package mix

import (
	"encoding/json"
	"math"
	"strings"
)

// Vibe bounds, from the reference schema. BPM bounds are also the limits
// every stored BPM value must respect.
const (
	MinBPM          = 20
	MaxBPM          = 220
	MinEnergyLevel  = 1
	MaxEnergyLevel  = 10
	MinEraYear      = 1900
	MaxEraYear      = 2100
	MaxVibeTags     = 10 // genres or moods kept after steering
	maxBlendTags    = 5  // genres or moods kept by BlendVibes (reference rule)
	defaultBPMLow   = 80
	defaultBPMHigh  = 140
	defaultEraStart = 2000
	defaultEraEnd   = 2025
	defaultEnergy   = 5
)

// EnergyDirection says where the set is heading; prompts and suggestion
// scoring use it.
type EnergyDirection string

// The three directions the contract allows.
const (
	Building    EnergyDirection = "building"
	Steady      EnergyDirection = "steady"
	WindingDown EnergyDirection = "winding_down"
)

// Valid reports whether d is one of the three contract values.
func (d EnergyDirection) Valid() bool {
	return d == Building || d == Steady || d == WindingDown
}

// BPMRange is the tempo window the DJ aims for.
type BPMRange struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Mid is the centre of the window, the target of BPM scoring.
func (r BPMRange) Mid() float64 { return (r.Min + r.Max) / 2 }

// Validate checks both ends lie in [MinBPM, MaxBPM] and min ≤ max.
func (r BPMRange) Validate() error {
	if !validBPMValue(r.Min) {
		return invalid("min", "must be between %d and %d", MinBPM, MaxBPM)
	}
	if !validBPMValue(r.Max) {
		return invalid("max", "must be between %d and %d", MinBPM, MaxBPM)
	}
	if r.Min > r.Max {
		return invalid("min", "must not exceed max")
	}
	return nil
}

// normalized clamps both ends to the schema bounds and orders them, so a
// careless caller (or model) cannot store an unusable range.
func (r BPMRange) normalized() BPMRange {
	lo := clamp(r.Min, MinBPM, MaxBPM)
	hi := clamp(r.Max, MinBPM, MaxBPM)
	return BPMRange{Min: math.Min(lo, hi), Max: math.Max(lo, hi)}
}

// Era is the span of release years the DJ aims for.
type Era struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Validate checks both years lie in [MinEraYear, MaxEraYear] and start ≤ end.
func (e Era) Validate() error {
	if e.Start < MinEraYear || e.Start > MaxEraYear {
		return invalid("start", "must be between %d and %d", MinEraYear, MaxEraYear)
	}
	if e.End < MinEraYear || e.End > MaxEraYear {
		return invalid("end", "must be between %d and %d", MinEraYear, MaxEraYear)
	}
	if e.Start > e.End {
		return invalid("start", "must not exceed end")
	}
	return nil
}

// normalized clamps and orders the years.
func (e Era) normalized() Era {
	a := clampInt(e.Start, MinEraYear, MaxEraYear)
	b := clampInt(e.End, MinEraYear, MaxEraYear)
	return Era{Start: min(a, b), End: max(a, b)}
}

// Contains reports whether year lies inside the era.
func (e Era) Contains(year int) bool { return year >= e.Start && year <= e.End }

// Vibe (the contract's VibeProfile) is what the listener wants to hear
// now; suggestions are scored against it and steering edits it.
type Vibe struct {
	BPMRange        BPMRange        `json:"bpmRange"`
	EnergyDirection EnergyDirection `json:"energyDirection"`
	EnergyLevel     float64         `json:"energyLevel"`
	Era             Era             `json:"era"`
	Genres          []string        `json:"genres"`
	Mood            []string        `json:"mood"`
}

// DefaultVibe is the profile of a fresh session before seeding.
func DefaultVibe() Vibe {
	return Vibe{
		BPMRange:        BPMRange{Min: defaultBPMLow, Max: defaultBPMHigh},
		EnergyDirection: Steady,
		EnergyLevel:     defaultEnergy,
		Era:             Era{Start: defaultEraStart, End: defaultEraEnd},
		Genres:          []string{},
		Mood:            []string{},
	}
}

// Validate checks every bound of the contract plus min ≤ max orderings
// and the tag list caps.
func (v Vibe) Validate() error {
	if err := v.BPMRange.Validate(); err != nil {
		return prefixField("bpmRange", err)
	}
	if !v.EnergyDirection.Valid() {
		return invalid("energyDirection", "must be building, steady or winding_down")
	}
	if !finite(v.EnergyLevel) || v.EnergyLevel < MinEnergyLevel || v.EnergyLevel > MaxEnergyLevel {
		return invalid("energyLevel", "must be between %d and %d", MinEnergyLevel, MaxEnergyLevel)
	}
	if err := v.Era.Validate(); err != nil {
		return prefixField("era", err)
	}
	if err := validateTags("genres", v.Genres); err != nil {
		return err
	}
	return validateTags("mood", v.Mood)
}

// validateTags rejects over-long lists and blank entries.
func validateTags(field string, tags []string) error {
	if len(tags) > MaxVibeTags {
		return invalid(field, "at most %d entries", MaxVibeTags)
	}
	for _, t := range tags {
		if strings.TrimSpace(t) == "" {
			return invalid(field, "entries must not be blank")
		}
	}
	return nil
}

// Clone returns a deep copy, so callers can hand a vibe out of an actor.
func (v Vibe) Clone() Vibe {
	v.Genres = cloneSlice(v.Genres)
	v.Mood = cloneSlice(v.Mood)
	return v
}

// MarshalJSON writes nil tag lists as [] to keep the contract's shape.
func (v Vibe) MarshalJSON() ([]byte, error) {
	type plain Vibe
	p := plain(v)
	p.Genres = nonNil(p.Genres)
	p.Mood = nonNil(p.Mood)
	return json.Marshal(p)
}

// ClampEnergyLevel rounds (JavaScript style) and bounds an energy level,
// the rule every energy write goes through.
func ClampEnergyLevel(x float64) float64 {
	if !finite(x) {
		return defaultEnergy
	}
	return clamp(jsRound(x), MinEnergyLevel, MaxEnergyLevel)
}

// energyLabel is the word the prompts use for a level.
func energyLabel(level float64) string {
	switch {
	case level <= 3:
		return "low/chill"
	case level <= 6:
		return "medium"
	default:
		return "high/intense"
	}
}

// Describe renders the vibe as the multi-line text the suggestion and
// steering prompts include.
func (v Vibe) Describe() string {
	var lines []string
	if len(v.Genres) > 0 {
		lines = append(lines, "Genres: "+strings.Join(v.Genres, ", "))
	}
	if len(v.Mood) > 0 {
		lines = append(lines, "Mood: "+strings.Join(v.Mood, ", "))
	}
	lines = append(lines,
		"Energy: "+energyLabel(v.EnergyLevel)+" ("+formatNum(v.EnergyLevel)+"/10, "+string(v.EnergyDirection)+")",
		"BPM range: "+formatNum(v.BPMRange.Min)+"-"+formatNum(v.BPMRange.Max),
		"Era: "+itoa(v.Era.Start)+"-"+itoa(v.Era.End),
	)
	return strings.Join(lines, "\n")
}

// Summary is the one-line form used in the suggestions response
// (basedOn.vibeProfile): "Energy: 6/10 (steady), BPM: 95-128, Genres: any".
func (v Vibe) Summary() string {
	genres := "any"
	if len(v.Genres) > 0 {
		genres = strings.Join(v.Genres, ", ")
	}
	return "Energy: " + formatNum(v.EnergyLevel) + "/10 (" + string(v.EnergyDirection) + "), BPM: " +
		formatNum(v.BPMRange.Min) + "-" + formatNum(v.BPMRange.Max) + ", Genres: " + genres
}

// UnmarshalJSON starts from DefaultVibe, so absent fields take the
// contract's defaults.
func (v *Vibe) UnmarshalJSON(b []byte) error {
	type plain Vibe
	p := plain(DefaultVibe())
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*v = Vibe(p)
	return nil
}
