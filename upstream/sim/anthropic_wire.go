package sim

import (
	"encoding/json"
	"strings"
)

// The Anthropic simulator decodes requests into its own loose wire types
// rather than the SDK's: it has to accept whatever any client sends (both
// SDK majors, curl, the TypeScript app) and judge it the way the API does.

// msgRequest is the body of POST /v1/messages. Pointers mark fields whose
// absence is an error or changes behaviour.
type msgRequest struct {
	Model        *string         `json:"model"`
	MaxTokens    *int64          `json:"max_tokens"`
	Messages     []wireMessage   `json:"messages"`
	System       json.RawMessage `json:"system"`
	Tools        json.RawMessage `json:"tools"`
	ToolChoice   *wireToolChoice `json:"tool_choice"`
	Thinking     *wireThinking   `json:"thinking"`
	Stream       bool            `json:"stream"`
	Temperature  *float64        `json:"temperature"`
	TopP         *float64        `json:"top_p"`
	TopK         *int64          `json:"top_k"`
	CacheControl json.RawMessage `json:"cache_control"`
}

type wireMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// wireBlock is any content block; only the fields of its type are set.
type wireBlock struct {
	Type         string          `json:"type"`
	Text         string          `json:"text"`
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Input        json.RawMessage `json:"input"`
	ToolUseID    string          `json:"tool_use_id"`
	Content      json.RawMessage `json:"content"`
	IsError      bool            `json:"is_error"`
	Thinking     string          `json:"thinking"`
	Signature    string          `json:"signature"`
	Citations    json.RawMessage `json:"citations"`
	CacheControl json.RawMessage `json:"cache_control"`
}

type wireTool struct {
	Type         string          `json:"type"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	InputSchema  json.RawMessage `json:"input_schema"`
	CacheControl json.RawMessage `json:"cache_control"`
}

// custom reports whether the tool is a client tool (as opposed to a server
// tool such as web search, which has a versioned type and no schema).
func (t wireTool) custom() bool { return t.Type == "" || t.Type == "custom" }

type wireToolChoice struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type wireThinking struct {
	Type         string `json:"type"`
	BudgetTokens *int64 `json:"budget_tokens"`
}

func (t *wireThinking) enabled() bool {
	return t != nil && (t.Type == "enabled" || t.Type == "adaptive")
}

// turn is one conversation turn after consecutive same-role messages have
// been merged, the way the API treats them.
type msgTurn struct {
	Role   string
	Blocks []wireBlock
}

// text joins the turn's text blocks.
func (t msgTurn) text() string {
	var parts []string
	for _, b := range t.Blocks {
		if b.Type == "text" && strings.TrimSpace(b.Text) != "" {
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// toolResults lists the turn's tool_result blocks in order.
func (t msgTurn) toolResults() []wireBlock {
	var out []wireBlock
	for _, b := range t.Blocks {
		if b.Type == "tool_result" {
			out = append(out, b)
		}
	}
	return out
}

// toolUses lists the turn's tool_use blocks in order.
func (t msgTurn) toolUses() []wireBlock {
	var out []wireBlock
	for _, b := range t.Blocks {
		if b.Type == "tool_use" {
			out = append(out, b)
		}
	}
	return out
}

// decodeBlocks reads message content, which is a string or a block array.
func decodeBlocks(raw json.RawMessage) ([]wireBlock, bool) {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return []wireBlock{{Type: "text", Text: s}}, true
	}
	var blocks []wireBlock
	if json.Unmarshal(raw, &blocks) != nil {
		return nil, false
	}
	return blocks, true
}

// resultText is the text of a tool_result's content (a string or blocks).
func resultText(b wireBlock) string {
	blocks, ok := decodeBlocks(b.Content)
	if !ok {
		return ""
	}
	var parts []string
	for _, c := range blocks {
		if c.Type == "text" {
			parts = append(parts, c.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// systemText reads the system prompt, a string or an array of text blocks.
func systemText(raw json.RawMessage) (string, bool) {
	if len(strings.TrimSpace(string(raw))) == 0 || string(raw) == "null" {
		return "", true
	}
	blocks, ok := decodeBlocks(raw)
	if !ok {
		return "", false
	}
	var parts []string
	for _, b := range blocks {
		if b.Type != "text" {
			return "", false
		}
		parts = append(parts, b.Text)
	}
	return strings.Join(parts, "\n"), true
}

// Response shapes, with fields in the order the API writes them.

type textBlockJSON struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type thinkingBlockJSON struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
}

type toolUseBlockJSON struct {
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type usageJSON struct {
	InputTokens              int    `json:"input_tokens"`
	CacheCreationInputTokens int    `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int    `json:"cache_read_input_tokens"`
	OutputTokens             int    `json:"output_tokens"`
	ServiceTier              string `json:"service_tier,omitempty"`
}

type messageJSON struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	Role         string    `json:"role"`
	Model        string    `json:"model"`
	Content      []any     `json:"content"`
	StopReason   *string   `json:"stop_reason"`
	StopSequence *string   `json:"stop_sequence"`
	Usage        usageJSON `json:"usage"`
}

type errorBodyJSON struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	RequestID string `json:"request_id,omitempty"`
}

func errorBody(typ, msg, requestID string) errorBodyJSON {
	var b errorBodyJSON
	b.Type = "error"
	b.Error.Type = typ
	b.Error.Message = msg
	b.RequestID = requestID
	return b
}

// marshalCompact encodes v the way the API does: one line, <, > and &
// left literal.
func marshalCompact(v any) []byte {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{}`)
	}
	return []byte(strings.TrimSuffix(b.String(), "\n"))
}
