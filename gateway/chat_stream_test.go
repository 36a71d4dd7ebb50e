package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"dj/internal/djtest"
	"dj/internal/leakcheck"
	"dj/internal/server"
	"dj/upstream/sim"

	"go.uber.org/goleak"
)

const chatPath = "/api/chat-stream/message"

// TestChatStream: chatRunsToolsInOrder is the issue's chat test: "play
// something upbeat" makes the simulator's DJ brain search, then queue
// the first track found, then answer. The stream carries progress, the
// model's text, both tool calls (each start closed by its end) and done
// last; the queued track is in the simulator's Spotify queue.
//
// One server serves the chat tests that need no special simulator; the
// one that breaks the model runs last.
func TestChatStream(t *testing.T) {
	env := djtest.Start(t)
	t.Run("runs tools in order", func(t *testing.T) { chatRunsToolsInOrder(t, env) })
	t.Run("validates before streaming", func(t *testing.T) { chatValidatesBeforeStreaming(t, env) })
	t.Run("documented", func(t *testing.T) { streamsDocumented(t, env) })
	t.Run("model error is safe", func(t *testing.T) { chatModelErrorIsSafe(t, env) })
}

// streamsDocumented: both routes are in the OpenAPI document as
// authenticated SSE operations with their request body schema.
func streamsDocumented(t *testing.T, env *djtest.Env) {
	var doc struct {
		Paths map[string]map[string]struct {
			Security    []map[string][]string
			RequestBody struct {
				Content map[string]struct{ Schema map[string]any }
			}
			Responses map[string]struct{ Content map[string]any }
		}
	}
	if code := env.JSON("GET", "/api/openapi.json", "", nil, &doc); code != 200 {
		t.Fatalf("openapi: %d", code)
	}
	for _, path := range []string{chatPath, steerPath} {
		op, ok := doc.Paths[path]["post"]
		if !ok {
			t.Fatalf("%s not documented", path)
		}
		_, sse := op.Responses["200"].Content["text/event-stream"]
		_, body := op.RequestBody.Content["application/json"]
		if !sse || !body || len(op.Security) == 0 {
			t.Fatalf("%s documented as %+v", path, op)
		}
	}
}

func chatRunsToolsInOrder(t *testing.T, env *djtest.Env) {
	token := env.Login("alice")
	before := chatSimQueue(t, env, "alice")

	t0 := time.Now()
	r := streamPost(t, env, chatPath, token, map[string]any{"message": "play something upbeat", "mode": "dj"})
	t.Logf("chat took %v, %d frames: %v", time.Since(t0).Round(time.Millisecond), len(r.frames), r.types())
	if r.status != http.StatusOK || !strings.HasPrefix(r.ctype, "text/event-stream") {
		t.Fatalf("status %d, content type %q: %s", r.status, r.ctype, r.body)
	}
	streamNoLeak(t, r.body)
	types := r.types()
	if types[0] != "thinking" || types[len(types)-1] != "done" || slices.Index(types, "done") != len(types)-1 {
		t.Fatalf("want thinking first and done last once, got %v", types)
	}
	for _, ty := range types {
		if !slices.Contains([]string{"thinking", "content", "tool_start", "tool_end", "done"}, ty) {
			t.Fatalf("unexpected %q frame in %v", ty, types)
		}
	}
	if tools := chatToolPairs(t, r.frames); !slices.Equal(tools, []string{"search_spotify_tracks", "add_to_queue"}) {
		t.Fatalf("tools %v", tools)
	}
	// Text before the first tool (the model's "Digging for…") and after
	// the last (the confirmation).
	first, last := slices.Index(types, "tool_start"), -1
	for i, ty := range types {
		if ty == "tool_end" {
			last = i
		}
	}
	if !slices.Contains(types[:first], "content") || !slices.Contains(types[last:], "content") {
		t.Fatalf("content around the tools missing: %v", types)
	}
	var queued string
	var answer strings.Builder
	for _, f := range r.frames {
		switch f.Type {
		case "tool_start":
			var d struct {
				Tool string
				Args struct{ URI string }
			}
			if err := json.Unmarshal(f.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Tool == "add_to_queue" {
				queued = d.Args.URI
			}
		case "tool_end":
			var d struct {
				Result string
				Error  bool
			}
			_ = json.Unmarshal(f.Data, &d)
			if d.Error || d.Result == "" {
				t.Fatalf("tool failed: %s", f.Data)
			}
		case "content":
			answer.WriteString(f.text(t))
		}
	}
	if !strings.HasPrefix(queued, "spotify:track:") {
		t.Fatalf("no track queued: %v", r.body)
	}
	if !strings.Contains(answer.String(), "Queued ") {
		t.Fatalf("answer %q does not confirm the queue", answer.String())
	}
	after := chatSimQueue(t, env, "alice")
	if !slices.Contains(after, queued) || len(after) != len(before)+1 {
		t.Fatalf("simulator queue %v (before %v) lacks %s", after, before, queued)
	}
}

// chatValidatesBeforeStreaming: bad input and missing auth are
// problems (400/401) before any stream opens, auth first (#22, #23).
func chatValidatesBeforeStreaming(t *testing.T, env *djtest.Env) {
	token := env.Login("bob")
	calls := chatSimStats(t, env).APIs["anthropic"].Requests
	history := make([]map[string]string, 21)
	for i := range history {
		history[i] = map[string]string{"role": "user", "content": "hi"}
	}
	cases := []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"empty message", token, map[string]any{"message": ""}, 400, "message"},
		{"missing message", token, map[string]any{"mode": "dj"}, 400, "message"},
		{"long message", token, map[string]any{"message": strings.Repeat("x", 2001)}, 400, "message"},
		{"bad mode", token, map[string]any{"message": "hi", "mode": "party"}, 400, "mode"},
		{"long history", token, map[string]any{"message": "hi", "conversationHistory": history}, 400, "conversationHistory"},
		{"bad role", token, map[string]any{"message": "hi", "conversationHistory": []any{map[string]string{"role": "system", "content": "x"}}}, 400, "conversationHistory[0].role"},
		{"no auth, bad body", "", map[string]any{"message": ""}, 401, ""},
		{"bad token", "nope", map[string]any{"message": "hi"}, 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := streamPost(t, env, chatPath, tc.token, tc.body)
			if r.status != tc.status || !strings.HasPrefix(r.ctype, "application/problem+json") {
				t.Fatalf("status %d (%s): %s", r.status, r.ctype, r.body)
			}
			if tc.field != "" && !strings.Contains(r.body, `"`+tc.field+`"`) {
				t.Fatalf("problem does not name %s: %s", tc.field, r.body)
			}
		})
	}
	if n := chatSimStats(t, env).APIs["anthropic"].Requests; n != calls {
		t.Fatalf("%d model calls for rejected requests", n-calls)
	}
}

