package sim

import (
	"encoding/json"
	"unicode/utf8"
)

// composed is the brain's reply made into an API message: ids assigned,
// max_tokens applied, usage counted. Both the JSON answer and the stream
// are rendered from it, so they always agree.
type composed struct {
	id         string
	model      string
	blocks     []outBlock
	stopReason string
	usage      usageJSON
}

// outBlock is one content block of a composed message.
type outBlock struct {
	kind      string // "thinking", "text" or "tool_use"
	text      string // the text, or the thinking
	signature string
	id, name  string
	input     json.RawMessage // tool input in the JSON answer (valid JSON)
	partial   string          // tool input as streamed; cut short by max_tokens
}

// compose applies the request's limits to a reply. Output is budgeted at
// four bytes a token: a block that does not fit is cut where the budget
// ends (a tool_use's streamed JSON then stays invalid, as on the real API)
// and stop_reason becomes max_tokens.
func (st *anthropicState) compose(p *parsedRequest, r brainReply, inputTokens int) *composed {
	c := &composed{id: st.newID("msg_"), model: p.model, stopReason: "end_turn"}
	var blocks []outBlock
	if p.req.Thinking.enabled() && r.thinking != "" {
		blocks = append(blocks, outBlock{kind: "thinking", text: r.thinking})
	}
	for _, b := range r.blocks {
		if b.Type == "tool_use" {
			blocks = append(blocks, outBlock{kind: "tool_use", id: st.newID("toolu_"), name: b.Name, input: b.Input, partial: string(b.Input)})
			c.stopReason = "tool_use"
			continue
		}
		blocks = append(blocks, outBlock{kind: "text", text: b.Text})
	}
	budget := int(*p.req.MaxTokens) * 4
	used := 0
	for _, b := range blocks {
		size := b.size()
		if used+size <= budget {
			used += size
			c.blocks = append(c.blocks, b)
			continue
		}
		if room := budget - used; room > 0 {
			c.blocks = append(c.blocks, b.cut(room))
			used = budget
		}
		c.stopReason = "max_tokens"
		break
	}
	for i := range c.blocks {
		if c.blocks[i].kind == "thinking" {
			c.blocks[i].signature = signThinking(c.blocks[i].text)
		}
	}
	created, read := st.cacheUse(p)
	c.usage = usageJSON{
		InputTokens:              max(inputTokens-created-read, 1),
		CacheCreationInputTokens: created,
		CacheReadInputTokens:     read,
		OutputTokens:             max(tokensOf(used), 1),
		ServiceTier:              "standard",
	}
	return c
}

func (b outBlock) size() int {
	if b.kind == "tool_use" {
		return len(b.partial)
	}
	return len(b.text)
}

// cut keeps the first n bytes of a block (on a character boundary).
func (b outBlock) cut(n int) outBlock {
	if b.kind == "tool_use" {
		b.partial = prefixBytes(b.partial, n)
		b.input = json.RawMessage(`{}`)
		return b
	}
	b.text = prefixBytes(b.text, n)
	return b
}

func prefixBytes(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// wire renders a finished block as the JSON answer carries it.
func (b outBlock) wire() any {
	switch b.kind {
	case "thinking":
		return thinkingBlockJSON{Type: "thinking", Thinking: b.text, Signature: b.signature}
	case "tool_use":
		return toolUseBlockJSON{Type: "tool_use", ID: b.id, Name: b.name, Input: b.input}
	}
	return textBlockJSON{Type: "text", Text: b.text}
}

// start renders the block as content_block_start carries it: empty text,
// empty thinking, tool input {}.
func (b outBlock) start() any {
	switch b.kind {
	case "thinking":
		return thinkingBlockJSON{Type: "thinking"}
	case "tool_use":
		return toolUseBlockJSON{Type: "tool_use", ID: b.id, Name: b.name, Input: json.RawMessage(`{}`)}
	}
	return textBlockJSON{Type: "text"}
}

// message is the non-streaming answer (upstream-wire.md §7.2).
func (c *composed) message() messageJSON {
	content := make([]any, len(c.blocks))
	for i, b := range c.blocks {
		content[i] = b.wire()
	}
	stop := c.stopReason
	return messageJSON{ID: c.id, Type: "message", Role: "assistant", Model: c.model, Content: content, StopReason: &stop, Usage: c.usage}
}
