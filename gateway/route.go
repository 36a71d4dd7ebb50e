package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"
)

// Call is what a typed handler gets besides its input: the request's
// context (carrying the request ID) and, on authenticated routes, who is
// calling.
type Call struct {
	Ctx       context.Context
	RequestID string
	// Identity is set on routes with Auth.
	Identity Identity
	fiber    *fiber.Ctx
}

// handler is the shape of every typed JSON route.
type handler[In, Out any] func(call *Call, in *In) (*Out, error)

// handle registers a typed route: it binds path, query and header fields
// and the JSON Body of In, validates them against the schemas derived from
// In, runs h, and answers with Out (checked against its schema when
// response validation is on). The same types document the route.
func handle[In, Out any](s *Server, o operation, h handler[In, Out]) {
	b, err := newBinder(s.doc.schemas, reflect.TypeFor[In]())
	if err != nil {
		panic(fmt.Sprintf("route %s %s: %v", o.Method, o.Path, err))
	}
	var out *openapi3.SchemaRef
	if t := reflect.TypeFor[Out](); t != reflect.TypeFor[struct{}]() && !o.Stream && !o.Redirect {
		if out, err = s.doc.schemas.ref(t); err != nil {
			panic(fmt.Sprintf("route %s %s: response: %v", o.Method, o.Path, err))
		}
	}
	if b.body != nil {
		o.Errors = append(o.Errors, http.StatusUnsupportedMediaType)
	}
	s.doc.add(o, b.params, b.body, out)
	status := o.successStatus()
	s.api.Add(o.Method, strings.TrimPrefix(o.fiberPath(), "/api"), func(c *fiber.Ctx) error {
		call := &Call{Ctx: c.UserContext(), RequestID: requestID(c), fiber: c}
		if o.Auth {
			id, err := s.authenticate(c)
			if err != nil {
				return err
			}
			call.Identity = id
		}
		var in In
		if err := b.bind(c, reflect.ValueOf(&in).Elem()); err != nil {
			return err
		}
		result, err := h(call, &in)
		if err != nil {
			return s.mapError(call, err)
		}
		if o.Stream || o.Redirect || result == nil {
			return nil
		}
		return s.respond(c, status, out, result)
	})
}

// respond writes v as JSON. With response validation on, a value that does
// not match its documented schema is logged and answered with 500: a bug
// must not reach clients silently.
func (s *Server) respond(c *fiber.Ctx, status int, schema *openapi3.SchemaRef, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	if s.cfg.ValidateResponses && schema != nil {
		if err := validateJSON(schema.Value, body); err != nil {
			s.metrics.badResponses.Inc()
			s.log.ErrorContext(c.UserContext(), "response does not match its schema", "request_id", requestID(c), "route", c.Route().Path, "err", err)
			return writeProblem(c, http.StatusInternalServerError, "internal error; quote the request id when reporting it", nil)
		}
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

func validateJSON(schema *openapi3.Schema, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return schema.VisitJSON(v, openapi3.MultiErrors(), openapi3.EnableJSONSchema2020())
}

// binding is one path, query or header field of an input struct.
type binding struct {
	location string
	name     string
	index    []int
	kind     reflect.Kind
	schema   *openapi3.Schema
	required bool
	def      string // used when the parameter is absent
}

// binder fills an input struct from a request.
type binder struct {
	fields    []binding
	bodyIndex []int
	body      *openapi3.SchemaRef
	params    openapi3.Parameters
}

func newBinder(schemas *schemaSet, t reflect.Type) (*binder, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("input %s must be a struct", t)
	}
	b := &binder{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "Body" {
			ref, err := schemas.ref(f.Type)
			if err != nil {
				return nil, fmt.Errorf("body: %w", err)
			}
			b.body, b.bodyIndex = ref, f.Index
			continue
		}
		loc, name := paramTag(f)
		if loc == "" {
			continue
		}
		if err := b.addParam(schemas, f, loc, name); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func paramTag(f reflect.StructField) (location, name string) {
	for _, loc := range []string{"path", "query", "header"} {
		if v, ok := f.Tag.Lookup(loc); ok {
			return loc, v
		}
	}
	return "", ""
}

func (b *binder) addParam(schemas *schemaSet, f reflect.StructField, loc, name string) error {
	ref, err := schemas.field(f)
	if err != nil {
		return fmt.Errorf("%s %s: %w", loc, name, err)
	}
	required := loc == "path" || f.Tag.Get("required") == "true"
	p := &openapi3.Parameter{In: loc, Name: name, Required: required, Schema: ref, Description: f.Tag.Get("doc")}
	if def, ok := f.Tag.Lookup("default"); ok {
		p.Schema = &openapi3.SchemaRef{Value: withDefault(ref.Value, def)}
	}
	b.params = append(b.params, &openapi3.ParameterRef{Value: p})
	b.fields = append(b.fields, binding{location: loc, name: name, index: f.Index, kind: f.Type.Kind(), schema: ref.Value, required: required, def: f.Tag.Get("default")})
	return nil
}

func withDefault(s *openapi3.Schema, def string) *openapi3.Schema {
	copied := *s
	copied.Default = def
	if n, err := strconv.ParseFloat(def, 64); err == nil {
		copied.Default = n
	}
	return &copied
}

func (b *binder) bind(c *fiber.Ctx, in reflect.Value) error {
	for _, f := range b.fields {
		if err := f.bind(c, in.FieldByIndex(f.index)); err != nil {
			return err
		}
	}
	if b.body != nil {
		return b.bindBody(c, in.FieldByIndex(b.bodyIndex))
	}
	return nil
}

func (f binding) bind(c *fiber.Ctx, dst reflect.Value) error {
	var raw string
	switch f.location {
	case "path":
		raw = c.Params(f.name)
	case "query":
		raw = c.Query(f.name)
	case "header":
		raw = c.Get(f.name)
	}
	if raw == "" {
		if f.required {
			return InvalidField(f.location, f.name, "is required")
		}
		if def, ok := f.defaultValue(); ok {
			raw = def
		} else {
			return nil
		}
	}
	value, err := parseScalar(raw, f.kind)
	if err != nil {
		return InvalidField(f.location, f.name, err.Error())
	}
	if err := f.schema.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return InvalidField(f.location, f.name, schemaReason(err))
	}
	switch v := value.(type) {
	case float64:
		if dst.CanInt() {
			dst.SetInt(int64(v))
		} else {
			dst.SetFloat(v)
		}
	case bool:
		dst.SetBool(v)
	case string:
		dst.SetString(strings.Clone(v)) // Fiber's strings are reused after the handler
	}
	return nil
}

func (f binding) defaultValue() (string, bool) {
	return f.def, f.def != ""
}

// parseScalar reads a path/query/header string as the field's kind,
// returned as the JSON value a schema validates (numbers are float64).
func parseScalar(raw string, kind reflect.Kind) (any, error) {
	switch kind {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, errors.New("must be an integer")
		}
		return float64(n), nil
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, errors.New("must be a number")
		}
		return n, nil
	case reflect.Bool:
		v, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, errors.New("must be true or false")
		}
		return v, nil
	default:
		return raw, nil
	}
}

