package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

type testRange struct {
	Min int `json:"min" minimum:"20" maximum:"220"`
	Max int `json:"max" minimum:"20" maximum:"220"`
}

type testBody struct {
	Name  string     `json:"name" minLength:"1" maxLength:"10"`
	Uris  []string   `json:"uris,omitempty" maxItems:"2"`
	Range *testRange `json:"bpmRange,omitempty"`
	Mode  string     `json:"mode,omitempty" enum:"building,steady"`
}

type testIn struct {
	ID    string `path:"id" minLength:"3"`
	Limit int    `query:"limit" minimum:"1" maximum:"50" default:"20"`
	Body  testBody
}

type testOut struct {
	ID    string   `json:"id"`
	Limit int      `json:"limit"`
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
}

func typedServer(t *testing.T, validate bool, auth Authenticator) string {
	_, base := startTest(t, Config{ValidateResponses: validate, Auth: auth}, func(s *Server) {
		handle(s, operation{Method: "POST", Path: "/api/things/{id}", ID: "thing", Tag: "test"}, func(c *Call, in *testIn) (*testOut, error) {
			out := &testOut{ID: in.ID, Limit: in.Limit, Name: in.Body.Name, Tags: []string{}}
			if in.Body.Name == "nil-tags" {
				out.Tags = nil // marshals as null: breaks the schema
			}
			return out, nil
		})
		handle(s, operation{Method: "GET", Path: "/api/mine", ID: "mine", Tag: "test", Auth: true}, func(c *Call, in *struct{}) (*testOut, error) {
			return &testOut{ID: c.Identity.UserID, Tags: []string{}}, nil
		})
	})
	return base
}

func post(t *testing.T, url, contentType, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestTypedRouteBindsAndValidates(t *testing.T) {
	base := typedServer(t, true, nil)
	resp := post(t, base+"/api/things/abc?limit=7", "application/json", `{"name":"x","uris":["a"],"bpmRange":{"min":90,"max":120}}`)
	var out testOut
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d err %v", resp.StatusCode, err)
	}
	if out.ID != "abc" || out.Limit != 7 || out.Name != "x" {
		t.Fatalf("bound %+v", out)
	}
	resp = post(t, base+"/api/things/abc", "application/json", `{"name":"x"}`)
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if out.Limit != 20 {
		t.Fatalf("default limit not applied: %d", out.Limit)
	}

	tests := []struct {
		name, path, ctype, body string
		status                  int
		field                   string
	}{
		{"missing required field", "/api/things/abc", "application/json", `{}`, 400, "name"},
		{"empty body means {}", "/api/things/abc", "application/json", ``, 400, "name"},
		{"too short", "/api/things/abc", "application/json", `{"name":""}`, 400, "name"},
		{"wrong type", "/api/things/abc", "application/json", `{"name":5}`, 400, "name"},
		{"too many items", "/api/things/abc", "application/json", `{"name":"a","uris":["a","b","c"]}`, 400, "uris"},
		{"nested bound", "/api/things/abc", "application/json", `{"name":"a","bpmRange":{"min":5,"max":100}}`, 400, "bpmRange.min"},
		{"nested missing", "/api/things/abc", "application/json", `{"name":"a","bpmRange":{"min":50}}`, 400, "bpmRange.max"},
		{"array item type", "/api/things/abc", "application/json", `{"name":"a","uris":[1]}`, 400, "uris[0]"},
		{"enum", "/api/things/abc", "application/json", `{"name":"a","mode":"up"}`, 400, "mode"},
		{"malformed", "/api/things/abc", "application/json", `{"name":`, 400, ""},
		{"trailing garbage", "/api/things/abc", "application/json", `{"name":"a"} x`, 400, ""},
		{"query not a number", "/api/things/abc?limit=ten", "application/json", `{"name":"a"}`, 400, "limit"},
		{"query out of range", "/api/things/abc?limit=51", "application/json", `{"name":"a"}`, 400, "limit"},
		{"path too short", "/api/things/ab", "application/json", `{"name":"a"}`, 400, "id"},
		{"not json", "/api/things/abc", "text/plain", `name=a`, 415, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, base+tt.path, tt.ctype, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			p := decodeProblem(t, resp)
			if tt.field == "" {
				return
			}
			for _, f := range p.Errors {
				if f.Field == tt.field {
					return
				}
			}
			t.Fatalf("no error naming %q in %+v", tt.field, p.Errors)
		})
	}
}

func TestResponseValidationCatchesSchemaMismatch(t *testing.T) {
	for _, validate := range []bool{true, false} {
		base := typedServer(t, validate, nil)
		resp := post(t, base+"/api/things/abc", "application/json", `{"name":"nil-tags"}`)
		resp.Body.Close()
		want := 200
		if validate {
			want = 500
		}
		if resp.StatusCode != want {
			t.Fatalf("validate=%v: status %d, want %d", validate, resp.StatusCode, want)
		}
	}
}

type fixedAuth map[string]string

func (a fixedAuth) Authenticate(_ context.Context, token string) (Identity, error) {
	if user, ok := a[token]; ok {
		return Identity{UserID: user}, nil
	}
	return Identity{}, ErrUnauthenticated
}

func TestAuthenticatedRoute(t *testing.T) {
	base := typedServer(t, true, fixedAuth{"good-token": "alice"})
	for _, tt := range []struct {
		header string
		status int
	}{
		{"", 401}, {"Bearer", 401}, {"Basic good-token", 401}, {"Bearer bad-token", 401},
		{"Bearer " + strings.Repeat("x", 300), 401}, {"Bearer good-token", 200}, {"bearer good-token", 200},
	} {
		req, _ := http.NewRequest("GET", base+"/api/mine", nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.status {
			t.Fatalf("%q: status %d, want %d", tt.header, resp.StatusCode, tt.status)
		}
		if tt.status == 401 {
			decodeProblem(t, resp)
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("%q: no WWW-Authenticate", tt.header)
			}
			continue
		}
		var out testOut
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if out.ID != "alice" {
			t.Fatalf("identity %+v", out)
		}
	}
}

func TestOpenAPIDocumentListsRoutesWithSchemas(t *testing.T) {
	base := typedServer(t, true, nil)
	resp, err := http.Get(base + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	doc, err := openapi3.NewLoader().LoadFromData(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(openapi3.NewLoader().Context); err != nil {
		t.Fatalf("served document invalid: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	op := doc.Paths.Find("/api/things/{id}").Post
	if op == nil || op.RequestBody == nil || op.Responses.Status(200) == nil || op.Responses.Status(400) == nil {
		t.Fatalf("operation incomplete: %+v", op)
	}
	body := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	if body.Properties["name"] == nil || len(body.Required) != 1 || body.Required[0] != "name" {
		t.Fatalf("body schema %+v", body)
	}
	if mine := doc.Paths.Find("/api/mine").Get; mine == nil || mine.Security == nil || mine.Responses.Status(401) == nil {
		t.Fatalf("auth route not documented as secured")
	}
	page, err := http.Get(base + "/api/docs")
	if err != nil {
		t.Fatal(err)
	}
	defer page.Body.Close()
	var html bytes.Buffer
	_, _ = html.ReadFrom(page.Body)
	if !strings.Contains(html.String(), "/api/things/{id}") || strings.Contains(html.String(), "<script src") {
		t.Fatal("docs page misses the route or loads remote script")
	}
}
