package anthropic_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"

	"dj/upstream"
	"dj/upstream/anthropic"
	"dj/upstream/sim"
)

const testKey = "sk-ant-test-SECRET-0123456789"

func startSim(t *testing.T, cfg sim.Config) *sim.Server {
	t.Helper()
	cfg.Catalog = sim.CatalogConfig{Tracks: 800, Artists: 120}
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newClient(t *testing.T, s *sim.Server, mod func(*anthropic.Config)) *anthropic.Client {
	t.Helper()
	cfg := anthropic.Config{BaseURL: s.BaseURL("anthropic"), APIKey: testKey}
	if mod != nil {
		mod(&cfg)
	}
	c, err := anthropic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// djTools are the reference's search and queue tools (anchor-domain.md §3.4).
func djTools() []sdk.ToolUnionParam {
	return []sdk.ToolUnionParam{
		{OfTool: &sdk.ToolParam{Name: "search_spotify_tracks", Description: sdk.String("Search Spotify for tracks"),
			InputSchema: sdk.ToolInputSchemaParam{Properties: map[string]any{
				"query": map[string]any{"type": "string"},
				"limit": map[string]any{"type": "number", "minimum": 1, "maximum": 50, "default": 10},
			}, Required: []string{"query", "limit"}}}},
		{OfTool: &sdk.ToolParam{Name: "add_to_queue", Description: sdk.String("Queue a track on the active device"),
			InputSchema: sdk.ToolInputSchemaParam{Properties: map[string]any{"uri": map[string]any{"type": "string"}}, Required: []string{"uri"}}}},
	}
}

func ask(text string, tools []sdk.ToolUnionParam) sdk.MessageNewParams {
	return sdk.MessageNewParams{
		MaxTokens: 5000,
		System:    []sdk.TextBlockParam{{Text: "You are a live DJ assistant."}},
		Tools:     tools,
		Messages:  []sdk.MessageParam{sdk.NewUserMessage(sdk.NewTextBlock(text))},
	}
}

// record collects events as Stream delivers them, as a compact sequence.
type record struct {
	seq   []string
	text  strings.Builder
	tools []anthropic.ToolUse
	stop  sdk.StopReason
}

func (r *record) on(ev anthropic.Event) {
	switch ev.Kind {
	case anthropic.EventText:
		r.text.WriteString(ev.Text)
		if n := len(r.seq); n == 0 || r.seq[n-1] != "text" {
			r.seq = append(r.seq, "text")
		}
	case anthropic.EventToolUse:
		r.tools = append(r.tools, ev.ToolUse)
		r.seq = append(r.seq, "tool_use:"+ev.ToolUse.Name)
	case anthropic.EventStop:
		r.stop = ev.StopReason
		r.seq = append(r.seq, "stop:"+string(ev.StopReason))
	}
}

func TestStreamTextAnswer(t *testing.T) {
	c := newClient(t, startSim(t, sim.Config{}), nil)
	var r record
	msg, err := c.Stream(context.Background(), ask("who are you?", nil), r.on)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.seq, " "); got != "text stop:end_turn" {
		t.Fatalf("events %q", got)
	}
	if len(msg.Content) != 1 || msg.Content[0].Text != r.text.String() || !strings.Contains(r.text.String(), "AI DJ") {
		t.Fatalf("accumulated %+v vs streamed %q", msg.Content, r.text.String())
	}
	if msg.StopReason != sdk.StopReasonEndTurn || msg.Usage.OutputTokens < 5 || msg.Model != anthropic.DefaultModel {
		t.Fatalf("message %s stop %s usage %+v", msg.Model, msg.StopReason, msg.Usage)
	}
}

func TestStreamToolUseAnswer(t *testing.T) {
	c := newClient(t, startSim(t, sim.Config{}), nil)
	var r record
	msg, err := c.Stream(context.Background(), ask("play something upbeat", djTools()), r.on)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.seq, " "); got != "text tool_use:search_spotify_tracks stop:tool_use" {
		t.Fatalf("events %q", got)
	}
	tu := r.tools[0]
	if !strings.HasPrefix(tu.ID, "toolu_") || string(tu.Input) != `{"query":"genre:house","limit":5}` {
		t.Fatalf("tool use %+v input %s", tu, tu.Input)
	}
	if b := msg.Content[1]; b.Type != "tool_use" || b.ID != tu.ID || string(b.Input) != string(tu.Input) {
		t.Fatalf("accumulated block %+v", b)
	}
}

