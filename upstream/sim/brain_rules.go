package sim

import (
	"fmt"
	"strings"
)

// The DJ brain's rules: which words mean what, and the three decisions
// made from them (what a message asks for, the search query, the vibe
// change of a steering request). Everything the simulated model
// "understands" is in these tables, so brain_rules_test.go can show the
// whole behaviour and a developer can predict every answer. How words are
// read is in brain_words.go, how prompts are recognised in brain_prompts.go.

// vibeRule is one phrase a listener or a steering request uses: a relative
// energy change, a direction, moods, a tempo band, an era, and a genre it
// names (genre) or only implies for a search (implies).
type vibeRule struct {
	phrase    string
	energy    int
	direction string
	moods     []string
	bpm       [2]int
	era       [2]int
	genre     string
	implies   string
}

const (
	building    = "building"
	steady      = "steady"
	windingDown = "winding_down"
)

var vibeRules = []vibeRule{
	// more energy
	{phrase: "more energy", energy: 2, direction: building, implies: "techno"},
	{phrase: "high energy", energy: 2, direction: building, implies: "techno"},
	{phrase: "pump it up", energy: 3, direction: building, moods: []string{"energetic", "intense"}, implies: "techno"},
	{phrase: "turn it up", energy: 2, direction: building},
	{phrase: "party", energy: 3, direction: building, moods: []string{"upbeat", "energetic"}, implies: "disco"},
	{phrase: "upbeat", energy: 2, direction: building, moods: []string{"upbeat"}, implies: "house"},
	{phrase: "energetic", energy: 2, direction: building, moods: []string{"energetic"}, implies: "techno"},
	{phrase: "energy", energy: 2, direction: building, implies: "techno"},
	{phrase: "hype", energy: 2, direction: building, implies: "techno"},
	{phrase: "bangers", energy: 3, direction: building, implies: "techno"},
	{phrase: "workout", energy: 2, direction: building, moods: []string{"energetic"}, implies: "techno"},
	{phrase: "dance", energy: 1, moods: []string{"dance"}, implies: "house"},
	{phrase: "happy", energy: 1, moods: []string{"happy"}, implies: "pop"},
	{phrase: "feel good", energy: 1, moods: []string{"happy"}, implies: "pop"},
	{phrase: "heavy", energy: 2, implies: "metal"},
	// less energy
	{phrase: "less energy", energy: -2, direction: windingDown},
	{phrase: "chill out", energy: -2, direction: windingDown},
	{phrase: "chill vibes", energy: -2, direction: windingDown, moods: []string{"chill", "relaxed"}, implies: "ambient"},
	{phrase: "chill", energy: -2, direction: windingDown, moods: []string{"chill"}, implies: "ambient"},
	{phrase: "calm", energy: -2, direction: windingDown, moods: []string{"calm"}, implies: "ambient"},
	{phrase: "relax", energy: -2, direction: windingDown, moods: []string{"relaxed"}, implies: "ambient"},
	{phrase: "relaxing", energy: -2, direction: windingDown, moods: []string{"relaxed"}, implies: "ambient"},
	{phrase: "wind down", energy: -2, direction: windingDown},
	{phrase: "late night", energy: -1, direction: windingDown, moods: []string{"mellow", "atmospheric"}, implies: "ambient"},
	{phrase: "mellow", energy: -1, moods: []string{"mellow"}, implies: "soul"},
	{phrase: "sad", energy: -1, moods: []string{"melancholy"}, implies: "indie"},
	{phrase: "acoustic", energy: -1, implies: "folk"},
	{phrase: "romantic", moods: []string{"romantic"}, implies: "soul"},
	{phrase: "groovy", moods: []string{"groovy"}, implies: "funk"},
	{phrase: "dark", moods: []string{"dark"}, implies: "techno"},
	{phrase: "summer", moods: []string{"summer"}, implies: "latin"},
	// tempo
	{phrase: "speed it up", energy: 2, bpm: [2]int{120, 160}},
	{phrase: "speed up", energy: 2, bpm: [2]int{120, 160}},
	{phrase: "faster", energy: 2, bpm: [2]int{120, 160}, implies: "drum and bass"},
	{phrase: "slow it down", energy: -2, bpm: [2]int{60, 100}},
	{phrase: "slow down", energy: -2, bpm: [2]int{60, 100}},
	{phrase: "slower", energy: -2, bpm: [2]int{60, 100}, implies: "r&b"},
	{phrase: "keep it steady", direction: steady},
	{phrase: "steady", direction: steady},
	// eras (decades like "90s" or "1990s" and single years are read by decadeOf)
	{phrase: "throwback", era: [2]int{1990, 1999}},
	{phrase: "retro", era: [2]int{1970, 1995}},
	{phrase: "old school", era: [2]int{1970, 1995}},
	{phrase: "oldies", era: [2]int{1960, 1979}},
	{phrase: "modern", era: [2]int{2018, 2025}},
	{phrase: "recent", era: [2]int{2018, 2025}},
	{phrase: "fresh", era: [2]int{2020, 2025}},
	{phrase: "something new", era: [2]int{2020, 2025}},
	{phrase: "new music", era: [2]int{2020, 2025}},
	{phrase: "latest", era: [2]int{2020, 2025}},
}

