package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"dj/internal/djtest"
)

// mixProblemDoc is the part of a problem document the tests read.
type mixProblemDoc struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Field    string `json:"field"`
	} `json:"errors"`
}

// mixCall sends a request with a raw body (no Content-Type when ctype is
// empty) and returns the status and body. It is safe to use from several
// goroutines.
func mixCall(c *http.Client, method, url, token, ctype, body string) (int, []byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// mixSendJSON is mixCall with a JSON body marshalled from v (nil: no body).
func mixSendJSON(c *http.Client, method, url, token string, v any) (int, []byte, error) {
	if v == nil {
		return mixCall(c, method, url, token, "", "")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0, nil, err
	}
	return mixCall(c, method, url, token, "application/json", string(b))
}

const mixGoodTrack = "spotify:track:0123456789abcdefghijkl"

// mixRoute is one /api/mix route with a body that passes validation.
type mixRoute struct {
	method, path, body string
}

var mixRoutes = []mixRoute{
	{"POST", "/api/mix/start", `{}`},
	{"GET", "/api/mix/current", ``},
	{"DELETE", "/api/mix/end", ``},
	{"GET", "/api/mix/queue", ``},
	{"POST", "/api/mix/queue/add", `{"trackUri":"` + mixGoodTrack + `"}`},
	{"DELETE", "/api/mix/queue/0", ``},
	{"PUT", "/api/mix/queue/reorder", `{"from":0,"to":1}`},
	{"GET", "/api/mix/vibe", ``},
	{"PUT", "/api/mix/vibe", `{"energyLevel":6}`},
	{"POST", "/api/mix/vibe/steer", `{"direction":"more energy"}`},
	{"GET", "/api/mix/suggestions", ``},
	{"POST", "/api/mix/save", `{"name":"x"}`},
	{"POST", "/api/mix/playback/track-played", `{"trackId":"0123456789abcdefghijkl","trackUri":"` + mixGoodTrack + `"}`},
	{"PATCH", "/api/mix/preferences", `{"autoFill":false}`},
}

func mixCtype(body string) string {
	if body == "" {
		return ""
	}
	return "application/json"
}

// TestMixRoutesNeedAuthAndAMix: 401 without a token (whatever the body),
// 404 without a mix, except GET current, which answers {"session":null}.
func TestMixRoutesNeedAuthAndAMix(t *testing.T) {
	env := djtest.Start(t)
	token := env.Login("bob")
	for _, r := range mixRoutes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			status, _, err := mixCall(env.HTTP, r.method, env.URL+r.path, "", "application/json", `{"bad":`)
			if err != nil || status != http.StatusUnauthorized {
				t.Fatalf("anonymous: status %d err %v, want 401", status, err)
			}
			if r.path == "/api/mix/start" {
				return
			}
			status, body, err := mixCall(env.HTTP, r.method, env.URL+r.path, token, mixCtype(r.body), r.body)
			want := http.StatusNotFound
			if r.path == "/api/mix/current" {
				want = http.StatusOK
			}
			if err != nil || status != want {
				t.Fatalf("without a mix: status %d (%s) err %v, want %d", status, body, err, want)
			}
			if want == http.StatusOK && strings.TrimSpace(string(body)) != `{"session":null}` {
				t.Fatalf("current without a mix: %s", body)
			}
		})
	}
}

