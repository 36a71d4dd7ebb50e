package mix

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Steering constants.
const (
	// DefaultIntensity is the steer intensity that applies a preset as
	// written; 1–10 scales its energy change proportionally.
	DefaultIntensity = 5
	maxIntensity     = 10
	// minPartialMatch is the shortest input (in bytes) that may match a
	// preset it is only part of ("chill" → "chill out"). The reference
	// matched any substring both ways, so "a" or " " picked a preset.
	minPartialMatch = 5
	maxEnergyChange = 9
)

// Adjustment is a requested change to the vibe, from a preset or a
// model's reply. Nil and empty fields mean "leave alone"; genres and
// moods are added to the current lists.
type Adjustment struct {
	EnergyLevel     *float64        `json:"energyLevel,omitempty"`  // absolute, 1–10
	EnergyChange    *float64        `json:"energyChange,omitempty"` // relative, added to the level
	EnergyDirection EnergyDirection `json:"energyDirection,omitempty"`
	Era             *Era            `json:"era,omitempty"`
	BPMRange        *BPMRange       `json:"bpmRange,omitempty"`
	Genres          []string        `json:"genres,omitempty"`
	Mood            []string        `json:"mood,omitempty"`
}

// Empty reports whether the adjustment would change nothing.
func (a Adjustment) Empty() bool {
	return a.EnergyLevel == nil && a.EnergyChange == nil && a.EnergyDirection == "" &&
		a.Era == nil && a.BPMRange == nil && len(a.Genres) == 0 && len(a.Mood) == 0
}

// Scaled scales the relative energy change by intensity/5, so the
// request's intensity (ignored by the reference) has an effect;
// out-of-range intensities count as the default.
func (a Adjustment) Scaled(intensity int) Adjustment {
	if intensity < 1 || intensity > maxIntensity {
		intensity = DefaultIntensity
	}
	if a.EnergyChange != nil {
		a.EnergyChange = ptr(*a.EnergyChange * float64(intensity) / DefaultIntensity)
	}
	return a
}

// ApplyAdjustment returns the vibe with the adjustment applied: the
// absolute level, then the relative change, both rounded and clamped to
// 1–10; direction, era and BPM window replaced (clamped and ordered);
// genres and moods merged, keeping the newest MaxVibeTags.
func ApplyAdjustment(v Vibe, a Adjustment) Vibe {
	out := v.Clone()
	if a.EnergyLevel != nil && finite(*a.EnergyLevel) {
		out.EnergyLevel = ClampEnergyLevel(*a.EnergyLevel)
	}
	if a.EnergyChange != nil && finite(*a.EnergyChange) {
		out.EnergyLevel = ClampEnergyLevel(out.EnergyLevel + *a.EnergyChange)
	}
	if a.EnergyDirection.Valid() {
		out.EnergyDirection = a.EnergyDirection
	}
	if a.Era != nil {
		out.Era = a.Era.normalized()
	}
	if a.BPMRange != nil {
		out.BPMRange = a.BPMRange.normalized()
	}
	if len(a.Genres) > 0 {
		out.Genres = cloneSlice(lastN(mergeUnique(v.Genres, a.Genres), MaxVibeTags))
	}
	if len(a.Mood) > 0 {
		out.Mood = cloneSlice(lastN(mergeUnique(v.Mood, a.Mood), MaxVibeTags))
	}
	return out
}

// Preset is a named, fixed steering move ("more energy", "go retro", …).
type Preset struct {
	Name string `json:"name"`
	Adjustment
}

