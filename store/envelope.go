package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// formatVersion is written into every envelope. Bump it when the envelope or
// the meaning of payloads changes incompatibly: values of another version are
// then treated as invalid (a miss, deleted) instead of being misread.
const formatVersion = 1

// Errors for values, exported so callers can branch with errors.Is.
var (
	// ErrInvalidValue is returned (wrapped) by writes whose record fails
	// Validate or is nil. On reads an invalid stored value is a miss, not
	// an error.
	ErrInvalidValue = errors.New("store: invalid value")
	// ErrClosed is returned by every operation after Close.
	ErrClosed = errors.New("store: closed")
)

// envelope is the stored form of every value: a format version, and either a
// JSON payload (a record) or the negative flag (a cached miss), never both.
type envelope struct {
	V    int             `json:"v"`
	Neg  bool            `json:"neg,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// encodeRecord validates v and wraps it in an envelope. Validation before the
// write keeps bad data out; validation after the read catches what got in
// anyway (older code, bit rot, a format change).
func encodeRecord[T Record](v T) ([]byte, error) {
	if isNil(v) {
		return nil, fmt.Errorf("%w: nil record", ErrInvalidValue)
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidValue, err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %w", ErrInvalidValue, err)
	}
	return json.Marshal(envelope{V: formatVersion, Data: data})
}

// encodeNegative returns the envelope of a cached miss.
func encodeNegative() []byte {
	b, err := json.Marshal(envelope{V: formatVersion, Neg: true})
	if err != nil { // a constant struct of an int and a bool cannot fail
		panic(fmt.Sprintf("store: encode negative envelope: %v", err))
	}
	return b
}

// decodeEnvelope parses raw strictly (unknown fields and trailing bytes are
// errors) and checks the envelope invariants.
func decodeEnvelope(raw []byte) (envelope, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return env, fmt.Errorf("envelope: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return env, errors.New("envelope: trailing data")
	}
	if env.V != formatVersion {
		return env, fmt.Errorf("envelope: format version %d, want %d", env.V, formatVersion)
	}
	hasData := len(env.Data) > 0 && !bytes.Equal(env.Data, []byte("null"))
	if env.Neg == hasData {
		return env, errors.New("envelope: needs exactly one of payload and negative flag")
	}
	return env, nil
}

// decodeRecord turns a stored value into a record, or says why it is invalid.
// negative reports a well-formed negative entry (no record then).
func decodeRecord[T Record](raw []byte) (v T, negative bool, err error) {
	env, err := decodeEnvelope(raw)
	if err != nil {
		return v, false, err
	}
	if env.Neg {
		return v, true, nil
	}
	if err := json.Unmarshal(env.Data, &v); err != nil {
		return v, false, fmt.Errorf("payload: %w", err)
	}
	if isNil(v) {
		return v, false, errors.New("payload: decodes to nil")
	}
	if err := v.Validate(); err != nil {
		return v, false, fmt.Errorf("payload: validate: %w", err)
	}
	return v, false, nil
}

// isNil reports whether v is a nil pointer, map, slice or interface. Records
// are often pointer types, and calling Validate on a nil one could panic.
func isNil[T any](v T) bool {
	rv := reflect.ValueOf(&v).Elem()
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	default:
		return false
	}
}
