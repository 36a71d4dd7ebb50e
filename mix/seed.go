package mix

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Seeding limits from the reference session start.
const (
	// SeedArtistLookups is how many seed artists have their genres looked up.
	SeedArtistLookups = 10
	// SeedBPMLookups is how many seed tracks are enriched for tempo.
	SeedBPMLookups  = 20
	seedTopGenres   = 5
	seedMinBPMs     = 3
	seedBPMMargin   = 10
	seedDefaultPop  = 50
	popularityScale = 10
)

// SeedTrack is what session start knows about a seed track.
type SeedTrack struct {
	URI         string   `json:"uri"`
	ArtistNames []string `json:"artists"`
	Popularity  *int     `json:"popularity"`
	ReleaseDate string   `json:"releaseDate"`
}

// SeedArtists lists the first SeedArtistLookups distinct artist names of
// the seed, whose genres the caller then looks up.
func SeedArtists(seed []SeedTrack) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range seed {
		for _, a := range t.ArtistNames {
			if a == "" || seen[a] {
				continue
			}
			if len(out) == SeedArtistLookups {
				return out
			}
			seen[a] = true
			out = append(out, a)
		}
	}
	return nonNil(out)
}

// SeedVibe derives a starting vibe from seed tracks, as session start
// does: the five most frequent genres of the looked-up artists
// (artistGenres, one list per artist), an energy level from mean
// popularity, the era spanned by release years, and a BPM window around
// the tempos found (bpms, from the first SeedBPMLookups tracks; needs
// three usable values). It also returns the fallback pool: the
// MaxFallbackPool most popular seed URIs.
func SeedVibe(base Vibe, seed []SeedTrack, artistGenres [][]string, bpms []float64) (Vibe, []string) {
	v := base.Clone()
	if g := topCounts(artistGenres, seedTopGenres); len(g) > 0 {
		v.Genres = g
	}
	v.EnergyLevel = ClampEnergyLevel(meanPopularity(seed) / popularityScale)
	v.Era = seedEra(seed)
	if r, ok := seedRange(bpms); ok {
		v.BPMRange = r
	}
	return v, fallbackPool(seed)
}

// topCounts counts entries across lists and returns the n most frequent,
// ties in first-seen order.
func topCounts(lists [][]string, n int) []string {
	counts := countInOrder(lists)
	out := make([]string, 0, n)
	for _, c := range counts {
		if len(out) == n {
			break
		}
		if strings.TrimSpace(c.Tag) != "" {
			out = append(out, c.Tag)
		}
	}
	return out
}

// meanPopularity averages the known popularities (50 if none known).
func meanPopularity(seed []SeedTrack) float64 {
	sum, n := 0.0, 0
	for _, t := range seed {
		if t.Popularity != nil {
			sum += float64(*t.Popularity)
			n++
		}
	}
	if n == 0 {
		return seedDefaultPop
	}
	return sum / float64(n)
}

// seedEra spans the plausible release years (1900–2100), or the default.
func seedEra(seed []SeedTrack) Era {
	e := Era{Start: math.MaxInt, End: math.MinInt}
	for _, t := range seed {
		y, ok := parseLeadingInt(firstN4(t.ReleaseDate))
		if ok && y >= MinEraYear && y <= MaxEraYear {
			e = Era{Start: min(e.Start, y), End: max(e.End, y)}
		}
	}
	if e.Start > e.End {
		return DefaultVibe().Era
	}
	return e
}

// firstN4 is the first four bytes of a date (its year).
func firstN4(s string) string { return s[:min(4, len(s))] }

// seedRange is the window ±10 around the usable tempos, when there are
// at least three.
func seedRange(bpms []float64) (BPMRange, bool) {
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, b := range bpms {
		if ValidBPM(b) {
			lo, hi, n = math.Min(lo, b), math.Max(hi, b), n+1
		}
	}
	if n < seedMinBPMs {
		return BPMRange{}, false
	}
	return BPMRange{Min: math.Max(MinBPM, lo-seedBPMMargin), Max: math.Min(MaxBPM, hi+seedBPMMargin)}, true
}

// fallbackPool is the URIs of the most popular seed tracks (unknown
// popularity counts as 0, ties keep seed order).
func fallbackPool(seed []SeedTrack) []string {
	sorted := slices.Clone(seed)
	slices.SortStableFunc(sorted, func(a, b SeedTrack) int { return cmp.Compare(popOf(b), popOf(a)) })
	out := []string{}
	for _, t := range sorted {
		if len(out) == MaxFallbackPool {
			break
		}
		if t.URI != "" && !slices.Contains(out, t.URI) {
			out = append(out, t.URI)
		}
	}
	return out
}

// popOf is a seed track's popularity, 0 when unknown.
func popOf(t SeedTrack) int {
	if t.Popularity == nil {
		return 0
	}
	return *t.Popularity
}
