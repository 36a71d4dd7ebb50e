package sim

import (
	"testing"
)

func TestClassifyAndSearchQuery(t *testing.T) {
	tests := []struct {
		text   string
		kind   intentKind
		action string
		query  string
	}{
		{"play something upbeat", intentPlay, "", "genre:house"},
		{"Play some 90s hip-hop", intentPlay, "", `genre:"hip hop" year:1990-1999`},
		{"can you play some drum & bass from 1994?", intentPlay, "", `genre:"drum and bass" year:1994`},
		{"chill vibes from the 2000s please", intentPlay, "", "genre:ambient year:2000-2009"},
		{"something retro and funky", intentPlay, "", "genre:funk year:1970-1995"},
		{"more energy", intentPlay, "", "genre:techno"},
		{"jazz", intentPlay, "", "genre:jazz"},
		{"queue Midnight Rain", intentPlay, "", "midnight rain"},
		{"play something", intentPlay, "", "genre:pop"},
		{"put on some R&B", intentPlay, "", "genre:r&b"},
		{"skip", intentControl, "next", ""},
		{"Skip this track please", intentControl, "next", ""},
		{"pause the music", intentControl, "pause", ""},
		{"go back", intentControl, "previous", ""},
		{"play", intentControl, "play", ""},
		{"What's playing?", intentNowPlaying, "", ""},
		{"what song is this", intentNowPlaying, "", ""},
		{"what's next?", intentQueue, "", ""},
		{"show me the queue", intentQueue, "", ""},
		{"who are you?", intentChat, "", ""},
		{"do you like jazz?", intentChat, "", ""},
		{"thanks!", intentChat, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			in := classify(tc.text)
			if in.kind != tc.kind || in.action != tc.action {
				t.Fatalf("classify(%q) = kind %d action %q, want kind %d action %q", tc.text, in.kind, in.action, tc.kind, tc.action)
			}
			if tc.kind == intentPlay {
				if q := searchQuery(in.vibe); q != tc.query {
					t.Fatalf("searchQuery(%q) = %q, want %q", tc.text, q, tc.query)
				}
			}
		})
	}
}

func TestSteerChange(t *testing.T) {
	tests := []struct {
		direction string
		energy    int
		want      string
	}{
		{"more energy", 5, `{"energyLevel":7,"energyDirection":"building"}`},
		{"Chill", 5, `{"energyLevel":3,"energyDirection":"winding_down","mood":["chill"]}`},
		{"go 90s", 5, `{"era":{"start":1990,"end":1999}}`},
		{"faster", 9, `{"energyLevel":10,"energyDirection":"building","bpmRange":{"min":120,"max":160}}`},
		{"slower please", 2, `{"energyLevel":1,"energyDirection":"winding_down","bpmRange":{"min":60,"max":100}}`},
		{"more house and techno", 5, `{"genres":["house","techno"]}`},
		{"pump it up with some 80s synthpop", 5, `{"energyLevel":8,"energyDirection":"building","genres":["synthwave"],"mood":["energetic","intense"],"era":{"start":1980,"end":1989}}`},
		{"late night jazz", 6, `{"energyLevel":5,"energyDirection":"winding_down","genres":["jazz"],"mood":["mellow","atmospheric"]}`},
		{"keep it steady", 5, `{"energyDirection":"steady"}`},
		{"party party party", 5, `{"energyLevel":8,"energyDirection":"building","mood":["upbeat","energetic"]}`},
		{"something fresh", 5, `{"era":{"start":2020,"end":2025}}`},
		{"", 5, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.direction, func(t *testing.T) {
			if got := string(marshalCompact(steerChange(tc.direction, tc.energy))); got != tc.want {
				t.Fatalf("steerChange(%q, %d) = %s, want %s", tc.direction, tc.energy, got, tc.want)
			}
		})
	}
}

func TestSteerPromptReading(t *testing.T) {
	tests := []struct {
		name, system, user string
		tools              bool
		steer              bool
		direction          string
		energy             int
	}{
		{"marker", "", "STEER: more energy", true, true, "more energy", 5},
		{"reference shape", "You adjust DJ vibes. Reply with JSON only.",
			"Current vibe: {\"energyLevel\": 6, \"genres\": [\"house\"]}\nUser request: \"go 90s\"\nReturn a JSON object with energyLevel, energyDirection, genres, mood, era, bpmRange.",
			false, true, "go 90s", 6},
		{"quoted direction", "Interpret the steer request as vibe JSON (energyLevel 1-10).",
			"Energy: 3/10. The listener asked for \"slow it down\".", false, true, "slow it down", 3},
		{"chat prompt with tools is not steering", "You are a live DJ. Vibe JSON energyLevel.", "more energy", true, false, "", 0},
		{"plain chat", "", "play some jazz", false, false, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			both := tc.system + "\n" + tc.user
			if got := isSteerPrompt(both, tc.tools); got != tc.steer {
				t.Fatalf("isSteerPrompt = %v, want %v", got, tc.steer)
			}
			if !tc.steer {
				return
			}
			if got := steerDirection(tc.user, tc.system); got != tc.direction {
				t.Fatalf("steerDirection = %q, want %q", got, tc.direction)
			}
			if got := currentEnergy(both); got != tc.energy {
				t.Fatalf("currentEnergy = %d, want %d", got, tc.energy)
			}
		})
	}
}

func TestDecadeOf(t *testing.T) {
	tests := []struct {
		tok  string
		want [2]int
		ok   bool
	}{
		{"90s", [2]int{1990, 1999}, true},
		{"1960s", [2]int{1960, 1969}, true},
		{"00s", [2]int{2000, 2009}, true},
		{"2010s", [2]int{2010, 2019}, true},
		{"20s", [2]int{2020, 2025}, true},
		{"1994", [2]int{1994, 1994}, true},
		{"30s", [2]int{}, false},
		{"123", [2]int{}, false},
	}
	for _, tc := range tests {
		got, ok := decadeOf(tc.tok)
		if got != tc.want || ok != tc.ok {
			t.Errorf("decadeOf(%q) = %v %v, want %v %v", tc.tok, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSuggestPromptReading(t *testing.T) {
	tests := []struct {
		name, text string
		tools      bool
		want       bool
	}{
		{"marker", "SUGGEST: 5 tracks", true, true},
		{"json shape", `Suggest 5 tracks. Reply {"tracks":[{"artist":"A","name":"T","reason":"why"}]}`, false, true},
		{"unquoted shape", `Return {tracks:[{artist,name,reason}]} as raw JSON.`, false, true},
		{"prose", "Return JSON: a list of tracks, each with artist, name and reason.", false, true},
		{"steer prompt mentioning tracks", `Current vibe {"energyLevel":5}. Recent tracks by each artist are listed. Explain your reasoning, then return vibe JSON.`, false, false},
		{"chat with tools", `{"tracks":[{"artist":"A"}]}`, true, false},
	}
	for _, tc := range tests {
		if got := isSuggestPrompt(tc.text, tc.tools); got != tc.want {
			t.Errorf("%s: isSuggestPrompt = %v, want %v", tc.name, got, tc.want)
		}
	}
}
