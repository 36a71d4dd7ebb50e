package sim

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// These tests speak raw HTTP to the simulator with a plain client, so they
// check the wire itself rather than what an SDK makes of it.

const searchAndQueueTools = `[
 {"name":"search_spotify_tracks","description":"Search Spotify","input_schema":{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"number"}},"required":["query","limit"]}},
 {"name":"add_to_queue","description":"Queue a track","input_schema":{"type":"object","properties":{"uri":{"type":"string"}},"required":["uri"]}}]`

func startAnthropicSim(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Catalog.Tracks == 0 {
		cfg.Catalog = CatalogConfig{Tracks: 800, Artists: 120}
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// post sends a Messages request with a valid key and version unless
// headers override them ("" deletes a header).
func postMessages(t *testing.T, s *Server, body string, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.BaseURL("anthropic")+"/v1/messages", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", "sk-test")
	req.Header.Set("anthropic-version", anthropicV1)
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func userBody(stream bool, extra, text string) string {
	b, _ := json.Marshal(text)
	s := `{"model":"claude-sonnet-5-5","max_tokens":1024,"messages":[{"role":"user","content":` + string(b) + `}]`
	if stream {
		s += `,"stream":true`
	}
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

type rawEvent struct {
	name string
	data map[string]any
}

// readSSE reads every event of a stream, checking the framing: one event
// line, one data line whose type equals the event name, a blank line.
func readSSE(t *testing.T, r io.Reader) []rawEvent {
	t.Helper()
	var out []rawEvent
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		ev, ok := strings.CutPrefix(sc.Text(), "event: ")
		if !ok {
			t.Fatalf("want an event line, got %q", sc.Text())
		}
		if !sc.Scan() {
			t.Fatalf("event %s without data", ev)
		}
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			t.Fatalf("want a data line after event %s, got %q", ev, sc.Text())
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatalf("event %s: data is not JSON: %v", ev, err)
		}
		if m["type"] != ev {
			t.Fatalf("event %s carries type %v", ev, m["type"])
		}
		if !sc.Scan() || sc.Text() != "" {
			t.Fatalf("event %s not followed by a blank line", ev)
		}
		out = append(out, rawEvent{ev, m})
	}
	return out
}

// shape writes events compactly: message_start, cbs:0:text, ping,
// cbd:0:text_delta, ..., so a whole sequence can be compared at once.
// Runs of identical deltas collapse to one entry with a "+" suffix.
func eventShape(evs []rawEvent) []string {
	var out []string
	for _, e := range evs {
		var s string
		switch e.name {
		case "content_block_start":
			cb := e.data["content_block"].(map[string]any)
			s = "cbs:" + evIndex(e.data["index"]) + ":" + cb["type"].(string)
		case "content_block_delta":
			s = "cbd:" + evIndex(e.data["index"]) + ":" + e.data["delta"].(map[string]any)["type"].(string)
		case "content_block_stop":
			s = "cbstop:" + evIndex(e.data["index"])
		case "message_delta":
			s = "message_delta:" + e.data["delta"].(map[string]any)["stop_reason"].(string)
		default:
			s = e.name
		}
		if n := len(out); n > 0 && strings.HasPrefix(s, "cbd:") && strings.TrimSuffix(out[n-1], "+") == s {
			out[n-1] = s + "+"
			continue
		}
		out = append(out, s)
	}
	return out
}

func evIndex(v any) string { return strings.TrimSuffix(strings.TrimSuffix(compactJSON(v), ".0"), "\n") }

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func deltaField(evs []rawEvent, field string) []string {
	var out []string
	for _, e := range evs {
		if e.name == "content_block_delta" {
			if s, ok := e.data["delta"].(map[string]any)[field].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func equalShape(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("event sequence\n got: %v\nwant: %v", got, want)
	}
}

func TestStreamTextAnswerEventOrder(t *testing.T) {
	s := startAnthropicSim(t, Config{})
	resp := postMessages(t, s, userBody(true, "", "who are you?"), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	if id := resp.Header.Get("request-id"); !strings.HasPrefix(id, "req_") {
		t.Fatalf("request-id %q", id)
	}
	evs := readSSE(t, resp.Body)
	equalShape(t, eventShape(evs), []string{"message_start", "cbs:0:text", "ping", "cbd:0:text_delta+", "cbstop:0", "message_delta:end_turn", "message_stop"})
	text := strings.Join(deltaField(evs, "text"), "")
	if !strings.HasPrefix(text, "I'm your AI DJ") {
		t.Fatalf("text %q", text)
	}
	if n := len(deltaField(evs, "text")); n < 3 {
		t.Fatalf("want the text in chunks of a few words, got %d chunks", n)
	}
	start := evs[0].data["message"].(map[string]any)
	if !strings.HasPrefix(start["id"].(string), "msg_") || start["stop_reason"] != nil || len(start["content"].([]any)) != 0 {
		t.Fatalf("message_start %v", start)
	}
	usage := evs[len(evs)-2].data["usage"].(map[string]any)
	if usage["output_tokens"].(float64) < 5 || usage["input_tokens"].(float64) < 10 {
		t.Fatalf("message_delta usage %v", usage)
	}
}

func TestStreamToolUseEventOrder(t *testing.T) {
	s := startAnthropicSim(t, Config{})
	resp := postMessages(t, s, userBody(true, `"tools":`+searchAndQueueTools, "play something upbeat"), nil)
	evs := readSSE(t, resp.Body)
	equalShape(t, eventShape(evs), []string{"message_start", "cbs:0:text", "ping", "cbd:0:text_delta+", "cbstop:0",
		"cbs:1:tool_use", "cbd:1:input_json_delta+", "cbstop:1", "message_delta:tool_use", "message_stop"})
	var startBlock map[string]any
	for _, e := range evs {
		if e.name == "content_block_start" && evIndex(e.data["index"]) == "1" {
			startBlock = e.data["content_block"].(map[string]any)
		}
	}
	if startBlock["name"] != "search_spotify_tracks" || !strings.HasPrefix(startBlock["id"].(string), "toolu_") || compactJSON(startBlock["input"]) != "{}" {
		t.Fatalf("tool_use start %v", startBlock)
	}
	frags := deltaField(evs, "partial_json")
	if frags[0] != "" || len(frags) < 3 {
		t.Fatalf("fragments %q: want an empty first one and several more", frags)
	}
	if got := strings.Join(frags, ""); got != `{"query":"genre:house","limit":5}` {
		t.Fatalf("tool input %s", got)
	}
}

func TestNonStreamingShape(t *testing.T) {
	s := startAnthropicSim(t, Config{})
	resp := postMessages(t, s, userBody(false, `"tools":`+searchAndQueueTools, "play some 90s hip hop"), map[string]string{
		"x-api-key": "", "Authorization": "Bearer sk-test", "anthropic-version": anthropicV2026,
	})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("request-id"), "req_") {
		t.Fatalf("status %d request-id %q", resp.StatusCode, resp.Header.Get("request-id"))
	}
	var m struct {
		ID, Type, Role, Model string
		StopReason            string `json:"stop_reason"`
		Content               []struct {
			Type, Text, ID, Name string
			Input                json.RawMessage
		}
		Usage struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.ID, "msg_") || m.Type != "message" || m.Role != "assistant" || m.Model != "claude-sonnet-5-5" || m.StopReason != "tool_use" {
		t.Fatalf("message %+v", m)
	}
	if len(m.Content) != 2 || m.Content[1].Name != "search_spotify_tracks" || string(m.Content[1].Input) != `{"query":"genre:\"hip hop\" year:1990-1999","limit":5}` {
		t.Fatalf("content %+v", m.Content)
	}
	if m.Usage.InputTokens < 10 || m.Usage.OutputTokens < 5 {
		t.Fatalf("usage %v", m.Usage)
	}
}

func TestValidation(t *testing.T) {
	s := startAnthropicSim(t, Config{})
	toolTurns := `"tools":` + searchAndQueueTools + `,"messages":[
	 {"role":"user","content":"play jazz"},
	 {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"search_spotify_tracks","input":{"query":"genre:jazz","limit":5}}]}`
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		status  int
		typ     string
	}{
		{"no key", userBody(false, "", "hi"), map[string]string{"x-api-key": ""}, 401, "authentication_error"},
		{"bad key", userBody(false, "", "hi"), map[string]string{"x-api-key": "sk-invalid"}, 401, "authentication_error"},
		{"no version", userBody(false, "", "hi"), map[string]string{"anthropic-version": ""}, 400, "invalid_request_error"},
		{"unknown version", userBody(false, "", "hi"), map[string]string{"anthropic-version": "2024-01-01"}, 400, "invalid_request_error"},
		{"not json", `{"model":`, nil, 400, "invalid_request_error"},
		{"no model", `{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, nil, 400, "invalid_request_error"},
		{"no max_tokens", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, nil, 400, "invalid_request_error"},
		{"no messages", `{"model":"m","max_tokens":10}`, nil, 400, "invalid_request_error"},
		{"temperature under 2026-10-21", userBody(false, `"temperature":1`, "hi"), map[string]string{"anthropic-version": anthropicV2026}, 400, "invalid_request_error"},
		{"top_k under 2026-10-21", userBody(false, `"top_k":5`, "hi"), map[string]string{"anthropic-version": anthropicV2026}, 400, "invalid_request_error"},
		{"temperature under 2023-06-01", userBody(false, `"temperature":0.7`, "hi"), nil, 200, ""},
		{"thinking budget too small", userBody(false, `"thinking":{"type":"enabled","budget_tokens":500}`, "hi"), nil, 400, "invalid_request_error"},
		{"thinking budget not below max_tokens", userBody(false, `"thinking":{"type":"enabled","budget_tokens":1024}`, "hi"), nil, 400, "invalid_request_error"},
		{"bad tool name", userBody(false, `"tools":[{"name":"bad name","input_schema":{"type":"object"}}]`, "hi"), nil, 400, "invalid_request_error"},
		{"tool schema not an object", userBody(false, `"tools":[{"name":"t","input_schema":{"type":"array"}}]`, "hi"), nil, 400, "invalid_request_error"},
		{"tool_use without result", `{"model":"m","max_tokens":100,` + toolTurns + `,{"role":"user","content":"and?"}]}`, nil, 400, "invalid_request_error"},
		{"tool_result after text", `{"model":"m","max_tokens":100,` + toolTurns + `,{"role":"user","content":[{"type":"text","text":"here"},{"type":"tool_result","tool_use_id":"toolu_1","content":"[]"}]}]}`, nil, 400, "invalid_request_error"},
		{"orphan tool_result", `{"model":"m","max_tokens":100,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"{}"}]}]}`, nil, 400, "invalid_request_error"},
		{"matched tool_result", `{"model":"m","max_tokens":100,` + toolTurns + `,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"[]"}]}]}`, nil, 200, ""},
		{"tool_result then nudge in a separate message", `{"model":"m","max_tokens":100,` + toolTurns + `,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"[]"}]},{"role":"user","content":"answer now"}]}`, nil, 200, ""},
		{"empty content", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[]}]}`, nil, 400, "invalid_request_error"},
		{"empty text block", `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":""}]}`, nil, 400, "invalid_request_error"},
		{"modified thinking", `{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"thinking","thinking":"edited","signature":"abc"},{"type":"text","text":"hello"}]},{"role":"user","content":"again"}]}`, nil, 400, "invalid_request_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := postMessages(t, s, tc.body, tc.headers)
			if resp.StatusCode != tc.status {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if tc.typ == "" {
				return
			}
			var e errorBodyJSON
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatal(err)
			}
			if e.Type != "error" || e.Error.Type != tc.typ || e.Error.Message == "" || !strings.HasPrefix(e.RequestID, "req_") {
				t.Fatalf("error body %+v", e)
			}
		})
	}
}

