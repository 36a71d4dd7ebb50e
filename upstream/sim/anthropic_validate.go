package sim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// The two API versions the simulator speaks (upstream-wire.md §7.6).
const (
	anthropicV1     = "2023-06-01"
	anthropicV2026  = "2026-10-21"
	minThinkBudget  = 1024
	maxRequestBytes = 32 << 20
)

var toolNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// apiError is a rejection in the API's envelope.
type anthropicError struct {
	status int
	typ    string
	msg    string
}

func (e *anthropicError) Error() string { return e.typ + ": " + e.msg }

func invalidRequest(format string, args ...any) *anthropicError {
	return &anthropicError{status: 400, typ: "invalid_request_error", msg: fmt.Sprintf(format, args...)}
}

// parsedRequest is a request that passed validation, in the shape the
// brain and the response writer use.
type parsedRequest struct {
	req     msgRequest
	version string
	model   string
	system  string
	tools   []wireTool
	turns   []msgTurn
}

// parseRequest decodes and validates a body the way the API does, so a
// client bug that the real service would reject is rejected here too.
func parseRequest(body []byte, version string) (*parsedRequest, *anthropicError) {
	var req msgRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, invalidRequest("request body is not valid JSON: %v", err)
	}
	p := &parsedRequest{req: req, version: version}
	if err := p.checkTop(); err != nil {
		return nil, err
	}
	if err := p.checkSampling(); err != nil {
		return nil, err
	}
	if err := p.checkTools(); err != nil {
		return nil, err
	}
	if err := p.checkMessages(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedRequest) checkTop() *anthropicError {
	r := p.req
	if r.Model == nil || strings.TrimSpace(*r.Model) == "" {
		return invalidRequest("model: Field required")
	}
	p.model = *r.Model
	if r.MaxTokens == nil {
		return invalidRequest("max_tokens: Field required")
	}
	if *r.MaxTokens < 0 {
		return invalidRequest("max_tokens: Input should be greater than or equal to 0")
	}
	if len(r.Messages) == 0 {
		return invalidRequest("messages: Field required (at least one message)")
	}
	sys, ok := systemText(r.System)
	if !ok {
		return invalidRequest("system: Input should be a string or a list of text blocks")
	}
	p.system = sys
	return nil
}

// checkSampling applies the version rules for temperature/top_p/top_k and
// the extended-thinking constraints.
func (p *parsedRequest) checkSampling() *anthropicError {
	r := p.req
	if p.version == anthropicV2026 {
		sampling := []struct {
			name string
			set  bool
		}{{"temperature", r.Temperature != nil}, {"top_p", r.TopP != nil}, {"top_k", r.TopK != nil}}
		for _, f := range sampling {
			if f.set {
				return invalidRequest("%s: Extra inputs are not permitted in API version %s", f.name, anthropicV2026)
			}
		}
	}
	if r.Temperature != nil && (*r.Temperature < 0 || *r.Temperature > 1) {
		return invalidRequest("temperature: must be between 0 and 1")
	}
	if r.TopP != nil && (*r.TopP < 0 || *r.TopP > 1) {
		return invalidRequest("top_p: must be between 0 and 1")
	}
	t := r.Thinking
	if t == nil {
		return nil
	}
	switch t.Type {
	case "enabled":
		if t.BudgetTokens == nil || *t.BudgetTokens < minThinkBudget {
			return invalidRequest("thinking.enabled.budget_tokens: Input should be greater than or equal to %d", minThinkBudget)
		}
		if *t.BudgetTokens >= *r.MaxTokens {
			return invalidRequest("`max_tokens` must be greater than `thinking.budget_tokens`")
		}
	case "adaptive":
		if t.BudgetTokens != nil {
			return invalidRequest("thinking.adaptive.budget_tokens: Extra inputs are not permitted")
		}
	case "disabled":
		return nil
	default:
		return invalidRequest("thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'")
	}
	if r.Temperature != nil && *r.Temperature != 1 {
		return invalidRequest("`temperature` may only be set to 1 when thinking is enabled")
	}
	if r.TopK != nil {
		return invalidRequest("`top_k` is not allowed when thinking is enabled")
	}
	if c := r.ToolChoice; c != nil && (c.Type == "any" || c.Type == "tool") {
		return invalidRequest("Thinking may not be enabled when tool_choice forces tool use.")
	}
	return nil
}

func (p *parsedRequest) checkTools() *anthropicError {
	if raw := strings.TrimSpace(string(p.req.Tools)); raw != "" && raw != "null" {
		if err := json.Unmarshal(p.req.Tools, &p.tools); err != nil {
			return invalidRequest("tools: Input should be a valid list")
		}
	}
	seen := map[string]bool{}
	for i, t := range p.tools {
		if !toolNameRE.MatchString(t.Name) {
			return invalidRequest("tools.%d.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", i)
		}
		if seen[t.Name] {
			return invalidRequest("tools: Tool names must be unique (%q)", t.Name)
		}
		seen[t.Name] = true
		if !t.custom() {
			continue
		}
		var schema struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(t.InputSchema, &schema) != nil || schema.Type != "object" {
			return invalidRequest("tools.%d.input_schema: JSON schema must have top-level type 'object'", i)
		}
	}
	if c := p.req.ToolChoice; c != nil {
		switch c.Type {
		case "auto", "any", "none":
		case "tool":
			if !seen[c.Name] {
				return invalidRequest("tool_choice: Tool %q not found in tools", c.Name)
			}
		default:
			return invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
		}
	}
	return nil
}