// Presets lists the steering presets in matching order.
func Presets() []Preset {
	delta := func(d float64) *float64 { return ptr(d) }
	return []Preset{
		{"80s vibes", Adjustment{Era: &Era{1980, 1989}, Genres: []string{"synthpop", "new wave"}}},
		{"90s throwback", Adjustment{Era: &Era{1990, 1999}}},
		{"chill out", Adjustment{EnergyChange: delta(-2), EnergyDirection: WindingDown}},
		{"chill vibes", Adjustment{EnergyChange: delta(-2), EnergyDirection: WindingDown, Mood: []string{"chill", "relaxed"}}},
		{"go retro", Adjustment{Era: &Era{1970, 1995}}},
		{"indie mood", Adjustment{Genres: []string{"indie", "indie rock", "alternative"}, Mood: []string{"introspective"}}},
		{"late night", Adjustment{EnergyChange: delta(-1), EnergyDirection: WindingDown, Mood: []string{"mellow", "atmospheric"}}},
		{"modern hits", Adjustment{Era: &Era{2018, 2025}}},
		{"more energy", Adjustment{EnergyChange: delta(2), EnergyDirection: Building}},
		{"party mode", Adjustment{EnergyChange: delta(3), EnergyDirection: Building, Mood: []string{"upbeat", "energetic"}}},
		{"pump it up", Adjustment{EnergyChange: delta(3), EnergyDirection: Building, Mood: []string{"energetic", "intense"}}},
		{"slow it down", Adjustment{EnergyChange: delta(-2), BPMRange: &BPMRange{60, 100}}},
		{"something fresh", Adjustment{Era: &Era{2020, 2025}}},
		{"speed it up", Adjustment{EnergyChange: delta(2), BPMRange: &BPMRange{120, 160}}},
	}
}

// FindPreset matches free text to a preset: an exact name (ignoring case,
// spacing and punctuation) wins; then the first preset whose words appear
// in the text in order ("lets go retro baby"); then, for inputs of at
// least five characters, the first preset containing the text's words
// ("chill" → "chill out").
func FindPreset(text string) (Preset, bool) {
	words := presetWords(text)
	if len(words) == 0 {
		return Preset{}, false
	}
	all := Presets()
	joined := strings.Join(words, " ")
	for _, p := range all {
		if p.Name == joined {
			return p, true
		}
	}
	for _, p := range all {
		if containsRun(words, strings.Fields(p.Name)) {
			return p, true
		}
	}
	if len(joined) < minPartialMatch {
		return Preset{}, false
	}
	for _, p := range all {
		if containsRun(strings.Fields(p.Name), words) {
			return p, true
		}
	}
	return Preset{}, false
}