func TestThinkingIsSignedAndReplayable(t *testing.T) {
	s := startAnthropicSim(t, Config{})
	resp := postMessages(t, s, userBody(true, `"thinking":{"type":"enabled","budget_tokens":1024},"max_tokens":4000`, "why this track?"), nil)
	evs := readSSE(t, resp.Body)
	equalShape(t, eventShape(evs), []string{"message_start", "cbs:0:thinking", "ping", "cbd:0:thinking_delta+", "cbd:0:signature_delta",
		"cbstop:0", "cbs:1:text", "cbd:1:text_delta+", "cbstop:1", "message_delta:end_turn", "message_stop"})
	thinking := strings.Join(deltaField(evs, "thinking"), "")
	sig := deltaField(evs, "signature")[0]
	replay := func(th string) int {
		msgs, _ := json.Marshal([]any{
			map[string]any{"role": "user", "content": "why this track?"},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "thinking", "thinking": th, "signature": sig}}},
			map[string]any{"role": "user", "content": "thanks"},
		})
		return postMessages(t, s, `{"model":"m","max_tokens":100,"messages":`+string(msgs)+`}`, nil).StatusCode
	}
	if got := replay(thinking); got != 200 {
		t.Fatalf("replaying the thinking unchanged: status %d", got)
	}
	if got := replay(thinking + " (edited)"); got != 400 {
		t.Fatalf("replaying edited thinking: status %d, want 400", got)
	}
}

