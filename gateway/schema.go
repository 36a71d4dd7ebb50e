package gateway

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaSet turns Go types into OpenAPI 3.1 (JSON Schema 2020-12) schemas.
// The Go request and response types are the single source of truth: the
// document, request validation and response checks all come from here.
//
// Field rules: a field is required unless its json tag says omitempty or
// it is a pointer; pointers may be null. Validation keywords come from
// struct tags: minimum, maximum, minLength, maxLength, minItems, maxItems,
// pattern, format, enum (comma-separated), doc (description).
type schemaSet struct {
	components openapi3.Schemas
	byType     map[reflect.Type]string // named struct type -> component name
	// shaped are types with their own JSON methods that still write their
	// struct's shape (only filling defaults or turning nil lists into []),
	// so they are documented by the struct. Their fields are not listed as
	// required, since their decoders fill absent fields with defaults.
	shaped map[reflect.Type]bool
}

func newSchemaSet(shaped ...reflect.Type) *schemaSet {
	s := &schemaSet{components: openapi3.Schemas{}, byType: map[reflect.Type]string{}, shaped: map[reflect.Type]bool{}}
	for _, t := range shaped {
		s.shaped[t] = true
	}
	return s
}

// opaque reports whether t's JSON form is its own business (custom
// marshalling not known to keep the struct's shape).
func (s *schemaSet) opaque(t reflect.Type) bool { return customJSON(t) && !s.shaped[t] }

var (
	timeType      = reflect.TypeFor[time.Time]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// ref returns the schema of t: a $ref to a component for named structs
// (with the resolved value kept alongside, so validation needs no lookup).
func (s *schemaSet) ref(t reflect.Type) (*openapi3.SchemaRef, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t.Name() != "" && t != timeType && !s.opaque(t) {
		if name, ok := s.byType[t]; ok {
			return &openapi3.SchemaRef{Ref: "#/components/schemas/" + name, Value: s.components[name].Value}, nil
		}
		name := s.componentName(t)
		schema := &openapi3.Schema{}
		s.byType[t] = name
		s.components[name] = &openapi3.SchemaRef{Value: schema}
		if err := s.fillStruct(schema, t); err != nil {
			return nil, err
		}
		return &openapi3.SchemaRef{Ref: "#/components/schemas/" + name, Value: schema}, nil
	}
	schema, err := s.inline(t)
	if err != nil {
		return nil, err
	}
	return &openapi3.SchemaRef{Value: schema}, nil
}

// componentName is the type's name, qualified by its package when two
// packages use the same name.
func (s *schemaSet) componentName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 { // generic instance
		name = name[:i]
	}
	if _, taken := s.components[name]; !taken {
		return name
	}
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + name
}

func customJSON(t reflect.Type) bool {
	if t == rawType {
		return true
	}
	pt := reflect.PointerTo(t)
	return t.Implements(marshalerType) || pt.Implements(marshalerType) || t.Implements(textType) || pt.Implements(textType)
}

func (s *schemaSet) inline(t reflect.Type) (*openapi3.Schema, error) {
	if t == timeType {
		return &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"}, nil
	}
	if s.opaque(t) {
		return &openapi3.Schema{}, nil // any JSON value
	}
	switch t.Kind() {
	case reflect.Bool:
		return &openapi3.Schema{Type: &openapi3.Types{"boolean"}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &openapi3.Schema{Type: &openapi3.Types{"integer"}}, nil
	case reflect.Float32, reflect.Float64:
		return &openapi3.Schema{Type: &openapi3.Types{"number"}}, nil
	case reflect.String:
		return &openapi3.Schema{Type: &openapi3.Types{"string"}}, nil
	case reflect.Slice, reflect.Array:
		items, err := s.ref(t.Elem())
		if err != nil {
			return nil, err
		}
		return &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("schema: map key of %s must be a string", t)
		}
		values, err := s.ref(t.Elem())
		if err != nil {
			return nil, err
		}
		return &openapi3.Schema{Type: &openapi3.Types{"object"}, AdditionalProperties: openapi3.AdditionalProperties{Schema: values}}, nil
	case reflect.Interface:
		return &openapi3.Schema{}, nil
	case reflect.Struct:
		schema := &openapi3.Schema{}
		return schema, s.fillStruct(schema, t)
	}
	return nil, fmt.Errorf("schema: unsupported type %s", t)
}