// presetWords lower-cases text and splits it into letter/digit words.
func presetWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// containsRun reports whether run occurs as consecutive words of words.
func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		if slices.Equal(words[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// SteerWithPreset applies the preset matching direction, scaled by
// intensity. ok is false when no preset matches (the caller then asks a
// model, see SteerPrompt and ParseAdjustment).
func SteerWithPreset(v Vibe, direction string, intensity int) (next Vibe, changes []string, ok bool) {
	p, ok := FindPreset(direction)
	if !ok {
		return v, []string{}, false
	}
	next = ApplyAdjustment(v, p.Adjustment.Scaled(intensity))
	return next, DescribeChanges(v, next), true
}

// DescribeChanges lists what changed between two vibes in the contract's
// phrasing: "Energy: 5/10 → 7/10", "Direction: steady → building",
// "Era: 2000-2025 → 1980-1989", "BPM: 80-140 → 60-100",
// "Added genres: …", "Added moods: …".
func DescribeChanges(before, after Vibe) []string {
	out := []string{}
	if before.EnergyLevel != after.EnergyLevel {
		out = append(out, "Energy: "+formatNum(before.EnergyLevel)+"/10 → "+formatNum(after.EnergyLevel)+"/10")
	}
	if before.EnergyDirection != after.EnergyDirection {
		out = append(out, "Direction: "+string(before.EnergyDirection)+" → "+string(after.EnergyDirection))
	}
	if before.Era != after.Era {
		out = append(out, "Era: "+eraText(before.Era)+" → "+eraText(after.Era))
	}
	if before.BPMRange != after.BPMRange {
		out = append(out, "BPM: "+rangeText(before.BPMRange)+" → "+rangeText(after.BPMRange))
	}
	if added := newEntries(before.Genres, after.Genres); len(added) > 0 {
		out = append(out, "Added genres: "+strings.Join(added, ", "))
	}
	if added := newEntries(before.Mood, after.Mood); len(added) > 0 {
		out = append(out, "Added moods: "+strings.Join(added, ", "))
	}
	return out
}

// eraText renders "start-end".
func eraText(e Era) string { return itoa(e.Start) + "-" + itoa(e.End) }

// rangeText renders "min-max".
func rangeText(r BPMRange) string { return formatNum(r.Min) + "-" + formatNum(r.Max) }

// newEntries lists entries of after that are not in before.
func newEntries(before, after []string) []string {
	var out []string
	for _, s := range after {
		if !slices.Contains(before, s) {
			out = append(out, s)
		}
	}
	return out
}

// SteerPrompt is the user prompt that asks a model to turn a free-text
// steering request into an Adjustment; ParseAdjustment reads the reply.
// Keeping both here keeps the field names and their meaning in step
// (the reference let one number mean either an absolute or a relative
// energy level).
func SteerPrompt(v Vibe, direction string) string {
	return fmt.Sprintf(`Current vibe:
%s

The listener asks: %q

Reply with one JSON object holding only the fields that should change:
- "energyLevel": absolute energy 1-10, or
- "energyChange": relative energy change, -3 to +3
- "energyDirection": "building", "steady" or "winding_down"
- "genres": genres to add (strings)
- "mood": moods to add (strings)
- "era": {"start": year, "end": year}
- "bpmRange": {"min": bpm, "max": bpm}
Return only the JSON object.`, v.Describe(), direction)
}

// ParseAdjustment reads a model's reply (the first "{" to the last "}",
// so code fences and chatter are tolerated) and keeps only well-typed
// fields: numbers in range, a valid direction, era and BPM objects with
// numeric members, and the string items of genres and mood. A reply with
// nothing usable gives ErrNoAdjustment.
func ParseAdjustment(reply string) (Adjustment, error) {
	start, end := strings.IndexByte(reply, '{'), strings.LastIndexByte(reply, '}')
	if start < 0 || end < start {
		return Adjustment{}, fmt.Errorf("%w: no JSON object", ErrNoAdjustment)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(reply[start:end+1]), &raw); err != nil {
		return Adjustment{}, fmt.Errorf("%w: %v", ErrNoAdjustment, err)
	}
	a := Adjustment{
		EnergyLevel:  numberIn(raw["energyLevel"], MinEnergyLevel, MaxEnergyLevel),
		EnergyChange: numberIn(raw["energyChange"], -maxEnergyChange, maxEnergyChange),
		Era:          parseEra(raw["era"]),
		BPMRange:     parseRange(raw["bpmRange"]),
		Genres:       stringItems(raw["genres"]),
		Mood:         stringItems(raw["mood"]),
	}
	var dir EnergyDirection
	if json.Unmarshal(raw["energyDirection"], &dir) == nil && dir.Valid() {
		a.EnergyDirection = dir
	}
	if a.Empty() {
		return Adjustment{}, ErrNoAdjustment
	}
	return a, nil
}

// numberIn decodes a JSON number within [lo, hi]; nil otherwise.
func numberIn(m json.RawMessage, lo, hi float64) *float64 {
	var x float64
	if m == nil || json.Unmarshal(m, &x) != nil || x < lo || x > hi {
		return nil
	}
	return &x
}

// parseEra decodes {"start","end"} with numeric members, rounded to years.
func parseEra(m json.RawMessage) *Era {
	var e struct{ Start, End *float64 }
	if m == nil || json.Unmarshal(m, &e) != nil || e.Start == nil || e.End == nil {
		return nil
	}
	return ptr(Era{Start: int(jsRound(*e.Start)), End: int(jsRound(*e.End))}.normalized())
}

// parseRange decodes {"min","max"} with numeric members.
func parseRange(m json.RawMessage) *BPMRange {
	var r struct{ Min, Max *float64 }
	if m == nil || json.Unmarshal(m, &r) != nil || r.Min == nil || r.Max == nil {
		return nil
	}
	return ptr(BPMRange{Min: *r.Min, Max: *r.Max}.normalized())
}

// stringItems keeps the non-blank string items of a JSON array.
func stringItems(m json.RawMessage) []string {
	var items []any
	if m == nil || json.Unmarshal(m, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if s, ok := it.(string); ok && strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}