func TestComplete(t *testing.T) {
	c := newClient(t, startSim(t, sim.Config{}), func(cfg *anthropic.Config) { cfg.Model = sdk.ModelClaudeHaiku4_5 })
	msg, err := c.Complete(context.Background(), ask("play some 90s hip hop", djTools()))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Model != sdk.ModelClaudeHaiku4_5 || msg.StopReason != sdk.StopReasonToolUse || len(msg.Content) != 2 {
		t.Fatalf("message %+v", msg)
	}
	if in := string(msg.Content[1].Input); in != `{"query":"genre:\"hip hop\" year:1990-1999","limit":5}` {
		t.Fatalf("tool input %s", in)
	}
}

// TestToolRoundTrip runs dj's agent loop against the brain: search, then
// queue the first track found, then a final answer, replaying each
// assistant turn with ToParam and answering with NewToolResultBlock.
func TestToolRoundTrip(t *testing.T) {
	s := startSim(t, sim.Config{})
	c := newClient(t, s, nil)
	track := firstInGenre(t, s.Catalog(), "house")
	params := ask("play something upbeat", djTools())
	var calls []string
	var final *sdk.Message
	for turn := 0; turn < 5 && final == nil; turn++ {
		var r record
		msg, err := c.Stream(context.Background(), params, r.on)
		if err != nil {
			t.Fatalf("turn %d: %v", turn, err)
		}
		if msg.StopReason != sdk.StopReasonToolUse {
			final = msg
			break
		}
		params.Messages = append(params.Messages, msg.ToParam())
		var results []sdk.ContentBlockParamUnion
		for _, tu := range r.tools {
			calls = append(calls, tu.Name+string(tu.Input))
			results = append(results, sdk.NewToolResultBlock(tu.ID, runTool(t, tu, track), false))
		}
		params.Messages = append(params.Messages, sdk.NewUserMessage(results...))
	}
	want := []string{`search_spotify_tracks{"query":"genre:house","limit":5}`, `add_to_queue{"uri":"` + track.uri + `"}`}
	if strings.Join(calls, " ") != strings.Join(want, " ") {
		t.Fatalf("tool calls\n got %q\nwant %q", calls, want)
	}
	if final == nil || final.StopReason != sdk.StopReasonEndTurn {
		t.Fatalf("no final answer: %+v", final)
	}
	if text := final.Content[0].Text; !strings.HasPrefix(text, fmt.Sprintf("Queued %s by %s — ", track.name, track.artist)) {
		t.Fatalf("final text %q", text)
	}
}

type catalogTrack struct{ uri, name, artist string }

func firstInGenre(t *testing.T, cat *sim.Catalog, genre string) catalogTrack {
	t.Helper()
	for _, i := range cat.TracksInGenre(genre) {
		tr := &cat.Tracks[i]
		return catalogTrack{"spotify:track:" + tr.ID, tr.Name, strings.Join(cat.ArtistNames(tr), ", ")}
	}
	t.Fatalf("no %s track in the catalog", genre)
	return catalogTrack{}
}