// genreAliases maps what people say to the catalog's genre names; every
// catalog genre also matches itself (see genreOf).
var genreAliases = map[string]string{
	"hip hop": "hip hop", "hiphop": "hip hop", "rap": "hip hop",
	"drum & bass": "drum and bass", "drum n bass": "drum and bass", "dnb": "drum and bass", "jungle": "drum and bass",
	"rnb": "r&b", "r and b": "r&b",
	"edm": "electronic", "electronica": "electronic", "electro": "electronic",
	"synth": "synthwave", "synthpop": "synthwave", "retrowave": "synthwave",
	"reggaeton": "latin", "salsa": "latin",
	"orchestral":  "classical",
	"heavy metal": "metal",
	"alternative": "indie", "indie rock": "indie",
	"jazzy": "jazz", "funky": "funk", "soulful": "soul",
	"deep house": "house", "classic rock": "rock",
}

// stopWords are request words that carry no search meaning.
var stopWords = wordSet("play", "queue", "add", "put", "on", "some", "something", "anything", "me", "a", "an", "the",
	"please", "i", "id", "im", "want", "wanna", "need", "to", "listen", "hear", "give", "spin", "throw", "from", "of",
	"with", "for", "and", "or", "in", "by", "more", "bit", "little", "track", "tracks", "song", "songs", "music", "tune",
	"tunes", "can", "could", "you", "would", "like", "lets", "let", "us", "go", "get", "it", "this", "that", "up", "now",
	"next", "vibe", "vibes", "mood", "kind", "sort", "really", "very", "just", "maybe", "also", "again", "similar", "dj",
	"hey", "yo", "ok", "okay", "era", "style", "genre", "beats", "drop", "bring", "find", "search", "recommend",
	"suggest", "switch", "change", "into", "my", "our", "we", "be", "is", "are", "was", "s", "good", "nice", "great", "cool",
	"tonight", "today", "right", "here", "there", "will", "shall", "should", "do", "does", "what", "about", "how")

// playVerbs make a message a request for music even when phrased as a
// question ("can you play some jazz?").
var playVerbs = wordSet("play", "queue", "add", "put", "spin", "throw", "give", "want", "wanna", "need", "hear", "more",
	"something", "switch", "change", "lets", "drop", "bring", "find", "recommend", "suggest")

var questionWords = wordSet("what", "why", "who", "how", "when", "where", "which", "do", "does", "did", "is", "are",
	"was", "can", "could", "would", "should", "tell")

// controlPhrases are whole messages (after filler words) that are playback
// commands, mapped to control_playback's action.
var controlPhrases = map[string]string{
	"skip": "next", "next": "next", "skip ahead": "next",
	"pause": "pause", "stop": "pause", "hold on": "pause",
	"resume": "play", "unpause": "play", "play": "play", "continue": "play", "keep playing": "play",
	"previous": "previous", "back": "previous", "go back": "previous", "last one": "previous",
}

var controlFiller = wordSet("please", "dj", "hey", "can", "you", "the", "this", "that", "track", "song", "it", "one",
	"music", "now", "ok", "okay", "just", "to", "a")

// nowPlayingPhrases and queuePhrases are questions answered from a tool.
var nowPlayingPhrases = []string{"whats playing", "what is playing", "now playing", "what song is this",
	"what is this song", "whats this song", "what track is this", "currently playing", "current track", "current song"}

var queuePhrases = []string{"whats in the queue", "what is in the queue", "whats queued", "what is queued",
	"show the queue", "show queue", "show me the queue", "whats next", "what is next", "up next", "queue look"}

