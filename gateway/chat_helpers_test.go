package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"dj/internal/djtest"
	"dj/upstream/sim"
)

// streamFrame is one data-only frame of the chat and steer streams.
type streamFrame struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// streamReply is a whole streamed answer: the raw body and its frames.
type streamReply struct {
	status int
	ctype  string
	body   string
	frames []streamFrame
}

// types lists the frames' types in order.
func (r streamReply) types() []string {
	out := make([]string, len(r.frames))
	for i, f := range r.frames {
		out[i] = f.Type
	}
	return out
}

// text decodes a frame whose data is a JSON string.
func (f streamFrame) text(t *testing.T) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(f.Data, &s); err != nil {
		t.Fatalf("%s frame data %s is not a string", f.Type, f.Data)
	}
	return s
}

// streamOpen POSTs a JSON body and returns the response (SSE or problem).
func streamOpen(t *testing.T, ctx context.Context, env *djtest.Env, path, token string, body any) *http.Response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", env.URL+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// streamPost POSTs and reads the stream to its end (bounded by 20 s).
func streamPost(t *testing.T, env *djtest.Env, path, token string, body any) streamReply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp := streamOpen(t, ctx, env, path, token, body)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v (so far %q)", path, err, raw)
	}
	r := streamReply{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: string(raw)}
	if !strings.HasPrefix(r.ctype, "text/event-stream") {
		return r
	}
	r.frames = streamFrames(t, r.body)
	return r
}

// streamFrames reads data-only frames, checking each is one data line of
// a {"type","data"} object; comments (heartbeats) are skipped.
func streamFrames(t *testing.T, body string) []streamFrame {
	t.Helper()
	var out []streamFrame
	for _, block := range strings.Split(body, "\n\n") {
		if block == "" || strings.HasPrefix(block, ":") {
			continue
		}
		line, ok := strings.CutPrefix(block, "data: ")
		if !ok || strings.Contains(line, "\n") {
			t.Fatalf("frame is not one data line: %q", block)
		}
		var e streamFrame
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.Type == "" {
			t.Fatalf("frame %q is not an streamFrame: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// streamNext reads the next data frame from a live stream.
func streamNext(t *testing.T, br *bufio.Reader) streamFrame {
	t.Helper()
	for {
		var block []string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			line = strings.TrimSuffix(line, "\n")
			if line == "" {
				break
			}
			block = append(block, line)
		}
		if len(block) == 0 || strings.HasPrefix(block[0], ":") {
			continue
		}
		return streamFrames(t, strings.Join(block, "\n")+"\n\n")[0]
	}
}

// chatSimQueue is the user's Spotify queue in the simulator.
func chatSimQueue(t *testing.T, env *djtest.Env, user string) []string {
	t.Helper()
	resp, err := http.Get(env.Sim.URL() + "/_sim/spotify/users/" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var u struct {
		Queue []string `json:"queue"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
		t.Fatal(err)
	}
	return u.Queue
}

// chatSimStats reads the simulator's call accounting.
func chatSimStats(t *testing.T, env *djtest.Env) sim.Stats {
	t.Helper()
	resp, err := http.Get(env.Sim.URL() + "/_sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body) // read to the end: the connection is reused
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var st sim.Stats
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// chatFault adds a simulator fault rule.
func chatFault(t *testing.T, env *djtest.Env, f map[string]any) {
	t.Helper()
	b, _ := json.Marshal(f)
	resp, err := http.Post(env.Sim.URL()+"/_sim/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("fault %s refused: %d", b, resp.StatusCode)
	}
}

// chatToolPairs checks every tool_start is closed by a tool_end of the
// same tool before anything but thinking frames, and returns the tools
// in order.
func chatToolPairs(t *testing.T, frames []streamFrame) []string {
	t.Helper()
	var tools []string
	open := ""
	for _, f := range frames {
		var d struct{ Tool string }
		switch f.Type {
		case "tool_start":
			if open != "" {
				t.Fatalf("tool_start while %s is open", open)
			}
			_ = json.Unmarshal(f.Data, &d)
			open = d.Tool
			tools = append(tools, d.Tool)
		case "tool_end":
			_ = json.Unmarshal(f.Data, &d)
			if d.Tool != open {
				t.Fatalf("tool_end of %q closes %q", d.Tool, open)
			}
			open = ""
		case "thinking":
		default:
			if open != "" {
				t.Fatalf("%s frame inside tool %s", f.Type, open)
			}
		}
	}
	if open != "" {
		t.Fatalf("tool %s never ended", open)
	}
	return tools
}

// streamLeakWords must never appear in a stream: upstream error text, log
// mirroring, stacks.
var streamLeakWords = []string{"verloaded", "overloaded_error", "req_01", "api_error", "goroutine ", "runtime/", ".go:", `"panic"`, `"type":"log"`, `"type":"debug"`, `"stack"`}

func streamNoLeak(t *testing.T, body string) {
	t.Helper()
	for _, w := range streamLeakWords {
		if strings.Contains(body, w) {
			t.Fatalf("stream body contains %q:\n%s", w, body)
		}
	}
}
