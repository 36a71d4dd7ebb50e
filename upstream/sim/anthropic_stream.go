package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// streamPingEvery is how often a long pause between deltas is filled with
// a ping, as the API keeps idle streams alive.
const streamPingEvery = 5 * time.Second

var pingData = []byte(`{"type": "ping"}`)

// sseEvent is one planned event of a stream; delta events wait for the
// inter-delta latency first.
type sseEvent struct {
	name  string
	data  []byte
	delta bool
}

// Event payloads, fields in wire order.
type (
	evMessageStart struct {
		Type    string      `json:"type"`
		Message messageJSON `json:"message"`
	}
	evBlockStart struct {
		Type         string `json:"type"`
		Index        int    `json:"index"`
		ContentBlock any    `json:"content_block"`
	}
	evBlockDelta struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
		Delta any    `json:"delta"`
	}
	evBlockStop struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}
	evMessageDelta struct {
		Type  string `json:"type"`
		Delta struct {
			StopReason   *string `json:"stop_reason"`
			StopSequence *string `json:"stop_sequence"`
		} `json:"delta"`
		Usage usageJSON `json:"usage"`
	}
	evType struct {
		Type string `json:"type"`
	}
	textDelta struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	thinkingDelta struct {
		Type     string `json:"type"`
		Thinking string `json:"thinking"`
	}
	signatureDelta struct {
		Type      string `json:"type"`
		Signature string `json:"signature"`
	}
	inputJSONDelta struct {
		Type        string `json:"type"`
		PartialJSON string `json:"partial_json"`
	}
)

// streamEvents plans the whole stream in the §7.3 grammar: message_start,
// then per block start / deltas / stop (a ping after the first start),
// then message_delta with the final stop_reason and cumulative usage, then
// message_stop.
func (c *composed) streamEvents(rng *rand.Rand) []sseEvent {
	var evs []sseEvent
	add := func(name string, v any, delta bool) {
		evs = append(evs, sseEvent{name: name, data: marshalCompact(v), delta: delta})
	}
	start := c.message()
	start.Content, start.StopReason = []any{}, nil
	start.Usage.OutputTokens = 1
	add("message_start", evMessageStart{Type: "message_start", Message: start}, false)
	for i, b := range c.blocks {
		add("content_block_start", evBlockStart{Type: "content_block_start", Index: i, ContentBlock: b.start()}, false)
		if i == 0 {
			evs = append(evs, sseEvent{name: "ping", data: pingData})
		}
		delta := func(d any) {
			add("content_block_delta", evBlockDelta{Type: "content_block_delta", Index: i, Delta: d}, true)
		}
		switch b.kind {
		case "text":
			for _, chunk := range wordChunks(b.text, rng) {
				delta(textDelta{Type: "text_delta", Text: chunk})
			}
		case "thinking":
			for _, chunk := range wordChunks(b.text, rng) {
				delta(thinkingDelta{Type: "thinking_delta", Thinking: chunk})
			}
			delta(signatureDelta{Type: "signature_delta", Signature: b.signature})
		case "tool_use":
			for _, frag := range jsonFragments(b.partial, rng) {
				delta(inputJSONDelta{Type: "input_json_delta", PartialJSON: frag})
			}
		}
		add("content_block_stop", evBlockStop{Type: "content_block_stop", Index: i}, false)
	}
	md := evMessageDelta{Type: "message_delta", Usage: c.usage}
	stop := c.stopReason
	md.Delta.StopReason = &stop
	add("message_delta", md, false)
	add("message_stop", evType{Type: "message_stop"}, false)
	return evs
}

// wordChunks splits text into runs of one to four words, spaces kept.
func wordChunks(text string, rng *rand.Rand) []string {
	words := strings.SplitAfter(text, " ")
	var out []string
	for len(words) > 0 && text != "" {
		n := min(1+rng.IntN(4), len(words))
		out = append(out, strings.Join(words[:n], ""))
		words = words[n:]
	}
	return out
}

// jsonFragments splits tool input the way the API streams it: an empty
// first fragment, then pieces of 1–16 bytes cut anywhere, inside strings
// and escapes included, but never inside a UTF-8 character.
func jsonFragments(s string, rng *rand.Rand) []string {
	out := []string{""}
	for len(s) > 0 {
		n := min(1+rng.IntN(16), len(s))
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n++
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// streamMessage writes a composed message as SSE, one flush per event.
// A stream fault stops it after Fault.After events: with an error event
// (stream_error) or by just ending the body (stream_cut). It stops early
// when the client goes away or the simulator shuts down.
func (s *Server) streamMessage(w http.ResponseWriter, r *http.Request, msg *composed, f Fault, faulted bool) {
	events := msg.streamEvents(s.anthropic.rngFor(msg.id))
	stopAt := -1
	if faulted {
		stopAt = min(f.After, len(events)-1)
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	send := func(name string, data []byte) error {
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); err != nil {
			return err
		}
		return rc.Flush()
	}
	ctx := r.Context()
	for i, ev := range events {
		if i == stopAt {
			if f.Kind == FaultStreamError {
				_ = send("error", marshalCompact(errorBody("overloaded_error", "Overloaded", h.Get("Request-Id"))))
			}
			return
		}
		if ev.delta && !s.pauseStream(ctx, s.latency.sample(AnthropicStreamLatency), send) {
			return
		}
		if s.streamOver(ctx) || send(ev.name, ev.data) != nil {
			return
		}
	}
}

// pauseStream waits d, sending a ping every streamPingEvery of it; false
// means the stream must end.
func (s *Server) pauseStream(ctx context.Context, d time.Duration, send func(string, []byte) error) bool {
	for d > 0 {
		step := min(d, streamPingEvery)
		t := time.NewTimer(step)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-s.done:
			t.Stop()
			return false
		case <-t.C:
		}
		if d -= step; d > 0 && send("ping", pingData) != nil {
			return false
		}
	}
	return true
}

func (s *Server) streamOver(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-s.done:
		return true
	default:
		return false
	}
}