func TestMaxTokensCutsToolInput(t *testing.T) {
	s := startAnthropicSim(t, Config{})
	body := strings.Replace(userBody(true, `"tools":`+searchAndQueueTools, "play something upbeat"), `"max_tokens":1024`, `"max_tokens":12`, 1)
	evs := readSSE(t, postMessages(t, s, body, nil).Body)
	last := eventShape(evs)
	if last[len(last)-2] != "message_delta:max_tokens" {
		t.Fatalf("want stop_reason max_tokens, got %v", last)
	}
	if in := strings.Join(deltaField(evs, "partial_json"), ""); json.Valid([]byte(in)) || in == "" {
		t.Fatalf("want a cut, invalid tool input, got %q", in)
	}
}

func TestStreamFaults(t *testing.T) {
	tests := []struct {
		kind  FaultKind
		after int
		want  []string
	}{
		{FaultStreamError, 3, []string{"message_start", "cbs:0:text", "ping", "error"}},
		{FaultStreamCut, 4, []string{"message_start", "cbs:0:text", "ping", "cbd:0:text_delta"}},
		{FaultStreamError, 100, nil}, // capped: never reaches message_stop
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			s := startAnthropicSim(t, Config{Faults: []Fault{{API: "anthropic", Kind: tc.kind, After: tc.after, Count: 1}}})
			evs := readSSE(t, postMessages(t, s, userBody(true, "", "who are you?"), nil).Body)
			got := eventShape(evs)
			if tc.want != nil {
				equalShape(t, got, tc.want)
			}
			if got[len(got)-1] == "message_stop" {
				t.Fatalf("faulted stream reached message_stop: %v", got)
			}
			if tc.kind == FaultStreamError && evs[len(evs)-1].data["error"].(map[string]any)["type"] != "overloaded_error" {
				t.Fatalf("error event %v", evs[len(evs)-1].data)
			}
		})
	}
}

