package sim

import (
	"regexp"
	"strconv"
	"strings"
)

// Prompt detection. A prompt is a steering request when it carries the
// marker line "STEER: <direction>", or, with no tools offered, when it
// asks for vibe JSON with an energyLevel the way the reference's steer
// prompts do. It asks for track suggestions with "SUGGEST:" or when it
// wants JSON tracks with artist, name and reason.
var (
	steerMarkerRE   = regexp.MustCompile(`(?m)^\s*STEER:\s*(.+)$`)
	suggestMarkerRE = regexp.MustCompile(`(?m)^\s*SUGGEST:`)
	tracksShapeRE   = regexp.MustCompile(`(?is)"?tracks"?\s*:\s*\[\s*\{[^\]]{0,300}?\bartist\b`)
	directionRE     = regexp.MustCompile(`(?im)^\s*(?:user |listener |steering )?(?:direction|request|instruction|steer)\s*:\s*(.+)$`)
	quotedRE        = regexp.MustCompile(`"([^"\n]{1,500})"`)
	energyRE        = regexp.MustCompile(`(?i)energy[ _]?level"?\s*[:=]\s*(\d+(?:\.\d+)?)|energy:\s*(\d+(?:\.\d+)?)\s*/\s*10`)
)

func isSteerPrompt(text string, toolsOffered bool) bool {
	if steerMarkerRE.MatchString(text) {
		return true
	}
	lt := strings.ToLower(text)
	return !toolsOffered && strings.Contains(lt, "json") &&
		(strings.Contains(lt, "energylevel") || strings.Contains(lt, "energy level")) &&
		(strings.Contains(lt, "vibe") || strings.Contains(lt, "steer"))
}

// isSuggestPrompt is checked before isSteerPrompt: a suggestion prompt
// also shows the vibe. The {"tracks":[{"artist"…}]} shape decides; in
// prose, the words json, tracks, artist and reason must all appear and
// the prompt must not read as a steering one.
func isSuggestPrompt(text string, toolsOffered bool) bool {
	if suggestMarkerRE.MatchString(text) {
		return true
	}
	if toolsOffered {
		return false
	}
	if tracksShapeRE.MatchString(text) {
		return true
	}
	words := wordSet(wordsOf(text)...)
	return words["json"] && words["tracks"] && words["artist"] && words["reason"] && !isSteerPrompt(text, false)
}

// steerDirection finds the listener's words in a steering prompt: the
// marker, a labelled line, the first quoted phrase outside JSON, or the
// whole message without its JSON.
func steerDirection(userText, system string) string {
	for _, t := range []string{userText, system} {
		if m := steerMarkerRE.FindStringSubmatch(t); m != nil {
			return trimQuotes(m[1])
		}
	}
	if m := directionRE.FindStringSubmatch(userText); m != nil {
		return trimQuotes(m[1])
	}
	plain := stripJSON(userText)
	if m := quotedRE.FindStringSubmatch(plain); m != nil {
		return m[1]
	}
	return strings.TrimSpace(plain)
}

// currentEnergy reads the current vibe's energy level from a prompt
// (`"energyLevel": 5` or "Energy: 5/10"); 5 when absent.
func currentEnergy(text string) int {
	m := energyRE.FindStringSubmatch(text)
	if m == nil {
		return 5
	}
	s := m[1]
	if s == "" {
		s = m[2]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 5
	}
	return min(max(int(f+0.5), 1), 10)
}