// intentKind is what a user message asks for.
type intentKind int

const (
	intentChat intentKind = iota
	intentPlay
	intentControl
	intentNowPlaying
	intentQueue
)

type intent struct {
	kind   intentKind
	action string // control_playback action for intentControl
	vibe   vibe
}

// classify reads a user message.
func classify(text string) intent {
	toks := wordsOf(text)
	v := parseVibe(text)
	if action, ok := controlAction(toks); ok {
		return intent{kind: intentControl, action: action, vibe: v}
	}
	joined := " " + strings.Join(toks, " ") + " "
	for _, p := range nowPlayingPhrases {
		if strings.Contains(joined, " "+p+" ") {
			return intent{kind: intentNowPlaying, vibe: v}
		}
	}
	for _, p := range queuePhrases {
		if strings.Contains(joined, " "+p+" ") {
			return intent{kind: intentQueue, vibe: v}
		}
	}
	for _, t := range toks {
		if playVerbs[t] {
			return intent{kind: intentPlay, vibe: v}
		}
	}
	if !v.empty() && !isQuestion(text, toks) {
		return intent{kind: intentPlay, vibe: v}
	}
	return intent{kind: intentChat, vibe: v}
}

func controlAction(toks []string) (string, bool) {
	var kept []string
	for _, t := range toks {
		if !controlFiller[t] {
			kept = append(kept, t)
		}
	}
	action, ok := controlPhrases[strings.Join(kept, " ")]
	return action, ok
}

func isQuestion(text string, toks []string) bool {
	return strings.HasSuffix(strings.TrimSpace(text), "?") || (len(toks) > 0 && questionWords[toks[0]])
}

// searchQuery turns a vibe into a query in Spotify's search syntax: a
// genre filter (named, else implied by a mood), a year range, and free
// text only when there is no filter (free text must match names).
func searchQuery(v vibe) string {
	var parts []string
	genre := firstOr(v.genres, firstOr(v.implied, ""))
	if genre != "" {
		if strings.Contains(genre, " ") {
			genre = `"` + genre + `"`
		}
		parts = append(parts, "genre:"+genre)
	}
	switch {
	case v.era == [2]int{}:
	case v.era[0] == v.era[1]:
		parts = append(parts, fmt.Sprintf("year:%d", v.era[0]))
	default:
		parts = append(parts, fmt.Sprintf("year:%d-%d", v.era[0], v.era[1]))
	}
	if len(parts) == 0 && len(v.words) > 0 {
		parts = v.words
	}
	if len(parts) == 0 {
		return "genre:pop"
	}
	return strings.Join(parts, " ")
}

// vibeChange is the JSON a steering prompt asks the model for
// (anchor-domain.md §2.9): energyLevel absolute 1–10, a direction, genres
// and moods, and era/bpmRange to replace. Absent fields mean no change.
type vibeChange struct {
	EnergyLevel     *int      `json:"energyLevel,omitempty"`
	EnergyDirection string    `json:"energyDirection,omitempty"`
	Genres          []string  `json:"genres,omitempty"`
	Mood            []string  `json:"mood,omitempty"`
	Era             *yearSpan `json:"era,omitempty"`
	BPMRange        *bpmSpan  `json:"bpmRange,omitempty"`
}

type yearSpan struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

type bpmSpan struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// steerChange derives the change from a direction's words and the
// current energy level; relative energy is capped at ±3 like the
// reference's prompt asks.
func steerChange(direction string, currentEnergy int) vibeChange {
	v := parseVibe(direction)
	var c vibeChange
	if v.energy != 0 {
		level := min(max(currentEnergy+min(max(v.energy, -3), 3), 1), 10)
		c.EnergyLevel = &level
	}
	c.EnergyDirection = v.direction
	if c.EnergyDirection == "" && v.energy > 0 {
		c.EnergyDirection = building
	} else if c.EnergyDirection == "" && v.energy < 0 {
		c.EnergyDirection = windingDown
	}
	c.Genres, c.Mood = v.genres, v.moods
	if v.era != [2]int{} {
		c.Era = &yearSpan{Start: v.era[0], End: v.era[1]}
	}
	if v.bpm != [2]int{} {
		c.BPMRange = &bpmSpan{Min: v.bpm[0], Max: v.bpm[1]}
	}
	return c
}
