package actors

import (
	"errors"
	"strings"
	"testing"
)

func TestEventFraming(t *testing.T) {
	tests := []struct {
		name    string
		framing Framing
		ev      Event
		want    string
		wantErr bool
	}{
		{name: "named", framing: FramingNamed, ev: Event{Name: "tick", Data: []byte(`{"p":81234,"ts":1735000000000}`)},
			want: "event: tick\ndata: {\"p\":81234,\"ts\":1735000000000}\n\n"},
		{name: "data-only on a named stream", framing: FramingNamed, ev: Event{Data: []byte(`[1,2]`)},
			want: "data: [1,2]\n\n"},
		{name: "envelope", framing: FramingEnvelope, ev: Event{Name: "content", Data: []byte(`"Let me look"`)},
			want: "data: {\"type\":\"content\",\"data\":\"Let me look\"}\n\n"},
		{name: "empty data is null", framing: FramingEnvelope, ev: Event{Name: "done"},
			want: "data: {\"type\":\"done\",\"data\":null}\n\n"},
		{name: "pretty JSON goes out on one line", framing: FramingNamed, ev: Event{Name: "init", Data: []byte("{\n  \"a\": 1,\r\n  \"b\": \"x\\ny\"\n}\n")},
			want: "event: init\ndata: {\"a\":1,\"b\":\"x\\ny\"}\n\n"},
		{name: "raw text is not JSON", framing: FramingNamed, ev: Event{Name: "x", Data: []byte("line one\nline two")}, wantErr: true},
		{name: "newline in name", framing: FramingNamed, ev: Event{Name: "a\ndata: evil", Data: []byte(`1`)}, wantErr: true},
		{name: "colon in name", framing: FramingNamed, ev: Event{Name: "a:b", Data: []byte(`1`)}, wantErr: true},
		{name: "quote in envelope type", framing: FramingEnvelope, ev: Event{Name: `a"b`, Data: []byte(`1`)}, wantErr: true},
		{name: "envelope needs a type", framing: FramingEnvelope, ev: Event{Data: []byte(`1`)}, wantErr: true},
		{name: "name too long", framing: FramingNamed, ev: Event{Name: strings.Repeat("a", 65), Data: []byte(`1`)}, wantErr: true},
		{name: "over the size limit", framing: FramingNamed, ev: Event{Name: "big", Data: []byte(`"` + strings.Repeat("a", 100) + `"`)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.framing.encode(tt.ev, 64)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidEvent) {
					t.Fatalf("want ErrInvalidEvent, got %q, %v", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("frame\n got %q\nwant %q", got, tt.want)
			}
			// However the data looked, a frame is its lines plus one blank line.
			if n := strings.Count(string(got), "\n\n"); n != 1 || !strings.HasSuffix(string(got), "\n\n") {
				t.Fatalf("frame %q is not exactly one SSE event", got)
			}
		})
	}
}

func TestNewEventMarshals(t *testing.T) {
	ev, err := NewEvent("connected", map[string]string{"requestId": "r\n1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := FramingEnvelope.encode(ev, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := "data: {\"type\":\"connected\",\"data\":{\"requestId\":\"r\\n1\"}}\n\n"; string(got) != want {
		t.Fatalf("got %q want %q", got, want)
	}
	if _, err := NewEvent("bad", func() {}); !errors.Is(err, ErrInvalidEvent) {
		t.Fatalf("unmarshalable value: %v", err)
	}
}
