package actors

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// The SSE event encoder is fuzzed from two sides: FuzzEventFraming feeds
// arbitrary names and data straight to the framing, FuzzNewEvent feeds
// arbitrary Go strings through NewEvent as routes do. Either the event is
// refused with ErrInvalidEvent, or the frame is exactly one SSE event that
// a client parses back to the same name and the same JSON value.

// sseField is one field line of a parsed frame.
type sseField struct{ name, value string }

// parseFrame reads frame as an SSE client does (WHATWG event-stream
// rules: lines end at \n, \r or \r\n; "name: value"; an empty line ends
// the event). It fails unless frame is exactly one event.
func parseFrame(t *testing.T, frame []byte) []sseField {
	t.Helper()
	s := string(frame)
	if !strings.HasSuffix(s, "\n\n") {
		t.Fatalf("frame %q does not end with a blank line", s)
	}
	body := strings.TrimSuffix(s, "\n\n")
	if strings.ContainsAny(body, "\r") || strings.Contains(body, "\n\n") {
		t.Fatalf("frame %q holds more than one event (or a bare CR)", s)
	}
	var out []sseField
	for _, line := range strings.Split(body, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			t.Fatalf("frame %q: line %q is not a field", s, line)
		}
		out = append(out, sseField{name, strings.TrimPrefix(value, " ")})
	}
	return out
}

// decodedEvent is what a client gets from one frame: the event name (the
// envelope's type on an envelope stream) and the data as a JSON value.
func decodedEvent(t *testing.T, f Framing, frame []byte) (string, any) {
	t.Helper()
	var name, data string
	var datas int
	for _, fl := range parseFrame(t, frame) {
		switch fl.name {
		case "event":
			name = fl.value
		case "data":
			data = fl.value
			datas++
		default:
			t.Fatalf("frame %q has field %q", frame, fl.name)
		}
	}
	if datas != 1 {
		t.Fatalf("frame %q has %d data lines, want 1", frame, datas)
	}
	var v any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatalf("frame %q: data is not JSON: %v", frame, err)
	}
	if f != FramingEnvelope {
		return name, v
	}
	if name != "" {
		t.Fatalf("envelope frame %q has an event field", frame)
	}
	env, ok := v.(map[string]any)
	typ, typed := env["type"].(string)
	if !ok || !typed || len(env) != 2 {
		t.Fatalf("envelope frame %q is not {type, data}", frame)
	}
	return typ, env["data"]
}

// jsonValue decodes data as the encoder should have read it.
func jsonValue(t *testing.T, data []byte) any {
	t.Helper()
	if len(bytes.Trim(data, jsonSpace)) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("accepted data %q is not JSON: %v", data, err)
	}
	return v
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func FuzzEventFraming(f *testing.F) {
	for _, s := range []struct {
		name     string
		data     string
		envelope bool
		limit    int
	}{
		{"tick", `{"p":81234,"ts":1735000000000}`, false, 0},
		{"", `[1,2]`, false, 0},
		{"content", `"Let me look"`, true, 0},
		{"done", ``, true, 0},
		{"init", "{\n  \"a\": 1,\r\n  \"b\": \"x\\ny\"\n}\n", false, 0},
		{"x", "line one\nline two", false, 0},
		{"a\ndata: evil", `1`, false, 0},
		{"a:b", `1`, true, 0},
		{`a"b`, `1`, true, 0},
		{strings.Repeat("a", 65), `1`, false, 0},
		{"big", `"` + strings.Repeat("a", 100) + `"`, false, 64},
		{"u", `"\u2028\u0000 \ud800"`, true, 0},
		{"nested", `{"a":[{"b":null}],"c":"\r\n"}` + "\t", false, 0},
		{"junk", "{\"a\":1}\n{\"b\":2}", true, 0},
		{"bom", "\ufeff{}", false, 0},
	} {
		f.Add(s.name, []byte(s.data), s.envelope, s.limit)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte, envelope bool, limit int) {
		framing := FramingNamed
		if envelope {
			framing = FramingEnvelope
		}
		limit = limit % (1 << 20)
		frame, err := framing.encode(Event{Name: name, Data: data}, limit)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("refusal is not ErrInvalidEvent: %v", err)
			}
			if frame != nil {
				t.Fatalf("refused event still framed: %q", frame)
			}
			return
		}
		if !utf8.Valid([]byte(name)) || len(name) > maxEventName || strings.ContainsAny(name, "\r\n:\" ") {
			t.Fatalf("name %q was accepted", name)
		}
		gotName, gotData := decodedEvent(t, framing, frame)
		if gotName != name {
			t.Fatalf("name %q came back as %q from %q", name, gotName, frame)
		}
		if want := jsonValue(t, data); !equalJSON(gotData, want) {
			t.Fatalf("data %q came back as %v from %q", data, gotData, frame)
		}
	})
}

func FuzzNewEvent(f *testing.F) {
	f.Add("connected", "r\n1", 0.5, true)
	f.Add("error", "data: x\n\nevent: evil", -1e300, false)
	f.Add("content", "\u2028\u2029\x00\xff", 3.0, true)
	f.Add("reconnect", "", 0.0, false)
	f.Fuzz(func(t *testing.T, name, text string, num float64, envelope bool) {
		framing := FramingNamed
		if envelope {
			framing = FramingEnvelope
		}
		payload := map[string]any{"text": text, "list": []string{text, name}, "n": num}
		ev, err := NewEvent(name, payload)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("NewEvent refusal is not ErrInvalidEvent: %v", err)
			}
			return // NaN and ±Inf are not JSON
		}
		frame, err := framing.encode(ev, 0)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("refusal is not ErrInvalidEvent: %v", err)
			}
			return
		}
		gotName, gotData := decodedEvent(t, framing, frame)
		if gotName != name {
			t.Fatalf("name %q came back as %q", name, gotName)
		}
		// What the client decodes is what json.Marshal made of the value
		// (invalid UTF-8 becomes U+FFFD there, not in the framing).
		if want := jsonValue(t, ev.Data); !equalJSON(gotData, want) {
			t.Fatalf("payload %v came back as %v from %q", want, gotData, frame)
		}
	})
}
