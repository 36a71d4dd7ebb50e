package actors

import (
	"encoding/json"
	"strings"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"

	"dj/upstream/anthropic"
)

// turnKind says which of the loop's model calls a turn is (§3.2: they
// differ in token limits and thinking).
type turnKind int

const (
	turnFirst  turnKind = iota // the user's message; thinking on
	turnFollow                 // after tool results
	turnFinal                  // forced answer; its tool calls are ignored
)

// Messages from a chat's workers to the chat actor. A worker may report
// just as the chat stops, so none is worth a dead-letter log.
type (
	// chatTurnDone is a model turn's outcome; its text already went out.
	chatTurnDone struct {
		kind   turnKind
		system string // turnFirst: the system prompt the worker built
		msg    *sdk.Message
		text   string
		calls  []anthropic.ToolUse
		err    error
	}
	// chatToolsDone carries one tool_result block per call, in order.
	chatToolsDone struct {
		results []sdk.ContentBlockParamUnion
		ran     []string
	}
	// chatWorkerFailed: a worker panicked (its recovered value, logged).
	chatWorkerFailed struct{ worker string }
)

func (*chatTurnDone) IgnoreDeadLetterLogging()     {}
func (*chatToolsDone) IgnoreDeadLetterLogging()    {}
func (*chatWorkerFailed) IgnoreDeadLetterLogging() {}

// assistantTurn replays a model turn for the next request: its text and
// tool calls (thinking is not replayed, as in the reference; later turns
// do not think).
func assistantTurn(msg *sdk.Message) sdk.MessageParam {
	var blocks []sdk.ContentBlockParamUnion
	for _, b := range msg.Content {
		switch b.Type {
		case "text":
			if b.Text != "" {
				blocks = append(blocks, sdk.NewTextBlock(b.Text))
			}
		case "tool_use":
			input := b.Input
			if !json.Valid(input) {
				input = json.RawMessage("{}")
			}
			blocks = append(blocks, sdk.NewToolUseBlock(b.ID, input, b.Name))
		}
	}
	return sdk.NewAssistantMessage(blocks...)
}

// callSignature is a turn's calls as name(input),… (§3.3 step 3.2).
func callSignature(calls []anthropic.ToolUse) string {
	parts := make([]string, len(calls))
	for i, tc := range calls {
		parts[i] = tc.Name + "(" + string(tc.Input) + ")"
	}
	return strings.Join(parts, ",")
}

// repetitive reports whether the last three turns made the same calls.
func repetitive(sigs []string) bool {
	n := len(sigs)
	return n >= 3 && sigs[n-1] == sigs[n-2] && sigs[n-2] == sigs[n-3]
}