func TestStatusFaultShapes(t *testing.T) {
	tests := []struct {
		fault  Fault
		status int
		typ    string
		header string
	}{
		{Fault{API: "anthropic", Kind: Fault429, RetryAfter: 7, Count: 1}, 429, "rate_limit_error", "anthropic-ratelimit-requests-reset"},
		{Fault{API: "anthropic", Kind: Fault529, Count: 1}, 529, "overloaded_error", "x-should-retry"},
		{Fault{API: "anthropic", Kind: Fault500, Count: 1}, 500, "api_error", ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.fault.Kind), func(t *testing.T) {
			s := startAnthropicSim(t, Config{Faults: []Fault{tc.fault}})
			resp := postMessages(t, s, userBody(false, "", "hi"), nil)
			var e errorBodyJSON
			_ = json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != tc.status || e.Error.Type != tc.typ || !strings.HasPrefix(resp.Header.Get("request-id"), "req_") {
				t.Fatalf("status %d body %+v", resp.StatusCode, e)
			}
			if tc.header != "" && resp.Header.Get(tc.header) == "" {
				t.Fatalf("missing header %s", tc.header)
			}
			if tc.fault.Kind == Fault429 && resp.Header.Get("Retry-After") != "7" {
				t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
		})
	}
}

func TestShutdownEndsOpenStreams(t *testing.T) {
	s := startAnthropicSim(t, Config{Latency: map[string]Latency{AnthropicStreamLatency: {Median: time.Minute, P99: time.Minute}}})
	resp := postMessages(t, s, userBody(true, "", "who are you?"), nil)
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, resp.Body)
		done <- err
	}()
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("stream still open after Close")
	}
}