// TestMixRouteValidation checks that each route's input is validated by
// its Go type (and a few rules of the handler), answering 400 with a
// problem that names the field.
func TestMixRouteValidation(t *testing.T) {
	env := djtest.Start(t)
	token := env.Login("alice")
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		name, method, path, body string
		field                    string // "location:field"
	}{
		{"start: playlist id with a path", "POST", "/api/mix/start", `{"seedPlaylistId":"abc/../me"}`, "body:seedPlaylistId"},
		{"start: playlist id too long", "POST", "/api/mix/start", `{"seedPlaylistId":"` + long(65) + `"}`, "body:seedPlaylistId"},
		{"start: restart not a bool", "POST", "/api/mix/start", `{"restart":"yes"}`, "body:restart"},
		{"start: autoFill not a bool", "POST", "/api/mix/start", `{"preferences":{"autoFill":"yes"}}`, "body:preferences.autoFill"},
		{"start: bpm lock too slow", "POST", "/api/mix/start", `{"preferences":{"bpmLock":{"min":10,"max":100}}}`, "body:preferences.bpmLock.min"},
		{"start: bpm lock reversed", "POST", "/api/mix/start", `{"preferences":{"bpmLock":{"min":150,"max":100}}}`, "body:preferences.bpmLock.min"},
		{"start: blank avoided genre", "POST", "/api/mix/start", `{"preferences":{"avoidGenres":["rock"," "]}}`, "body:preferences.avoidGenres[1]"},
		{"add: no track", "POST", "/api/mix/queue/add", `{}`, "body:trackUri"},
		{"add: not a track uri", "POST", "/api/mix/queue/add", `{"trackUri":"spotify:album:0123456789abcdefghijkl"}`, "body:trackUri"},
		{"add: id with a path", "POST", "/api/mix/queue/add", `{"trackUri":"spotify:track:../../me/player/abcdefghi"}`, "body:trackUri"},
		{"add: negative position", "POST", "/api/mix/queue/add", `{"trackUri":"` + mixGoodTrack + `","position":-1}`, "body:position"},
		{"add: fractional position", "POST", "/api/mix/queue/add", `{"trackUri":"` + mixGoodTrack + `","position":1.5}`, "body:position"},
		{"remove: not a number", "DELETE", "/api/mix/queue/first", ``, "path:position"},
		{"remove: negative", "DELETE", "/api/mix/queue/-1", ``, "path:position"},
		{"remove: past any queue", "DELETE", "/api/mix/queue/10", ``, "path:position"},
		{"reorder: missing from", "PUT", "/api/mix/queue/reorder", `{"to":1}`, "body:from"},
		{"reorder: negative to", "PUT", "/api/mix/queue/reorder", `{"from":0,"to":-1}`, "body:to"},
		{"vibe: nothing to change", "PUT", "/api/mix/vibe", `{}`, "body:"},
		{"vibe: energy 11", "PUT", "/api/mix/vibe", `{"energyLevel":11}`, "body:energyLevel"},
		{"vibe: unknown direction", "PUT", "/api/mix/vibe", `{"energyDirection":"up"}`, "body:energyDirection"},
		{"vibe: bpm below 20", "PUT", "/api/mix/vibe", `{"bpmRange":{"min":10,"max":120}}`, "body:bpmRange.min"},
		{"vibe: bpm reversed", "PUT", "/api/mix/vibe", `{"bpmRange":{"min":130,"max":120}}`, "body:bpmRange.min"},
		{"steer: no direction", "POST", "/api/mix/vibe/steer", `{}`, "body:direction"},
		{"steer: empty direction", "POST", "/api/mix/vibe/steer", `{"direction":""}`, "body:direction"},
		{"steer: blank direction", "POST", "/api/mix/vibe/steer", `{"direction":"   "}`, "body:direction"},
		{"steer: direction too long", "POST", "/api/mix/vibe/steer", `{"direction":"` + long(501) + `"}`, "body:direction"},
		{"steer: intensity 11", "POST", "/api/mix/vibe/steer", `{"direction":"up","intensity":11}`, "body:intensity"},
		{"suggestions: count 0", "GET", "/api/mix/suggestions?count=0", ``, "query:count"},
		{"suggestions: count 11", "GET", "/api/mix/suggestions?count=11", ``, "query:count"},
		{"suggestions: count not a number", "GET", "/api/mix/suggestions?count=five", ``, "query:count"},
		{"save: no name", "POST", "/api/mix/save", `{}`, "body:name"},
		{"save: blank name", "POST", "/api/mix/save", `{"name":"  "}`, "body:name"},
		{"save: name too long", "POST", "/api/mix/save", `{"name":"` + long(201) + `"}`, "body:name"},
		{"save: description too long", "POST", "/api/mix/save", `{"name":"x","description":"` + long(501) + `"}`, "body:description"},
		{"save: includeQueue not a bool", "POST", "/api/mix/save", `{"name":"x","includeQueue":"no"}`, "body:includeQueue"},
		{"played: no track", "POST", "/api/mix/playback/track-played", `{"trackUri":"` + mixGoodTrack + `"}`, "body:trackId"},
		{"played: ids disagree", "POST", "/api/mix/playback/track-played", `{"trackId":"abcdefghijkl0123456789","trackUri":"` + mixGoodTrack + `"}`, "body:trackId"},
		{"played: bad uri", "POST", "/api/mix/playback/track-played", `{"trackId":"0123456789abcdefghijkl","trackUri":"0123456789abcdefghijkl"}`, "body:trackUri"},
		{"preferences: nothing to change", "PATCH", "/api/mix/preferences", `{}`, "body:"},
		{"preferences: autoFill not a bool", "PATCH", "/api/mix/preferences", `{"autoFill":1}`, "body:autoFill"},
		{"preferences: lock without max", "PATCH", "/api/mix/preferences", `{"bpmLock":{"min":100}}`, "body:bpmLock.max"},
		{"preferences: too many artists", "PATCH", "/api/mix/preferences", `{"favoriteArtists":[` + strings.Repeat(`"a",`, 50) + `"a"]}`, "body:favoriteArtists"},
		{"malformed JSON", "POST", "/api/mix/save", `{"name":`, "body:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, err := mixCall(env.HTTP, tc.method, env.URL+tc.path, token, mixCtype(tc.body), tc.body)
			if err != nil || status != http.StatusBadRequest {
				t.Fatalf("status %d (%s) err %v, want 400", status, body, err)
			}
			var p mixProblemDoc
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("not a problem: %s", body)
			}
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Location+":"+f.Field)
				if f.Location+":"+f.Field == tc.field {
					return
				}
			}
			t.Fatalf("problem names %v, want %s (%s)", fields, tc.field, body)
		})
	}

	// A body that is not JSON is refused before validation.
	status, _, err := mixCall(env.HTTP, "POST", env.URL+"/api/mix/save", token, "text/plain", `name=x`)
	if err != nil || status != http.StatusUnsupportedMediaType {
		t.Fatalf("text body: status %d err %v, want 415", status, err)
	}
}

// TestMixRoutesAreDocumented checks every mix route is in the OpenAPI
// document under the "mix" tag with a summary.
func TestMixRoutesAreDocumented(t *testing.T) {
	env := djtest.Start(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Summary string   `json:"summary"`
			Tags    []string `json:"tags"`
		} `json:"paths"`
	}
	if status := env.JSON("GET", "/api/openapi.json", "", nil, &doc); status != http.StatusOK {
		t.Fatalf("openapi: %d", status)
	}
	for _, r := range mixRoutes {
		path := r.path
		if r.path == "/api/mix/queue/0" {
			path = "/api/mix/queue/{position}"
		}
		op, ok := doc.Paths[path][strings.ToLower(r.method)]
		if !ok || op.Summary == "" || len(op.Tags) != 1 || op.Tags[0] != "mix" {
			t.Errorf("%s %s: documented %v as %+v", r.method, path, ok, op)
		}
	}
}

// mixDecode unmarshals a response body or fails the test.
func mixDecode(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}