// checkMessages merges consecutive same-role turns, then checks roles,
// block shapes, the tool_use/tool_result pairing and the latest turn's
// thinking signatures.
func (p *parsedRequest) checkMessages() *anthropicError {
	for i, m := range p.req.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return invalidRequest("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		blocks, ok := decodeBlocks(m.Content)
		if !ok {
			return invalidRequest("messages.%d.content: Input should be a string or a list of content blocks", i)
		}
		finalAssistant := i == len(p.req.Messages)-1 && m.Role == "assistant"
		if len(blocks) == 0 && !finalAssistant {
			return invalidRequest("messages.%d: all messages must have non-empty content except for the optional final assistant message", i)
		}
		for _, b := range blocks {
			if b.Type == "text" && b.Text == "" && !finalAssistant {
				return invalidRequest("messages.%d: text content blocks must be non-empty", i)
			}
			if err := p.checkBlock(i, m.Role, b); err != nil {
				return err
			}
		}
		if n := len(p.turns); n > 0 && p.turns[n-1].Role == m.Role {
			p.turns[n-1].Blocks = append(p.turns[n-1].Blocks, blocks...)
			continue
		}
		p.turns = append(p.turns, msgTurn{Role: m.Role, Blocks: blocks})
	}
	if err := checkToolPairing(p.turns); err != nil {
		return err
	}
	return checkLatestThinking(p.turns)
}

func (p *parsedRequest) checkBlock(i int, role string, b wireBlock) *anthropicError {
	switch b.Type {
	case "text", "image", "document", "thinking", "redacted_thinking", "tool_use", "tool_result", "search_result":
	case "":
		return invalidRequest("messages.%d.content: each block needs a type", i)
	default:
		return nil // newer block kinds pass through untouched
	}
	if b.Type == "tool_use" && (b.ID == "" || b.Name == "") {
		return invalidRequest("messages.%d.content: tool_use blocks need an id and a name", i)
	}
	if b.Type == "tool_result" && b.ToolUseID == "" {
		return invalidRequest("messages.%d.content: tool_result blocks need a tool_use_id", i)
	}
	if (b.Type == "tool_use" || b.Type == "thinking") && role != "assistant" {
		return invalidRequest("messages.%d.content: %s blocks are only allowed in assistant messages", i, b.Type)
	}
	if b.Type == "tool_result" && role != "user" {
		return invalidRequest("messages.%d.content: tool_result blocks are only allowed in user messages", i)
	}
	if p.version == anthropicV2026 {
		if b.Type == "document" && role == "assistant" {
			return invalidRequest("messages.%d.content: document blocks are not allowed in assistant messages", i)
		}
		if b.Type == "text" && role == "user" && nonEmptyArray(b.Citations) {
			return invalidRequest("messages.%d.content: text blocks in user messages may not carry citations", i)
		}
	}
	return nil
}

func nonEmptyArray(raw json.RawMessage) bool {
	var list []json.RawMessage
	return json.Unmarshal(raw, &list) == nil && len(list) > 0
}

// checkToolPairing enforces §7.4: every tool_use id is answered by a
// tool_result at the start of the immediately following user turn, and
// every tool_result answers a tool_use of the turn just before it.
func checkToolPairing(turns []msgTurn) *anthropicError {
	for i, t := range turns {
		if t.Role == "user" {
			if err := checkResults(turns, i); err != nil {
				return err
			}
			continue
		}
		uses := t.toolUses()
		if len(uses) == 0 {
			continue
		}
		var leading map[string]bool
		if i+1 < len(turns) {
			leading = leadingResults(turns[i+1])
		}
		for _, u := range uses {
			if !leading[u.ID] {
				return invalidRequest("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", i, u.ID)
			}
		}
	}
	return nil
}

// leadingResults is the set of tool_use ids answered by the tool_result
// blocks a user turn starts with.
func leadingResults(t msgTurn) map[string]bool {
	ids := map[string]bool{}
	for _, b := range t.Blocks {
		if b.Type != "tool_result" {
			break
		}
		ids[b.ToolUseID] = true
	}
	return ids
}

func checkResults(turns []msgTurn, i int) *anthropicError {
	results := turns[i].toolResults()
	if len(results) == 0 {
		return nil
	}
	asked := map[string]bool{}
	if i > 0 {
		for _, u := range turns[i-1].toolUses() {
			asked[u.ID] = true
		}
	}
	leading := leadingResults(turns[i])
	for _, r := range results {
		if !asked[r.ToolUseID] {
			return invalidRequest("messages.%d.content: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, r.ToolUseID)
		}
		if !leading[r.ToolUseID] {
			return invalidRequest("messages.%d.content: `tool_result` blocks must come before any other content in the message", i)
		}
	}
	return nil
}

// checkLatestThinking rejects a latest assistant turn whose thinking was
// edited: the simulator signs the thinking it emits, like the API does.
func checkLatestThinking(turns []msgTurn) *anthropicError {
	for i := len(turns) - 1; i >= 0; i-- {
		if turns[i].Role != "assistant" {
			continue
		}
		for _, b := range turns[i].Blocks {
			if b.Type == "thinking" && b.Signature != signThinking(b.Thinking) {
				return invalidRequest("messages.%d.content: `thinking` or `redacted_thinking` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.", i)
			}
		}
		return nil
	}
	return nil
}
