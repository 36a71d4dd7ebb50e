package actors

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/require"

	"dj/upstream/anthropic"
)

// scriptedModel stands in for the model: reply decides each answer from
// the request, and every request is recorded.
type scriptedModel struct {
	mu    sync.Mutex
	calls []sdk.MessageNewParams
	reply func(n int, p sdk.MessageNewParams) (modelReply, error)
}

// modelReply is one scripted answer: text, then tool calls.
type modelReply struct {
	thinking string
	text     string
	tools    []scriptedCall
}

type scriptedCall struct {
	name  string
	input string
}

func (m *scriptedModel) Stream(ctx context.Context, p sdk.MessageNewParams, onEvent func(anthropic.Event)) (*sdk.Message, error) {
	m.mu.Lock()
	n := len(m.calls)
	m.calls = append(m.calls, p)
	m.mu.Unlock()
	r, err := m.reply(n, p)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	content := []map[string]any{}
	if r.thinking != "" {
		content = append(content, map[string]any{"type": "thinking", "thinking": r.thinking, "signature": "sig"})
	}
	if r.text != "" {
		content = append(content, map[string]any{"type": "text", "text": r.text})
		for _, w := range strings.SplitAfter(r.text, " ") {
			onEvent(anthropic.Event{Kind: anthropic.EventText, Text: w})
		}
	}
	stop := "end_turn"
	for i, c := range r.tools {
		id := "toolu_" + strings.Repeat("x", 3) + string(rune('a'+n)) + string(rune('a'+i))
		content = append(content, map[string]any{"type": "tool_use", "id": id, "name": c.name, "input": json.RawMessage(c.input)})
		onEvent(anthropic.Event{Kind: anthropic.EventToolUse, ToolUse: anthropic.ToolUse{ID: id, Name: c.name, Input: json.RawMessage(c.input)}})
		stop = "tool_use"
	}
	raw, _ := json.Marshal(map[string]any{"id": "msg_x", "type": "message", "role": "assistant", "model": "scripted",
		"content": content, "stop_reason": stop, "usage": map[string]any{"input_tokens": 1, "output_tokens": 1}})
	var msg sdk.Message
	if err := json.Unmarshal(raw, &msg); err != nil {
		return nil, err
	}
	return &msg, nil
}

func (m *scriptedModel) requests() []sdk.MessageNewParams {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sdk.MessageNewParams(nil), m.calls...)
}

// chatEnv is the chat on real parts (the simulator for Spotify, a real
// System, store, login and mix service) with a scripted model.
type chatEnv struct {
	*mixEnv
	streams *Streams
	chat    *Chat
	model   *scriptedModel
}

func newChatEnv(t *testing.T, reply func(n int, p sdk.MessageNewParams) (modelReply, error), opts ...ChatOption) *chatEnv {
	t.Helper()
	env := newMixEnv(t, mixOpts{noAI: true})
	env.signIn(t, "alice")
	model := &scriptedModel{reply: reply}
	deps := Deps{System: env.ts.System, Store: env.st, Login: env.login}
	chat := NewChat(deps, NewMusic(deps), env.m, append([]ChatOption{withChatModel(model)}, opts...)...)
	return &chatEnv{mixEnv: env, streams: newTestStreams(t, env.ts, StreamsConfig{}), chat: chat, model: model}
}

// chatFrame is one decoded frame of a chat stream.
type chatFrame struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// run sends message and returns every frame until the stream ends.
func (e *chatEnv) run(t *testing.T, message string) []chatFrame {
	t.Helper()
	st := openPipeStream(t, e.streams, OpenOptions{Kind: "chat", Framing: FramingEnvelope})
	st.client.start()
	require.NoError(t, e.chat.Start(st.Stream, ChatRequest{UserID: "alice", Message: message, Mode: ChatAnalyze}))
	out := st.client.untilEOF(t)
	var frames []chatFrame
	for _, f := range sseDataFrames(out) {
		var cf chatFrame
		require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(f, "data: ")), &cf), f)
		frames = append(frames, cf)
	}
	waitStreamClosed(t, st.Done(), 5e9, "chat actors stopped")
	return frames
}

// frameKinds lists frame types; thinking frames show their text.
func frameKinds(frames []chatFrame) []string {
	out := make([]string, len(frames))
	for i, f := range frames {
		out[i] = f.Type
		if f.Type == ChatThinking {
			var s string
			_ = json.Unmarshal(f.Data, &s)
			out[i] += ":" + s
		}
	}
	return out
}

// toolEnds decodes the tool_end frames.
func toolEnds(t *testing.T, frames []chatFrame) []ChatToolEndData {
	t.Helper()
	var out []ChatToolEndData
	open := false
	for _, f := range frames {
		switch f.Type {
		case ChatToolStart:
			require.False(t, open, "tool_start inside a tool")
			open = true
		case ChatToolEnd:
			require.True(t, open, "tool_end without tool_start")
			open = false
			var d ChatToolEndData
			require.NoError(t, json.Unmarshal(f.Data, &d))
			out = append(out, d)
		}
	}
	require.False(t, open, "tool_start without tool_end")
	return out
}

// toolResults are the tool_result blocks of a request's last message.
func toolResults(p sdk.MessageNewParams) []sdk.ToolResultBlockParam {
	var out []sdk.ToolResultBlockParam
	if len(p.Messages) == 0 {
		return nil
	}
	for _, b := range msgBlocks(p.Messages[len(p.Messages)-1]) {
		if b.OfToolResult != nil {
			out = append(out, *b.OfToolResult)
		}
	}
	return out
}

var errScripted = errors.New("scripted failure: upstream said 529 overloaded_error req_011CSecret")

// msgBlocks is a message's content blocks, whatever its role.
func msgBlocks(m sdk.MessageParam) []sdk.ContentBlockParamUnion {
	switch {
	case m.OfUser != nil:
		return m.OfUser.Content
	case m.OfAssistant != nil:
		return m.OfAssistant.Content
	}
	return nil
}
