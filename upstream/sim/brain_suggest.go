package sim

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Track suggestions: dj's auto-fill and steering ask the model for real
// tracks as {"tracks":[{"artist","name","reason"}]} and resolve them with
// Spotify search. The brain answers from the catalog, so every suggestion
// resolves, and avoids tracks the prompt already names (history, queue).

const (
	defaultSuggestions = 5
	maxSuggestions     = 20
)

var (
	countRE   = regexp.MustCompile(`(?i)\b(\d{1,2})\s+(?:\w+\s+){0,2}(?:tracks|songs)\b`)
	eraSpanRE = regexp.MustCompile(`(?i)\bera\b[^0-9]{0,30}(\d{4})[^0-9]{1,20}(\d{4})`)
	bpmSpanRE = regexp.MustCompile(`(?i)\bbpm[^0-9]{0,30}(\d{2,3})[^0-9]{1,20}(\d{2,3})`)
)

type suggestedTrack struct {
	Artist string `json:"artist"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// suggest answers a suggestion prompt with catalog tracks that fit the
// genres, era and tempo it mentions, relaxing the filters until enough
// match. The same prompt always gets the same tracks.
func (b *brain) suggest(prompt string) string {
	n := defaultSuggestions
	if m := countRE.FindStringSubmatch(prompt); m != nil {
		if k, err := strconv.Atoi(m[1]); err == nil && k > 0 {
			n = min(k, maxSuggestions)
		}
	}
	v := parseVibe(prompt)
	genres := v.genres
	if len(genres) == 0 {
		genres = v.implied
	}
	era, bpm := spanOf(eraSpanRE, prompt, v.era), spanOf(bpmSpanRE, prompt, v.bpm)
	lower := strings.ToLower(prompt)
	filters := []func(*Track) bool{
		func(t *Track) bool { return inGenres(t, genres) && inSpan(t.Year, era) && inSpan(int(t.BPM), bpm) },
		func(t *Track) bool { return inGenres(t, genres) && inSpan(t.Year, era) },
		func(t *Track) bool { return inGenres(t, genres) },
		func(*Track) bool { return true },
	}
	var picks []suggestedTrack
	for _, keep := range filters {
		picks = b.pick(keep, n, lower)
		if len(picks) >= n {
			break
		}
	}
	return string(marshalCompact(struct {
		Tracks []suggestedTrack `json:"tracks"`
	}{picks}))
}

// pick chooses up to n popular tracks that keep accepts, one per artist,
// starting at an offset derived from the prompt so different prompts
// get different picks.
func (b *brain) pick(keep func(*Track) bool, n int, lowerPrompt string) []suggestedTrack {
	var pool []int
	for i := range b.cat.Tracks {
		if keep(&b.cat.Tracks[i]) {
			pool = append(pool, i)
		}
	}
	sort.SliceStable(pool, func(x, y int) bool { return b.cat.Tracks[pool[x]].Popularity > b.cat.Tracks[pool[y]].Popularity })
	if len(pool) > 8*n {
		pool = pool[:8*n]
	}
	out := []suggestedTrack{}
	if len(pool) == 0 {
		return out
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(lowerPrompt))
	start := int(h.Sum32() % uint32(len(pool)))
	artists := map[int]bool{}
	for k := 0; k < len(pool) && len(out) < n; k++ {
		t := &b.cat.Tracks[pool[(start+k)%len(pool)]]
		if artists[t.Artist] || strings.Contains(lowerPrompt, strings.ToLower(t.Name)) {
			continue
		}
		artists[t.Artist] = true
		out = append(out, suggestedTrack{
			Artist: b.cat.Artists[t.Artist].Name,
			Name:   t.Name,
			Reason: fmt.Sprintf("%s at %.0f BPM from %d keeps the flow", t.Genre, t.BPM, t.Year),
		})
	}
	return out
}

func spanOf(re *regexp.Regexp, text string, fallback [2]int) [2]int {
	m := re.FindStringSubmatch(text)
	if m == nil {
		return fallback
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return [2]int{min(a, b), max(a, b)}
}

func inSpan(v int, span [2]int) bool {
	return span == [2]int{} || (v >= span[0] && v <= span[1])
}

func inGenres(t *Track, genres []string) bool {
	if len(genres) == 0 {
		return true
	}
	for _, g := range genres {
		if t.Genre == g {
			return true
		}
	}
	return false
}
