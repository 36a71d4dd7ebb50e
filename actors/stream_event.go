package actors

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Event is one Server-Sent Event as a route hands it to its Stream. The
// stream's Framing decides how it looks on the wire, so a route never
// writes SSE syntax itself and cannot produce a frame that breaks it.
type Event struct {
	// Name is the event's name: the `event:` field on a named stream ("" =
	// a data-only frame), the envelope's "type" on an envelope stream
	// (required there). 1–64 characters of A–Z, a–z, 0–9, '_', '-', '.'.
	Name string
	// Data is JSON. It always goes out on one `data:` line: insignificant
	// whitespace (pretty-printing) is removed, and anything that is not
	// valid JSON is refused, so a multi-line payload cannot happen. Empty
	// means null.
	Data []byte
}

// NewEvent marshals v as the event's data.
func NewEvent(name string, v any) (Event, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %s: %w", ErrInvalidEvent, name, err)
	}
	return Event{Name: name, Data: b}, nil
}

// Framing is how a stream puts Events on the wire. The reference app's
// streams use two: the player names its events; chat and steer send
// data-only frames whose JSON carries the name (anchor-api §7.1).
type Framing int

const (
	// FramingNamed writes "event: <Name>\ndata: <Data>\n\n" (player); an
	// Event without a name becomes a data-only frame.
	FramingNamed Framing = iota
	// FramingEnvelope writes data-only frames `data: {"type":<Name>,
	// "data":<Data>}` (chat, steer).
	FramingEnvelope
)

func (f Framing) String() string {
	if f == FramingEnvelope {
		return "envelope"
	}
	return "named"
}

// heartbeatFrame is the comment line that keeps proxies and the SPA's
// staleness check from thinking an idle stream is dead.
const heartbeatFrame = ": heartbeat\n\n"

const maxEventName = 64

// encode builds the wire frame for ev, refusing anything that could break
// SSE framing or exceed limit bytes of data.
func (f Framing) encode(ev Event, limit int) ([]byte, error) {
	if err := checkEventName(ev.Name, f == FramingEnvelope); err != nil {
		return nil, err
	}
	data, err := oneLineJSON(ev.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidEvent, ev.Name, err)
	}
	if limit > 0 && len(data) > limit {
		return nil, fmt.Errorf("%w: %s: %d bytes of data, the limit is %d", ErrInvalidEvent, ev.Name, len(data), limit)
	}
	b := make([]byte, 0, len(data)+len(ev.Name)+40)
	switch {
	case f == FramingEnvelope:
		b = append(b, `data: {"type":"`...)
		b = append(b, ev.Name...)
		b = append(b, `","data":`...)
		b = append(b, data...)
		b = append(b, "}\n\n"...)
	case ev.Name != "":
		b = append(b, "event: "...)
		b = append(b, ev.Name...)
		b = append(b, "\ndata: "...)
		b = append(b, data...)
		b = append(b, "\n\n"...)
	default:
		b = append(b, "data: "...)
		b = append(b, data...)
		b = append(b, "\n\n"...)
	}
	return b, nil
}

// checkEventName allows a small alphabet: nothing that could end a line,
// start a field or need escaping inside the envelope's JSON string.
func checkEventName(name string, required bool) error {
	if name == "" {
		if required {
			return fmt.Errorf("%w: an envelope event needs a name (its type)", ErrInvalidEvent)
		}
		return nil
	}
	if len(name) > maxEventName {
		return fmt.Errorf("%w: name longer than %d characters", ErrInvalidEvent, maxEventName)
	}
	for _, r := range name {
		ok := r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return fmt.Errorf("%w: name %q has a character outside [A-Za-z0-9_.-]", ErrInvalidEvent, name)
		}
	}
	return nil
}

// jsonSpace is JSON's insignificant whitespace (RFC 8259 §2). Other
// Unicode spaces (\v, U+0085, U+00A0) are not JSON and make data invalid.
const jsonSpace = " \t\r\n"

// oneLineJSON returns data as compact single-line JSON ("null" when
// empty). Valid JSON has line breaks only as whitespace between tokens
// (inside strings they must be escaped), so compacting removes them all.
func oneLineJSON(data []byte) ([]byte, error) {
	data = bytes.Trim(data, jsonSpace)
	if len(data) == 0 {
		return []byte("null"), nil
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("data is not valid JSON")
	}
	if !bytes.ContainsAny(data, "\r\n") {
		return data, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, fmt.Errorf("compact data: %w", err)
	}
	return buf.Bytes(), nil
}
