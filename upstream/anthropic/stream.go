package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
)

// EventKind says what an Event carries.
type EventKind uint8

const (
	// EventText is a piece of assistant text, forwarded to the listener as
	// it arrives.
	EventText EventKind = iota + 1
	// EventToolUse is a finished tool call: its input JSON is complete
	// (or {} when the stream cut it short), so it can be executed.
	EventToolUse
	// EventStop ends the message and carries its stop reason.
	EventStop
)

// Event is one thing a streamed answer delivered, reduced to what dj's
// chat loop acts on; thinking, pings and unknown events are not passed on.
type Event struct {
	Kind       EventKind
	Index      int            // content block index (text and tool use)
	Text       string         // EventText
	ToolUse    ToolUse        // EventToolUse
	StopReason sdk.StopReason // EventStop
}

// ToolUse is a tool call the model made.
type ToolUse struct {
	ID    string
	Name  string
	Input json.RawMessage
}

// errStreamCut is the cause when a stream ends without message_stop.
var errStreamCut = errors.New("stream ended before message_stop")

// Stream sends a streaming request, calls onEvent (if not nil) for each
// event as it arrives, on the caller's goroutine, and returns the message
// accumulated with Message.Accumulate. On failure it returns the partial
// message (nil if nothing started) with the error: the SDK never retries a
// started stream, so the caller decides whether to restart the turn.
func (c *Client) Stream(ctx context.Context, params sdk.MessageNewParams, onEvent func(Event)) (*sdk.Message, error) {
	const op = "messages.stream"
	callCtx, cancel := c.withTimeout(ctx)
	defer cancel()
	if onEvent == nil {
		onEvent = func(Event) {}
	}
	var resp *http.Response
	stream := c.sdk.Messages.NewStreaming(callCtx, c.defaults(params), option.WithResponseInto(&resp))
	defer func() { _ = stream.Close() }()
	var msg sdk.Message
	started, stopped := false, false
	partial := func() *sdk.Message {
		if started {
			return &msg
		}
		return nil
	}
	for stream.Next() {
		ev := stream.Current()
		if !started && ev.Type != "message_start" {
			return nil, c.badResponse(op, resp, fmt.Errorf("%s before message_start", ev.Type))
		}
		if err := msg.Accumulate(ev); err != nil {
			return partial(), c.badResponse(op, resp, fmt.Errorf("accumulate %s: %w", ev.Type, err))
		}
		switch ev.Type {
		case "message_start":
			started = true
		case "content_block_delta":
			if ev.Delta.Type == "text_delta" && ev.Delta.Text != "" {
				onEvent(Event{Kind: EventText, Index: int(ev.Index), Text: ev.Delta.Text})
			}
		case "content_block_stop":
			if b := msg.Content[ev.Index]; b.Type == "tool_use" {
				input := append(json.RawMessage(nil), b.Input...)
				onEvent(Event{Kind: EventToolUse, Index: int(ev.Index), ToolUse: ToolUse{ID: b.ID, Name: b.Name, Input: input}})
			}
		case "message_stop":
			stopped = true
			onEvent(Event{Kind: EventStop, StopReason: msg.StopReason})
		}
	}
	if err := stream.Err(); err != nil {
		return partial(), c.mapError(ctx, callCtx, op, err)
	}
	if !stopped {
		if !started && !isEventStream(resp) {
			return nil, c.badResponse(op, resp, errors.New("response is not an event stream"))
		}
		return partial(), c.mapError(ctx, callCtx, op, errStreamCut)
	}
	return &msg, nil
}

func isEventStream(resp *http.Response) bool {
	if resp == nil {
		return false
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "text/event-stream"
}

// statusOf is the HTTP status of a response, 0 when there was none.
func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}