func (b *binder) bindBody(c *fiber.Ctx, dst reflect.Value) error {
	if ct := c.Get(fiber.HeaderContentType); ct != "" && !isJSONType(ct) {
		return &ProblemError{Status: http.StatusUnsupportedMediaType, Detail: "the body must be JSON (Content-Type: application/json)"}
	}
	raw := bytes.TrimSpace(c.Body())
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&generic); err != nil || dec.More() {
		return InvalidField("body", "", "malformed JSON")
	}
	if err := b.body.Value.VisitJSON(generic, openapi3.MultiErrors(), openapi3.EnableJSONSchema2020()); err != nil {
		return &ProblemError{Status: http.StatusBadRequest, Detail: "the request body is invalid", Fields: bodyFieldErrors(err)}
	}
	if err := json.Unmarshal(raw, dst.Addr().Interface()); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return InvalidField("body", te.Field, "has the wrong type")
		}
		return InvalidField("body", "", "does not match the expected shape")
	}
	return nil
}

func isJSONType(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// bodyFieldErrors turns schema errors into field errors named by JSON path
// (e.g. "preferences.bpmLock.min", "uris[2]").
func bodyFieldErrors(err error) []FieldError {
	var out []FieldError
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			field, msg := fieldPath(se), se.Reason
			// The 2020-12 validator words its reasons "at '/a': missing
			// property 'b'"; keep the message and fold the name into the path.
			if i := strings.LastIndex(msg, "': "); strings.HasPrefix(msg, "at '") || strings.HasPrefix(msg, "error at ") {
				if i >= 0 {
					msg = msg[i+3:]
				}
			}
			if name, ok := strings.CutPrefix(msg, "missing property '"); ok {
				name = strings.TrimSuffix(name, "'")
				if field != "" {
					field += "."
				}
				field, msg = field+name, "is required"
			}
			out = append(out, FieldError{Location: "body", Field: field, Message: msg})
			return
		}
		out = append(out, FieldError{Location: "body", Message: "is invalid"})
	}
	walk(err)
	return out
}

func fieldPath(se *openapi3.SchemaError) string {
	var b strings.Builder
	for _, p := range se.JSONPointer() {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func schemaReason(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return se.Reason
	}
	return "is invalid"
}
