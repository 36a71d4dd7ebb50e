package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"dj/internal/djtest"

	"github.com/getkin/kin-openapi/openapi3"
)

// routeCase is one documented operation with its path made concrete.
type routeCase struct {
	method, path string
	op           *openapi3.Operation
}

// documentedRoutes reads the served OpenAPI document: the route table the
// tests below walk is the one clients see, so a new route is covered the
// moment it is registered.
func documentedRoutes(t *testing.T, env *djtest.Env) []routeCase {
	t.Helper()
	resp := env.Do("GET", "/api/openapi.json", "", nil)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out []routeCase
	for _, p := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(p).Operations() {
			concrete := strings.NewReplacer("{id}", "37i9dQZF1DXcBWIGoYBM5M", "{position}", "0").Replace(p)
			out = append(out, routeCase{method: method, path: concrete, op: op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	if len(out) < 40 {
		t.Fatalf("only %d documented operations; the API has more than 40", len(out))
	}
	return out
}

func send(t *testing.T, env *djtest.Env, method, path, auth, contentType string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// problemOf checks resp is a problem document with the status and returns it.
func problemOf(t *testing.T, resp *http.Response, status int, what string) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s: content type %q, body %s", what, ct, body)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, leak := range []string{"goroutine", ".go:", "panic", "runtime."} {
		if strings.Contains(string(body), leak) {
			t.Fatalf("%s: problem leaks internals: %s", what, body)
		}
	}
	return p
}

// wrongTyped builds a body whose every top-level property has the wrong
// JSON type, and returns the property names.
func wrongTyped(schema *openapi3.Schema) ([]byte, []string) {
	body := map[string]any{}
	var names []string
	for name, prop := range schema.Properties {
		if prop.Value.Type != nil && prop.Value.Type.Is("string") {
			body[name] = 12345
		} else {
			body[name] = "not-the-right-type"
		}
		names = append(names, name)
	}
	b, _ := json.Marshal(body)
	return b, names
}

func TestEveryRouteRejectsBadCallersWithProblems(t *testing.T) {
	env := djtest.Start(t)
	token := "Bearer " + env.Login("alice")
	for _, rc := range documentedRoutes(t, env) {
		name := rc.method + " " + rc.path
		t.Run(name, func(t *testing.T) {
			if rc.op.Security != nil {
				for _, bad := range []string{"", "Bearer", "Bearer not-a-session", "Basic abc"} {
					resp := send(t, env, rc.method, rc.path, bad, "", nil)
					problemOf(t, resp, http.StatusUnauthorized, fmt.Sprintf("%s with auth %q", name, bad))
				}
			}
			if rc.op.RequestBody == nil {
				return
			}
			resp := send(t, env, rc.method, rc.path, token, "application/json", []byte(`{"broken":`))
			problemOf(t, resp, http.StatusBadRequest, name+" malformed JSON")

			schema := rc.op.RequestBody.Value.Content.Get("application/json").Schema.Value
			if body, names := wrongTyped(schema); len(names) > 0 {
				resp = send(t, env, rc.method, rc.path, token, "application/json", body)
				p := problemOf(t, resp, http.StatusBadRequest, name+" wrongly typed body")
				fields := fmt.Sprint(p["errors"])
				for _, n := range names {
					if !strings.Contains(fields, n) {
						t.Errorf("%s: 400 does not name field %q: %s", name, n, fields)
					}
				}
			}

			huge := append([]byte(`{"x":"`), append(bytes.Repeat([]byte("a"), 300<<10), '"', '}')...)
			resp = send(t, env, rc.method, rc.path, token, "application/json", huge)
			problemOf(t, resp, http.StatusRequestEntityTooLarge, name+" oversized body")
		})
	}
}

func TestEveryRouteIsDocumentedWithSchemas(t *testing.T) {
	env := djtest.Start(t)
	for _, rc := range documentedRoutes(t, env) {
		name := rc.method + " " + rc.path
		if rc.op.Summary == "" || len(rc.op.Tags) == 0 {
			t.Errorf("%s: no summary or tag", name)
		}
		if rc.op.RequestBody != nil && rc.op.RequestBody.Value.Content.Get("application/json").Schema == nil {
			t.Errorf("%s: request body without schema", name)
		}
		for code, r := range rc.op.Responses.Map() {
			if len(r.Value.Content) == 0 && code != "302" && code != "204" {
				t.Errorf("%s: response %s has no content schema", name, code)
			}
			for ct, mt := range r.Value.Content {
				if mt.Schema == nil {
					t.Errorf("%s: response %s %s without schema", name, code, ct)
				}
			}
		}
	}
}

func TestAnotherUsersPlaylistIsNotFound(t *testing.T) {
	env := djtest.Start(t)
	alice, bob := env.Login("alice"), env.Login("bob")
	var created struct {
		ID string `json:"id"`
	}
	status := env.JSON("POST", "/api/spotify/playlists", bob, map[string]any{"name": "bob's secret", "public": false}, &created)
	if status != http.StatusCreated || created.ID == "" {
		t.Fatalf("create as bob: %d %+v", status, created)
	}
	if status := env.JSON("GET", "/api/spotify/playlists/"+created.ID+"/tracks", bob, nil, nil); status != 200 {
		t.Fatalf("owner reads own playlist: %d", status)
	}
	resp := env.Do("GET", "/api/spotify/playlists/"+created.ID+"/tracks", alice, nil)
	problemOf(t, resp, http.StatusNotFound, "alice reads bob's private playlist")
	resp = env.Do("POST", "/api/spotify/playlists/modify", alice, map[string]any{
		"action": "add", "playlistId": created.ID, "trackUris": []string{"spotify:track:4iV5W9uYEdYUVa79Axb7Rh"},
	})
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
		t.Fatalf("alice edits bob's playlist: %d", resp.StatusCode)
	}
	resp.Body.Close()
}