// chatModelErrorIsSafe: the model's stream breaks mid-answer.
// The client gets an error frame with a fixed message, then done, then
// the end of the stream; nothing of the upstream's error reaches it.
func chatModelErrorIsSafe(t *testing.T, env *djtest.Env) {
	token := env.Login("carol")
	// after 5 events the model is still thinking; after 16 it has
	// streamed part of its answer.
	for _, after := range []int{5, 16} {
		chatFault(t, env, map[string]any{"api": "anthropic", "kind": "stream_error", "after": after, "count": 1})
		r := streamPost(t, env, chatPath, token, map[string]any{"message": "who are you?"})
		t.Logf("after %d: frames %v", after, r.types())
		types := r.types()
		if r.status != http.StatusOK || len(types) < 2 || types[len(types)-1] != "done" || types[len(types)-2] != "error" {
			t.Fatalf("want … error, done; got %v", types)
		}
		if msg := r.frames[len(types)-2].text(t); msg != "The AI DJ lost its connection to the model. Please try again." {
			t.Fatalf("error message %q", msg)
		}
		if after == 16 && !slices.Contains(types, "content") {
			t.Fatalf("no text before the break: %v", types)
		}
		streamNoLeak(t, r.body)
		if !strings.HasSuffix(r.body, "\n\n") || strings.Count(r.body, `"type":"done"`) != 1 {
			t.Fatalf("stream not closed cleanly after done: %q", r.body)
		}
	}
}

// TestChatStreamDisconnectStopsEverything: the client leaves while the
// model is still streaming (deltas 150 ms apart). The Anthropic request
// ends within a second, every actor of the chat stops (actors alive back
// to the baseline) and no goroutine is left behind.
func TestChatStreamDisconnectStopsEverything(t *testing.T) {
	slow := sim.Latency{Median: 150 * time.Millisecond, P99: 150 * time.Millisecond}
	env := djtest.Start(t, func(c *server.Config) {
		c.SimLatencies = map[string]sim.Latency{sim.AnthropicStreamLatency: slow}
	})
	token := env.Login("alice")
	// Warm-up: one whole chat, so connections and pools exist before the
	// baseline is taken.
	if r := streamPost(t, env, chatPath, token, map[string]any{"message": "hi"}); r.types()[len(r.frames)-1] != "done" {
		t.Fatalf("warm-up chat: %v", r.types())
	}
	_ = chatSimStats(t, env) // the stats client's connection predates the baseline
	env.HTTP.CloseIdleConnections()
	baseActors := chatActorsAlive(t, env)
	base := append(leakcheck.Known(), goleak.IgnoreCurrent())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp := streamOpen(t, ctx, env, chatPath, token, map[string]any{"message": "who are you?"})
	br := bufio.NewReader(resp.Body)
	for f := streamNext(t, br); f.Type != "content"; f = streamNext(t, br) {
	}
	if n := chatSimStats(t, env).APIs["anthropic"].InFlight; n != 1 {
		t.Fatalf("anthropic in flight %d while the answer streams, want 1", n)
	}
	if n := chatActorsAlive(t, env); n < baseActors+3 {
		t.Fatalf("%d actors alive mid-chat, baseline %d: want stream, chat and a turn worker more", n, baseActors)
	}
	t0 := time.Now()
	cancel() // the client hangs up
	resp.Body.Close()

	chatWaitUntil(t, time.Second, "the Anthropic stream to end", func() bool {
		return chatSimStats(t, env).APIs["anthropic"].InFlight == 0
	})
	stopped := time.Since(t0)
	chatWaitUntil(t, time.Second, "the chat's actors to stop", func() bool { return chatActorsAlive(t, env) == baseActors })
	t.Logf("after the disconnect: anthropic stream ended in %v, actors back to %d in %v", stopped, baseActors, time.Since(t0))
	http.DefaultClient.CloseIdleConnections()
	if err := goleak.Find(base...); err != nil {
		t.Fatalf("goroutines left after the disconnect: %v", err)
	}
}

// chatActorsAlive sums dj_actors_alive over every kind.
func chatActorsAlive(t *testing.T, env *djtest.Env) int {
	t.Helper()
	fams, err := env.Server.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0.0
	for _, f := range fams {
		if f.GetName() == "dj_actors_alive" {
			for _, m := range f.GetMetric() {
				n += m.GetGauge().GetValue()
			}
		}
	}
	return int(n)
}

func chatWaitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