// runTool stands in for dj's tools: the search returns full-ish Spotify
// track objects, the queue the reference's {success, message, uri}.
func runTool(t *testing.T, tu anthropic.ToolUse, tr catalogTrack) string {
	t.Helper()
	var out any
	switch tu.Name {
	case "search_spotify_tracks":
		out = []any{map[string]any{
			"uri": tr.uri, "name": tr.name, "type": "track",
			"artists": []any{map[string]any{"name": tr.artist, "uri": "spotify:artist:x"}},
			"album":   map[string]any{"name": "Some Album", "uri": "spotify:album:y"},
		}}
	case "add_to_queue":
		var in struct{ URI string }
		if err := json.Unmarshal(tu.Input, &in); err != nil {
			t.Fatal(err)
		}
		out = map[string]any{"success": true, "message": "Track added to queue", "uri": in.URI}
	default:
		t.Fatalf("unexpected tool %s", tu.Name)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func TestRequestErrors(t *testing.T) {
	s := startSim(t, sim.Config{})
	withTemperature := ask("hi", nil)
	withTemperature.SetExtraFields(map[string]any{"temperature": 0.7})
	orphan := ask("hi", nil)
	orphan.Messages = []sdk.MessageParam{sdk.NewUserMessage(sdk.NewToolResultBlock("toolu_nope", "{}", false))}
	tests := []struct {
		name   string
		key    string
		params sdk.MessageNewParams
		kind   error
		status int
	}{
		{"temperature under 2026-10-21", testKey, withTemperature, upstream.ErrBadRequest, 400},
		{"orphan tool_result", testKey, orphan, upstream.ErrBadRequest, 400},
		{"bad key", "sk-invalid-SECRET-key", ask("hi", nil), upstream.ErrUnauthorized, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, s, func(cfg *anthropic.Config) { cfg.APIKey = tc.key })
			_, errC := c.Complete(context.Background(), tc.params)
			_, errS := c.Stream(context.Background(), tc.params, nil)
			for _, err := range []error{errC, errS} {
				checkKind(t, err, tc.kind, tc.key)
				var ue *upstream.Error
				if errors.As(err, &ue); ue.Status != tc.status {
					t.Fatalf("status %d, want %d", ue.Status, tc.status)
				}
			}
		})
	}
}

// checkKind asserts the error kind and that the key never shows in the text.
func checkKind(t *testing.T, err, kind error, key string) {
	t.Helper()
	var ue *upstream.Error
	if !errors.As(err, &ue) || !errors.Is(err, kind) {
		t.Fatalf("error %v (%T), want kind %v", err, err, kind)
	}
	if ue.API != "anthropic" {
		t.Fatalf("API %q", ue.API)
	}
	if strings.Contains(err.Error(), key) || strings.Contains(fmt.Sprintf("%+v", err), key) {
		t.Fatalf("error text leaks the API key: %v", err)
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name       string
		fault      sim.Fault
		stream     bool
		kind       error
		retryAfter time.Duration
		partial    bool
		cause      error
	}{
		{name: "429", fault: sim.Fault{Kind: sim.Fault429, RetryAfter: 7}, kind: upstream.ErrRateLimited, retryAfter: 7 * time.Second},
		{name: "429 stream", fault: sim.Fault{Kind: sim.Fault429, RetryAfter: 3}, stream: true, kind: upstream.ErrRateLimited, retryAfter: 3 * time.Second},
		{name: "529", fault: sim.Fault{Kind: sim.Fault529}, kind: upstream.ErrUnavailable},
		{name: "500", fault: sim.Fault{Kind: sim.Fault500}, stream: true, kind: upstream.ErrUnavailable},
		{name: "401", fault: sim.Fault{Kind: sim.Fault401}, kind: upstream.ErrUnauthorized},
		{name: "stream_error", fault: sim.Fault{Kind: sim.FaultStreamError, After: 5}, stream: true, kind: upstream.ErrUnavailable, partial: true},
		{name: "stream_cut", fault: sim.Fault{Kind: sim.FaultStreamCut, After: 5}, stream: true, kind: upstream.ErrUnavailable, partial: true},
		{name: "hang + timeout", fault: sim.Fault{Kind: sim.FaultHang}, stream: true, kind: upstream.ErrUnavailable, cause: context.DeadlineExceeded},
		{name: "hang + timeout complete", fault: sim.Fault{Kind: sim.FaultHang}, kind: upstream.ErrUnavailable, cause: context.DeadlineExceeded},
		{name: "reset", fault: sim.Fault{Kind: sim.FaultReset}, kind: upstream.ErrUnavailable},
		{name: "reset stream", fault: sim.Fault{Kind: sim.FaultReset}, stream: true, kind: upstream.ErrUnavailable},
		{name: "malformed", fault: sim.Fault{Kind: sim.FaultMalformed}, kind: upstream.ErrBadResponse},
		{name: "malformed stream", fault: sim.Fault{Kind: sim.FaultMalformed}, stream: true, kind: upstream.ErrBadResponse},
		{name: "error200", fault: sim.Fault{Kind: sim.FaultError200}, kind: upstream.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault.API, tc.fault.Count = "anthropic", 1
			s := startSim(t, sim.Config{Faults: []sim.Fault{tc.fault}})
			c := newClient(t, s, func(cfg *anthropic.Config) { cfg.Timeout = 300 * time.Millisecond })
			start := time.Now()
			var msg *sdk.Message
			var err error
			if tc.stream {
				msg, err = c.Stream(context.Background(), ask("who are you?", nil), nil)
			} else {
				msg, err = c.Complete(context.Background(), ask("who are you?", nil))
			}
			if time.Since(start) > 3*time.Second {
				t.Fatalf("took %s", time.Since(start))
			}
			checkKind(t, err, tc.kind, testKey)
			if got, _ := upstream.RetryAfter(err); got != tc.retryAfter {
				t.Fatalf("RetryAfter %s, want %s", got, tc.retryAfter)
			}
			if (msg != nil) != tc.partial {
				t.Fatalf("partial message %v, want %v", msg != nil, tc.partial)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Fatalf("error %v does not wrap %v", err, tc.cause)
			}
			if errors.Is(err, context.Canceled) {
				t.Fatalf("an upstream fault must not look like a cancellation: %v", err)
			}
		})
	}
}

