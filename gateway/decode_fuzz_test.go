package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"dj/actors"

	"github.com/getkin/kin-openapi/openapi3"
)

// FuzzRequestDecoders drives every route input type through the real
// decoding path — Fiber's parsing, the middleware (request ID, recovery,
// body limit), bearer-token parsing, the binder that validates path,
// query and body against the schemas from the Go types, and the error
// handler — with arbitrary methods' inputs. Each input type is mounted on
// a fuzz-only route whose handler does nothing, so whatever the fuzzer
// finds is the decoder's. TestFuzzedDecodersCoverEveryRoute keeps the
// list in step with the routes djd serves.

// fuzzToken is the one session token the fuzz server accepts.
const fuzzToken = "good-token"

// fuzzBodyLimit is small so oversized bodies are reachable.
const fuzzBodyLimit = 2048

// decoderCase is one request decoder: a route input type.
type decoderCase struct {
	name     string
	in       reflect.Type
	register func(s *Server, o operation)
}

func decoder[In any]() decoderCase {
	return decoderCase{
		name: reflect.TypeFor[In]().String(),
		in:   reflect.TypeFor[In](),
		register: func(s *Server, o operation) {
			handle(s, o, func(*Call, *In) (*struct{}, error) { return &struct{}{}, nil })
		},
	}
}

// requestDecoders lists every input type a route of djd binds.
func requestDecoders() []decoderCase {
	return []decoderCase{
		decoder[AuthURLInput](), decoder[CallbackInput](), decoder[ExchangeInput](),
		decoder[ChatMessageInput](), decoder[SteerStreamInput](),
		decoder[MixStartInput](), decoder[MixQueueAddInput](), decoder[MixQueueRemoveInput](),
		decoder[MixReorderInput](), decoder[MixVibeUpdateInput](), decoder[MixSteerInput](),
		decoder[MixSuggestionsInput](), decoder[MixSaveInput](), decoder[MixTrackPlayedInput](),
		decoder[MixPreferencesInput](), decoder[MixQueueSpotifyInput](),
		decoder[PlaylistsInput](), decoder[PlaylistTracksInput](), decoder[SearchInput](),
		decoder[CreatePlaylistInput](), decoder[ModifyPlaylistInput](), decoder[PlayInput](),
		decoder[SeekInput](), decoder[DeviceInput](), decoder[VolumeInput](), decoder[QueueAddInput](),
		decoder[struct{}](),
	}
}

// pathParams are the names of In's path fields, in order.
func pathParams(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if v, ok := t.Field(i).Tag.Lookup("path"); ok {
			out = append(out, v)
		}
	}
	return out
}

// fuzzPath is where case i is mounted (OpenAPI form).
func fuzzPath(i int, dc decoderCase) string {
	p := fmt.Sprintf("/api/fuzz/%d", i)
	for _, name := range pathParams(dc.in) {
		p += "/{" + name + "}"
	}
	return p
}

