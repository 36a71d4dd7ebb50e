package sim

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// How the brain reads words: tokens, the longest known phrase at each
// word, genres and decades. The vocabulary itself is in brain_rules.go.

// vibe is what parseVibe found in a text.
type vibe struct {
	energy    int
	direction string
	moods     []string
	bpm       [2]int
	era       [2]int
	genres    []string // named
	implied   []string // implied by moods
	words     []string // unmatched content words, for free-text search
}

func (v vibe) empty() bool {
	return v.energy == 0 && v.direction == "" && len(v.moods) == 0 && v.bpm == [2]int{} && v.era == [2]int{} &&
		len(v.genres) == 0 && len(v.implied) == 0
}

// parseVibe matches the longest known phrase at each word.
func parseVibe(text string) vibe {
	toks := wordsOf(text)
	var v vibe
	for i := 0; i < len(toks); {
		if n, r := longestRule(toks[i:]); n > 0 {
			v.apply(r)
			i += n
			continue
		}
		if n, g := genreOf(toks[i:]); n > 0 {
			v.genres = appendUnique(v.genres, g)
			i += n
			continue
		}
		if era, ok := decadeOf(toks[i]); ok {
			v.era = era
		} else if !stopWords[toks[i]] {
			v.words = append(v.words, toks[i])
		}
		i++
	}
	return v
}

func (v *vibe) apply(r vibeRule) {
	v.energy += r.energy
	if r.direction != "" {
		v.direction = r.direction
	}
	for _, m := range r.moods {
		v.moods = appendUnique(v.moods, m)
	}
	if r.bpm != [2]int{} {
		v.bpm = r.bpm
	}
	if r.era != [2]int{} {
		v.era = r.era
	}
	if r.genre != "" {
		v.genres = appendUnique(v.genres, r.genre)
	}
	if r.implies != "" {
		v.implied = appendUnique(v.implied, r.implies)
	}
}

func longestRule(toks []string) (int, vibeRule) {
	best, bestRule := 0, vibeRule{}
	for _, r := range vibeRules {
		if n := prefixLen(toks, r.phrase); n > best {
			best, bestRule = n, r
		}
	}
	return best, bestRule
}

// genreOf matches a catalog genre name or an alias at the start of toks.
func genreOf(toks []string) (int, string) {
	best, genre := 0, ""
	for _, spec := range genreSpecs {
		if n := prefixLen(toks, spec.name); n > best {
			best, genre = n, spec.name
		}
	}
	for alias, g := range genreAliases {
		if n := prefixLen(toks, alias); n > best || (n == best && n > 0 && g < genre) {
			best, genre = n, g
		}
	}
	return best, genre
}

// prefixLen is the number of words of phrase (lowercase words separated
// by single spaces) when toks starts with it, else 0.
func prefixLen(toks []string, phrase string) int {
	n := 0
	for rest := phrase; rest != ""; n++ {
		w, r, _ := strings.Cut(rest, " ")
		if n >= len(toks) || toks[n] != w {
			return 0
		}
		rest = r
	}
	return n
}

var (
	decadeRE = regexp.MustCompile(`^(19|20)?([0-9])0s$`)
	yearRE   = regexp.MustCompile(`^(19[5-9][0-9]|20[0-2][0-9])$`)
)

// decadeOf reads "90s", "1990s", "2000s", "00s" and single years.
func decadeOf(tok string) ([2]int, bool) {
	if m := yearRE.FindStringSubmatch(tok); m != nil {
		y, _ := strconv.Atoi(m[1])
		return [2]int{y, y}, true
	}
	m := decadeRE.FindStringSubmatch(tok)
	if m == nil {
		return [2]int{}, false
	}
	d, _ := strconv.Atoi(m[2])
	century := 1900
	switch {
	case m[1] == "20", m[1] == "" && d <= 2:
		century = 2000
	case m[1] == "" && d < 5:
		return [2]int{}, false // "30s" is more likely an age than a decade
	}
	start := century + 10*d
	return [2]int{start, min(start+9, 2025)}, true
}

// tokens lowercases text, drops apostrophes ("what's" → "whats") and
// splits on anything but letters, digits and '&' (kept for "r&b").
func wordsOf(text string) []string {
	text = strings.NewReplacer("'", "", "’", "").Replace(strings.ToLower(text))
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '&')
	})
}

func stripJSON(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '{':
			depth++
		case r == '}' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func trimQuotes(s string) string {
	return strings.Trim(strings.TrimSpace(s), `"'“”`)
}

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func firstOr(list []string, fallback string) string {
	if len(list) == 0 {
		return fallback
	}
	return list[0]
}
