package actors

import "encoding/json"

// The chat stream's events (anchor-api §7.2), one Go type per payload so
// that nothing but these shapes can reach the client. The reference also
// mirrored its server logs (`log`) and three `debug` objects into the
// stream, stack traces included (defect #26); neither exists here: the
// request ID travels in the X-Request-ID header instead.
const (
	// ChatThinking carries a short progress line (a string).
	ChatThinking = "thinking"
	// ChatContent carries assistant text to append (a string).
	ChatContent = "content"
	// ChatToolStart announces a tool call (ChatToolStartData).
	ChatToolStart = "tool_start"
	// ChatToolEnd ends the tool call announced last (ChatToolEndData);
	// it follows every tool_start, also when the tool failed.
	ChatToolEnd = "tool_end"
	// ChatError is a client-safe message (a string).
	ChatError = "error"
	// ChatDone is always the last frame of a finished chat (data null).
	ChatDone = "done"
)

// ChatToolStartData is the payload of tool_start: the tool and its input
// as the model gave it (for some tools a summary, see toolSpec.display).
type ChatToolStartData struct {
	Tool string          `json:"tool"`
	Args json.RawMessage `json:"args"`
}

// ChatToolEndData is the payload of tool_end: a short human summary
// ("Found 10 tracks"). Error is true when the tool failed; Result then
// says why in words safe to show.
type ChatToolEndData struct {
	Tool   string `json:"tool"`
	Result string `json:"result"`
	Error  bool   `json:"error,omitempty"`
}

// Fixed progress lines, the reference's texts.
const (
	chatStarting       = "Getting started..."
	chatAnalyzing      = "Analyzing your request..."
	chatUsingTools     = "Using Spotify tools..."
	chatPreparing      = "Preparing response..."
	chatPreparingFinal = "Preparing final response..."
	chatRepetitive     = "Detected repetitive tool calls, wrapping up..."
	chatApology        = "Sorry, I couldn't come up with an answer to that. Could you try asking in a different way?"
)

// textEvent is an event whose data is one JSON string.
func textEvent(name, text string) Event {
	b, _ := json.Marshal(text) // a string always marshals
	return Event{Name: name, Data: b}
}

func chatThinking(text string) Event { return textEvent(ChatThinking, text) }

func chatContent(text string) Event { return textEvent(ChatContent, text) }

func chatError(text string) Event { return textEvent(ChatError, text) }

func chatDone() Event { return Event{Name: ChatDone, Data: []byte("null")} }

func chatToolStart(tool string, args json.RawMessage) Event {
	if !json.Valid(args) {
		args = json.RawMessage("{}")
	}
	b, _ := json.Marshal(ChatToolStartData{Tool: tool, Args: args})
	return Event{Name: ChatToolStart, Data: b}
}

func chatToolEnd(tool, result string, failed bool) Event {
	b, _ := json.Marshal(ChatToolEndData{Tool: tool, Result: result, Error: failed})
	return Event{Name: ChatToolEnd, Data: b}
}