// fuzzServer mounts every decoder behind bearer auth on one gateway.
func fuzzServer(t testing.TB) *Server {
	t.Helper()
	cases := requestDecoders()
	s, err := newServer(Config{BodyLimit: fuzzBodyLimit, ValidateResponses: true, Auth: fixedAuth{fuzzToken: "alice"}}, Deps{}, func(s *Server) {
		for i, dc := range cases {
			dc.register(s, operation{Method: "POST", Path: fuzzPath(i, dc), ID: fmt.Sprintf("fuzz%d", i), Tag: "fuzz", Auth: true, Summary: dc.name})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// leakMarkers must never appear in a problem: they are Go, library or
// runtime internals.
var leakMarkers = []string{"goroutine", ".go:", "panic", "runtime.", "reflect", "json: ", "unmarshal", "Go value",
	"strconv.", "gateway.", "actors.", "mix.", "openapi3", "kin-openapi", "fasthttp", "fiber"}

// escapeRaw percent-encodes what cannot stand in a request line, keeping
// every other byte (broken escapes, stray '&' and '=') for the parser.
func escapeRaw(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// acceptedAuth mirrors bearerToken: the header the fuzz server must take.
func acceptedAuth(auth string) bool {
	scheme, token, ok := strings.Cut(auth, " ")
	return ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) == fuzzToken
}

// checkDecoderAnswer asserts what every answer of a decoder must be: 200
// with the handler's {} or a client-error problem that says nothing
// internal, always with a sane request ID. routed is false when the path
// may not reach the route at all (an empty or dot path segment): then a
// 404 problem is right too.
func checkDecoderAnswer(t *testing.T, resp *http.Response, auth string, routed bool) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if id := resp.Header.Get(headerRequestID); !validRequestID(id) {
		t.Fatalf("request id %q", id)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if string(body) != "{}" {
			t.Fatalf("200 with %q", body)
		}
		if !acceptedAuth(auth) {
			t.Fatalf("authorized with %q", auth)
		}
		return
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
	case http.StatusNotFound:
		if routed {
			t.Fatalf("404 on a routable path: %s", body)
		}
	default:
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if acceptedAuth(auth) && resp.StatusCode == http.StatusUnauthorized {
		t.Fatalf("the good token was refused (%q): %s", auth, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, problemContentType) {
		t.Fatalf("status %d with content type %q: %s", resp.StatusCode, ct, body)
	}
	var p Problem
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || p.Status != resp.StatusCode || p.Title == "" || p.RequestID == "" {
		t.Fatalf("not a problem document (%v): %s", err, body)
	}
	for _, m := range leakMarkers {
		if strings.Contains(strings.ToLower(p.Detail+fmt.Sprint(p.Errors)), strings.ToLower(m)) {
			t.Fatalf("problem shows internals (%q): %s", m, body)
		}
	}
}

func FuzzRequestDecoders(f *testing.F) {
	good := "Bearer " + fuzzToken
	cases := requestDecoders()
	seeds := []struct {
		path, query, auth, ctype, body string
	}{
		{"", "", good, "application/json", `{}`},
		{"", "", "", "", ``},
		{"0", "count=5&limit=20&offset=0", good, "application/json", `{"trackUri":"spotify:track:4iV5W9uYEdYUVa79Axb7Rh","position":0}`},
		{"9", "count=11", good, "application/json; charset=utf-8", `{"from":0,"to":9}`},
		{"-1", "limit=abc", good, "text/plain", `{"name":"x"}`},
		{"37i9dQZF1DXcBWIGoYBM5M", "limit=1e999&demo_user=alice", good, "application/json", `{"name":"","public":"yes"}`},
		{"..%2F..", "code=%zz&state=&error=x", "Bearer", "application/json", `{"broken":`},
		{"x", "count=", "Basic abc", "application/problem+json", `[]`},
		{"", "", "bearer   " + fuzzToken + "  ", "application/json", `{"a":1}{"b":2}`},
		{"", "", good, "application/json", `{"preferences":{"bpmLock":{"min":"x"}},"uris":[1,2,3]}`},
		{"", "", good, "application/json", strings.Repeat("[", 3000)},
		{"", "", good, "application/json", `{"energyLevel":1e400,"bpmRange":{"min":-1,"max":1e10}}`},
		{"", "", good, "application/json", "{\"message\":\"\xff\xfe\",\"mode\":null}"},
		{"", "", good, "application/json", `"` + strings.Repeat("a", fuzzBodyLimit) + `"`},
		{"", "", good, "application/json", `{"direction":"more energy","intensity":2}`},
	}
	for i := range cases {
		for _, s := range seeds {
			f.Add(uint8(i), s.path, s.query, s.auth, s.ctype, []byte(s.body))
		}
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, route uint8, pathValue, query, auth, ctype string, body []byte) {
		i := int(route) % len(cases)
		target := fmt.Sprintf("/api/fuzz/%d", i)
		for range pathParams(cases[i].in) {
			target += "/" + url.PathEscape(pathValue)
		}
		req := httptest.NewRequest("POST", target, bytes.NewReader(body))
		req.URL.RawQuery = escapeRaw(query)
		if auth != "" {
			req.Header["Authorization"] = []string{auth}
		}
		if ctype != "" {
			req.Header["Content-Type"] = []string{ctype}
		}
		if !validHeaderValue(auth) || !validHeaderValue(ctype) {
			return // net/http refuses to send such a header at all
		}
		resp, err := s.app.Test(req, 5000) // a decoder that hangs fails here
		if err != nil {
			t.Fatalf("%s: %v", cases[i].name, err)
		}
		defer resp.Body.Close()
		routed := len(pathParams(cases[i].in)) == 0 || pathValue != "" && strings.Trim(pathValue, ".") != ""
		checkDecoderAnswer(t, resp, auth, routed)
	})
}

// validHeaderValue reports whether net/http would write v as a header
// value (no control characters but tab).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// inputKey identifies an operation's inputs: its parameters and its body
// schema, as the OpenAPI document records them.
func inputKey(op *openapi3.Operation) string {
	var parts []string
	for _, p := range op.Parameters {
		parts = append(parts, p.Value.In+":"+p.Value.Name)
	}
	sort.Strings(parts)
	if op.RequestBody != nil {
		ref := op.RequestBody.Value.Content.Get("application/json").Schema
		b, _ := json.Marshal(ref.Value)
		parts = append(parts, "body:"+ref.Ref+string(b))
	}
	return strings.Join(parts, " ")
}

// TestFuzzedDecodersCoverEveryRoute builds the gateway with every
// service (none is called) and checks each route's inputs are the inputs
// of a type in requestDecoders, so a new route cannot escape the fuzzer.
func TestFuzzedDecodersCoverEveryRoute(t *testing.T) {
	full, err := newServer(Config{}, Deps{
		Login: &actors.Login{}, Mixes: &actors.Mixes{}, Music: &actors.Music{}, Streams: &actors.Streams{},
		Chat: &actors.Chat{}, Steer: &actors.Steer{}, Players: &actors.Players{},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fuzzed := map[string]bool{}
	for _, item := range fuzzServer(t).doc.t.Paths.Map() {
		for _, op := range item.Operations() {
			fuzzed[inputKey(op)] = true
		}
	}
	n := 0
	for path, item := range full.doc.t.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			if !fuzzed[inputKey(op)] {
				t.Errorf("%s %s: its inputs (%s) are not in requestDecoders", method, path, inputKey(op))
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d operations registered; the API has more than 40", n)
	}
}