func TestCancelMidStream(t *testing.T) {
	delay := sim.Latency{Median: 50 * time.Millisecond, P99: 50 * time.Millisecond}
	s := startSim(t, sim.Config{Latency: map[string]sim.Latency{sim.AnthropicStreamLatency: delay}})
	c := newClient(t, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt time.Time
	texts := 0
	msg, err := c.Stream(ctx, ask("who are you?", nil), func(ev anthropic.Event) {
		if ev.Kind == anthropic.EventText {
			texts++
			if texts == 1 {
				cancelledAt = time.Now()
				cancel()
			}
		}
	})
	if took := time.Since(cancelledAt); took > 500*time.Millisecond {
		t.Fatalf("Stream returned %s after cancel", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled in the chain", err)
	}
	if msg == nil || texts != 1 {
		t.Fatalf("want the partial message after one text event; msg %v, %d texts", msg != nil, texts)
	}
	waitInFlightZero(t, s)
}

// waitInFlightZero polls GET /_sim/stats until the simulator has no
// Anthropic request in flight.
func waitInFlightZero(t *testing.T, s *sim.Server) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(s.URL() + "/_sim/stats")
		if err != nil {
			t.Fatal(err)
		}
		var st sim.Stats
		err = json.NewDecoder(resp.Body).Decode(&st)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if st.APIs["anthropic"].InFlight == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("anthropic in flight still %d", st.APIs["anthropic"].InFlight)
		}
		<-tick.C
	}
}

func TestNewRequiresKey(t *testing.T) {
	if _, err := anthropic.New(anthropic.Config{}); err == nil {
		t.Fatal("New without a key succeeded")
	}
}

func TestCompleteRefusesHugeMaxTokens(t *testing.T) {
	c := newClient(t, startSim(t, sim.Config{}), nil)
	p := ask("hi", nil)
	p.MaxTokens = 64000
	_, err := c.Complete(context.Background(), p)
	checkKind(t, err, upstream.ErrBadRequest, testKey)
}
