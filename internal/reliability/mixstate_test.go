package reliability

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
)

// mixState is what the durability tests check of one user's mix: the
// queue's track URIs in order, and a marker written into the preferences
// (favoriteArtists). Queue edits and marker edits are issued by two
// editors at once, so the two parts are tracked separately.
type mixState struct {
	queue  []string
	marker string
}

// edit is one mix edit a test sends.
type edit struct {
	kind          string // add, remove, reorder or prefs
	uri           string // add
	pos, from, to int    // add and remove; reorder
	marker        string // prefs
}

// apply is the edit's effect on s, as the API documents it.
func (e edit) apply(s mixState) mixState {
	q := slices.Clone(s.queue)
	switch e.kind {
	case "add":
		q = slices.Insert(q, min(e.pos, len(q)), e.uri)
	case "remove":
		q = slices.Delete(q, e.pos, e.pos+1)
	case "reorder":
		t := q[e.from]
		q = slices.Insert(slices.Delete(q, e.from, e.from+1), e.to, t)
	case "prefs":
		s.marker = e.marker
	}
	return mixState{queue: q, marker: s.marker}
}

// request is the HTTP form of the edit.
func (e edit) request() (method, path string, body any) {
	switch e.kind {
	case "add":
		return "POST", "/api/mix/queue/add", map[string]any{"trackUri": e.uri, "position": e.pos}
	case "remove":
		return "DELETE", fmt.Sprintf("/api/mix/queue/%d", e.pos), nil
	case "reorder":
		return "PUT", "/api/mix/queue/reorder", map[string]int{"from": e.from, "to": e.to}
	default:
		return "PATCH", "/api/mix/preferences", map[string]any{"favoriteArtists": []string{e.marker}}
	}
}

// nextQueueEdit picks a queue edit that is valid for queue: adds while
// there is room (the queue holds 10), then mostly reorders and removes.
func nextQueueEdit(rng *rand.Rand, queue []string, tracks []string) edit {
	n := len(queue)
	switch r := rng.IntN(10); {
	case n == 0 || n < 10 && r < 4:
		return edit{kind: "add", uri: tracks[rng.IntN(len(tracks))], pos: rng.IntN(n + 2)}
	case r < 7:
		return edit{kind: "reorder", from: rng.IntN(n), to: rng.IntN(n)}
	default:
		return edit{kind: "remove", pos: rng.IntN(n)}
	}
}

// wireQueue is a queue as the mix routes return it.
type wireQueue []struct {
	TrackURI string `json:"trackUri"`
}

func (q wireQueue) uris() []string {
	out := make([]string, 0, len(q))
	for _, t := range q {
		out = append(out, t.TrackURI)
	}
	return out
}

// wireSession is the part of a mix session the tests read.
type wireSession struct {
	ID          string    `json:"id"`
	Queue       wireQueue `json:"queue"`
	Preferences struct {
		AutoFill        bool     `json:"autoFill"`
		FavoriteArtists []string `json:"favoriteArtists"`
	} `json:"preferences"`
}

func (s *wireSession) state() mixState {
	st := mixState{queue: s.Queue.uris()}
	if len(s.Preferences.FavoriteArtists) > 0 {
		st.marker = s.Preferences.FavoriteArtists[0]
	}
	return st
}

// stateOfReply reads the state an edit's answer reports: the queue for
// queue edits, the marker for preferences.
func stateOfReply(kind string, body []byte, prev mixState) (mixState, error) {
	if kind == "prefs" {
		var r struct {
			Preferences struct {
				FavoriteArtists []string `json:"favoriteArtists"`
			} `json:"preferences"`
		}
		if err := json.Unmarshal(body, &r); err != nil || len(r.Preferences.FavoriteArtists) != 1 {
			return prev, fmt.Errorf("preferences answer %.200s: %v", body, err)
		}
		return mixState{queue: prev.queue, marker: r.Preferences.FavoriteArtists[0]}, nil
	}
	var r struct {
		Queue wireQueue `json:"queue"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return prev, fmt.Errorf("queue answer %.200s: %v", body, err)
	}
	return mixState{queue: r.Queue.uris(), marker: prev.marker}, nil
}
