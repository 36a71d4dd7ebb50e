package gateway

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"dj/mix"

	"github.com/getkin/kin-openapi/openapi3"
)

// operation describes one route for both the router and the document.
type operation struct {
	Method  string
	Path    string // OpenAPI form: /api/mix/queue/{position}
	ID      string
	Summary string
	Tag     string
	// Auth routes need "Authorization: Bearer <dj session token>".
	Auth bool
	// Status is the success status (default 200).
	Status int
	// Errors lists problem statuses beyond the ones every route has.
	Errors []int
	// Stream marks an SSE route: the success body is text/event-stream.
	Stream bool
	// Redirect marks a route that answers with a 302.
	Redirect bool
}

func (o operation) successStatus() int {
	switch {
	case o.Status != 0:
		return o.Status
	case o.Redirect:
		return http.StatusFound
	default:
		return http.StatusOK
	}
}

// fiberPath converts /a/{b}/c to Fiber's /a/:b/c.
func (o operation) fiberPath() string {
	parts := strings.Split(o.Path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			parts[i] = ":" + p[1:len(p)-1]
		}
	}
	return strings.Join(parts, "/")
}

// apiDoc accumulates the OpenAPI 3.1 document as routes register.
type apiDoc struct {
	t       *openapi3.T
	schemas *schemaSet
	problem *openapi3.SchemaRef
}

func newAPIDoc(version string) *apiDoc {
	d := &apiDoc{
		t: &openapi3.T{
			OpenAPI: "3.1.0",
			Info: &openapi3.Info{
				Title:       "dj API",
				Version:     version,
				Description: "The HTTP and SSE API of dj, an AI DJ for Spotify. Errors are RFC 9457 problem documents.",
			},
			Paths: openapi3.NewPaths(),
			Components: &openapi3.Components{
				SecuritySchemes: openapi3.SecuritySchemes{
					"session": &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer").
						WithDescription("The opaque session token from POST /api/auth/exchange.")},
				},
			},
		},
		schemas: newSchemaSet(
			reflect.TypeFor[mix.Session](), reflect.TypeFor[mix.Vibe](),
			reflect.TypeFor[mix.Preferences](), reflect.TypeFor[mix.TasteModel](),
		),
	}
	ref, err := d.schemas.ref(reflect.TypeFor[Problem]())
	if err != nil {
		panic(err) // Problem is a fixed type; failing here is a programming error
	}
	d.problem = ref
	d.t.Components.Schemas = d.schemas.components
	return d
}

// add documents one operation.
func (d *apiDoc) add(o operation, params openapi3.Parameters, body, out *openapi3.SchemaRef) {
	op := &openapi3.Operation{
		OperationID: o.ID,
		Summary:     o.Summary,
		Tags:        []string{o.Tag},
		Parameters:  params,
		Responses:   openapi3.NewResponses(),
	}
	if o.Auth {
		op.Security = &openapi3.SecurityRequirements{{"session": []string{}}}
	}
	if body != nil {
		op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithJSONSchemaRef(body)}
	}
	success := openapi3.NewResponse().WithDescription(http.StatusText(o.successStatus()))
	switch {
	case o.Stream:
		success.WithContent(openapi3.Content{"text/event-stream": &openapi3.MediaType{Schema: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()}}})
	case out != nil:
		success.WithJSONSchemaRef(out)
	}
	op.Responses.Delete("default")
	op.Responses.Set(strconv.Itoa(o.successStatus()), &openapi3.ResponseRef{Value: success})
	for _, status := range d.errorStatuses(o, len(params) > 0 || body != nil) {
		resp := openapi3.NewResponse().WithDescription(http.StatusText(status)).
			WithContent(openapi3.Content{problemContentType: &openapi3.MediaType{Schema: d.problem}})
		op.Responses.Set(strconv.Itoa(status), &openapi3.ResponseRef{Value: resp})
	}
	d.t.AddOperation(o.Path, o.Method, op)
}

func (d *apiDoc) errorStatuses(o operation, hasInput bool) []int {
	set := map[int]bool{http.StatusInternalServerError: true}
	if o.Auth {
		set[http.StatusUnauthorized] = true
	}
	if hasInput {
		set[http.StatusBadRequest] = true
	}
	if o.Method != http.MethodGet && o.Method != http.MethodDelete {
		set[http.StatusRequestEntityTooLarge] = true
	}
	for _, s := range o.Errors {
		set[s] = true
	}
	out := make([]int, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// document returns the finished document; it checks itself once so a bad
// tag shows up at start-up, not in a client.
func (d *apiDoc) document() (*openapi3.T, error) {
	if err := d.t.Validate(openapi3.NewLoader().Context); err != nil {
		return nil, fmt.Errorf("openapi document invalid: %w", err)
	}
	return d.t, nil
}
