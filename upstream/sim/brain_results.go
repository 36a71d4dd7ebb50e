package sim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Reading tool results. dj's tools may return full Spotify track objects,
// a compact list or a wrapper object, so the brain walks whatever JSON it
// gets for the first object with a track uri rather than assuming a shape.

// trackRef is a track as a tool result names it.
type trackRef struct {
	URI    string
	Name   string
	Artist string
}

var trackURIRE = regexp.MustCompile(`spotify:track:[0-9A-Za-z]{22}`)

// firstTrack finds the first track in a tool result, in document order
// (object keys in sorted order, which JSON does not define anyway).
func firstTrack(body string) (trackRef, bool) {
	return findTrack(body, func(trackRef) bool { return true })
}

// trackWithURI finds the track with uri in a tool result.
func trackWithURI(body, uri string) (trackRef, bool) {
	if uri == "" || !strings.Contains(body, uri) {
		return trackRef{}, false
	}
	return findTrack(body, func(t trackRef) bool { return t.URI == uri })
}

func findTrack(body string, want func(trackRef) bool) (trackRef, bool) {
	var doc any
	if json.Unmarshal([]byte(body), &doc) != nil {
		if uri := trackURIRE.FindString(body); uri != "" && want(trackRef{URI: uri}) {
			return trackRef{URI: uri, Name: uri, Artist: "an unknown artist"}, true
		}
		return trackRef{}, false
	}
	var found trackRef
	ok := walkJSON(doc, func(m map[string]any) bool {
		uri, _ := m["uri"].(string)
		if !strings.HasPrefix(uri, "spotify:track:") {
			return false
		}
		t := trackRef{URI: uri, Name: orDefault(jsonStr(m["name"]), uri), Artist: orDefault(artistsOf(m), "an unknown artist")}
		if want(t) {
			found = t
			return true
		}
		return false
	})
	return found, ok
}

// walkJSON visits every object depth-first until visit returns true.
func walkJSON(v any, visit func(map[string]any) bool) bool {
	switch x := v.(type) {
	case map[string]any:
		if visit(x) {
			return true
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if walkJSON(x[k], visit) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if walkJSON(e, visit) {
				return true
			}
		}
	}
	return false
}

// artistsOf reads "artists" as Spotify objects, names or a joined string,
// or a single "artist".
func artistsOf(m map[string]any) string {
	switch a := m["artists"].(type) {
	case string:
		return a
	case []any:
		var names []string
		for _, e := range a {
			switch x := e.(type) {
			case string:
				names = append(names, x)
			case map[string]any:
				if n := jsonStr(x["name"]); n != "" {
					names = append(names, n)
				}
			}
		}
		return strings.Join(names, ", ")
	}
	return jsonStr(m["artist"])
}

func jsonStr(v any) string {
	s, _ := v.(string)
	return s
}

// nowPlayingText reads get_now_playing's result
// ({track_name, artists, is_playing, ...} or {is_playing:false, message}).
func nowPlayingText(body string) string {
	var r struct {
		TrackName string `json:"track_name"`
		Artists   any    `json:"artists"`
		IsPlaying bool   `json:"is_playing"`
	}
	if json.Unmarshal([]byte(body), &r) != nil || r.TrackName == "" {
		return "Nothing is playing right now — want me to queue something?"
	}
	artist := orDefault(artistsOf(map[string]any{"artists": r.Artists}), "an unknown artist")
	if !r.IsPlaying {
		return fmt.Sprintf("%s by %s is paused.", r.TrackName, artist)
	}
	return fmt.Sprintf("Now playing: %s by %s.", r.TrackName, artist)
}

// queueText reads get_queue's result ({currently_playing, queue, queue_length}).
func queueText(body string) string {
	var r struct {
		Queue       []map[string]any `json:"queue"`
		QueueLength *int             `json:"queue_length"`
	}
	if json.Unmarshal([]byte(body), &r) != nil {
		return "I couldn't read the queue."
	}
	n := len(r.Queue)
	if r.QueueLength != nil {
		n = *r.QueueLength
	}
	if n == 0 || len(r.Queue) == 0 {
		return "The queue is empty — want me to add something?"
	}
	next := r.Queue[0]
	return fmt.Sprintf("%d tracks queued; next up is %s by %s.", n, orDefault(jsonStr(next["name"]), "a track"),
		orDefault(artistsOf(next), "an unknown artist"))
}