func (s *schemaSet) fillStruct(schema *openapi3.Schema, t reflect.Type) error {
	schema.Type = &openapi3.Types{"object"}
	if schema.Properties == nil {
		schema.Properties = openapi3.Schemas{}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, omitempty, skip := jsonName(f)
		if skip {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			if err := s.fillStruct(schema, f.Type); err != nil {
				return err
			}
			continue
		}
		prop, err := s.field(f)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
		}
		schema.Properties[name] = prop
		if !omitempty && f.Type.Kind() != reflect.Pointer && !s.shaped[t] {
			schema.Required = append(schema.Required, name)
		}
	}
	return nil
}

// field is the schema of one struct field: its type's schema plus the
// keywords from its tags. Keywords and nullability go on a copy so they do
// not leak into a shared component; a nullable component is inlined, since
// wrapping it in anyOf would hide which inner field failed validation.
func (s *schemaSet) field(f reflect.StructField) (*openapi3.SchemaRef, error) {
	ref, err := s.ref(f.Type)
	if err != nil {
		return nil, err
	}
	nullable := f.Type.Kind() == reflect.Pointer
	if !hasKeywords(f.Tag) && !nullable {
		return ref, nil
	}
	copied := *ref.Value
	schema := &copied
	if err := applyKeywords(schema, f.Tag); err != nil {
		return nil, err
	}
	if nullable {
		if schema.Type != nil {
			types := append(openapi3.Types{}, *schema.Type...)
			schema.Type = &types
			*schema.Type = append(*schema.Type, "null")
		} else {
			schema = &openapi3.Schema{AnyOf: openapi3.SchemaRefs{{Value: schema}, {Value: &openapi3.Schema{Type: &openapi3.Types{"null"}}}}}
		}
	}
	return &openapi3.SchemaRef{Value: schema}, nil
}

var keywordTags = []string{"doc", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "format", "enum"}

func hasKeywords(tag reflect.StructTag) bool {
	for _, k := range keywordTags {
		if _, ok := tag.Lookup(k); ok {
			return true
		}
	}
	return false
}

// applyKeywords copies validation keywords from tags onto schema.
func applyKeywords(schema *openapi3.Schema, tag reflect.StructTag) error {
	num := func(k string, dst **float64) error {
		if v, ok := tag.Lookup(k); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("tag %s=%q: %w", k, v, err)
			}
			*dst = &f
		}
		return nil
	}
	count := func(k string, dst **uint64) error {
		if v, ok := tag.Lookup(k); ok {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return fmt.Errorf("tag %s=%q: %w", k, v, err)
			}
			*dst = &n
		}
		return nil
	}
	var minLen, minItems *uint64
	for _, err := range []error{
		num("minimum", &schema.Min), num("maximum", &schema.Max),
		count("minLength", &minLen), count("maxLength", &schema.MaxLength),
		count("minItems", &minItems), count("maxItems", &schema.MaxItems),
	} {
		if err != nil {
			return err
		}
	}
	if minLen != nil {
		schema.MinLength = *minLen
	}
	if minItems != nil {
		schema.MinItems = *minItems
	}
	if v, ok := tag.Lookup("pattern"); ok {
		schema.Pattern = v
	}
	if v, ok := tag.Lookup("format"); ok {
		schema.Format = v
	}
	if v, ok := tag.Lookup("doc"); ok {
		schema.Description = v
	}
	if v, ok := tag.Lookup("enum"); ok {
		schema.Enum = nil
		for _, e := range strings.Split(v, ",") {
			schema.Enum = append(schema.Enum, e)
		}
	}
	return nil
}

// jsonName reads a field's json tag the way encoding/json does.
func jsonName(f reflect.StructField) (name string, omitempty, skip bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, true
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			omitempty = true
		}
	}
	return name, omitempty, false
}
