package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"

	"dj/mix"
	"dj/upstream/anthropic"
)

// toolSpec is one tool the model may call (anchor-domain §3.4): its
// definition for the model and how to run it. run gets the model's raw
// input, validates it into its own typed arguments (defaults applied,
// bounds enforced; anything else is a toolInputError) and returns the
// result fed back to the model plus a one-line summary for tool_end.
type toolSpec struct {
	name        string
	description string
	properties  map[string]any
	required    []string
	run         func(ctx context.Context, env *toolEnv, input json.RawMessage) (result any, summary string, err error)
	// summarize replaces the input shown in tool_start (nil: the input,
	// with the context playlist filled in where the tool takes one).
	summarize func(input json.RawMessage, env *toolEnv) any
	// playlistArg: the tool takes playlist_id and gets the chat's
	// context playlist when the model leaves it out.
	playlistArg bool
}

// chatTools is the tool set, indexed by name, and its definitions in a
// stable order for the model.
func chatTools() (map[string]*toolSpec, []sdk.ToolUnionParam) {
	specs := []*toolSpec{
		searchTool(), analyzePlaylistTool(), playlistTracksTool(), trackDetailsTool(), createPlaylistTool(),
		similarTool(), tagsTool(), addToQueueTool(), nowPlayingTool(), queueTool(), playbackTool(),
	}
	byName := make(map[string]*toolSpec, len(specs))
	defs := make([]sdk.ToolUnionParam, 0, len(specs))
	for _, s := range specs {
		byName[s.name] = s
		req := s.required
		if req == nil {
			req = []string{}
		}
		defs = append(defs, sdk.ToolUnionParam{OfTool: &sdk.ToolParam{
			Name:        s.name,
			Description: sdk.String(s.description),
			InputSchema: sdk.ToolInputSchemaParam{Properties: s.properties, Required: req},
		}})
	}
	return byName, defs
}

// toolEnv is what tools of one chat share: who is asking, the playlist
// the message named, and the tracker that owns work outliving a call.
type toolEnv struct {
	ch         *Chat
	userID     string
	playlistID string
	mode       ChatMode
	work       *Tracker
}

// toolResult is one executed call: content goes back to the model,
// summary to the client.
type toolResult struct {
	content string
	summary string
	failed  bool
}

// run executes one call within timeout. Failures become an error result
// with a fixed, client-safe text: upstream error bodies never reach the
// model or the client.
func (env *toolEnv) run(ctx context.Context, spec *toolSpec, call anthropic.ToolUse, timeout time.Duration) toolResult {
	if spec == nil {
		text := fmt.Sprintf("Tool %s not found", call.Name)
		return toolResult{content: "Error: " + text, summary: "Failed: " + text, failed: true}
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	res, summary, err := spec.safeRun(tctx, env, call.Input)
	var body []byte
	if err == nil {
		if body, err = json.Marshal(res); err != nil {
			err = fmt.Errorf("encode %s result: %w", spec.name, err)
		}
	}
	if err != nil {
		if tctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%w after %s: %w", errToolTimeout, timeout, err)
		}
		text := toolErrorText(err)
		env.ch.log.Info("chat tool failed", "request_id", RequestID(ctx), "tool", spec.name,
			"took", time.Since(start).String(), "err", err)
		return toolResult{content: "Error: " + text, summary: "Failed: " + text, failed: true}
	}
	return toolResult{content: string(body), summary: summary}
}

// safeRun is run with a panic turned into an error, so the call still
// gets its tool_end and the loop goes on.
func (s *toolSpec) safeRun(ctx context.Context, env *toolEnv, input json.RawMessage) (res any, summary string, err error) {
	defer func() {
		if r := recover(); r != nil {
			env.ch.log.Error("chat tool panicked", "request_id", RequestID(ctx), "tool", s.name,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			res, summary, err = nil, "", fmt.Errorf("tool %s panicked", s.name)
		}
	}()
	return s.run(ctx, env, input)
}

// display is the args of tool_start.
func (s *toolSpec) display(input json.RawMessage, env *toolEnv) json.RawMessage {
	if s == nil || (s.summarize == nil && !s.playlistArg) {
		return input
	}
	var v any
	if s.summarize != nil {
		v = s.summarize(input, env)
	} else {
		m := map[string]any{}
		_ = json.Unmarshal(input, &m)
		if id, _ := m["playlist_id"].(string); id == "" && env.playlistID != "" {
			m["playlist_id"] = env.playlistID
		}
		v = m
	}
	b, err := json.Marshal(v)
	if err != nil {
		return input
	}
	return b
}

// errToolTimeout: the tool ran past its bound.
var errToolTimeout = errors.New("tool timed out")

// toolInputError is a model input that does not fit the tool's schema;
// its text names the field and is safe to show.
type toolInputError struct{ field, problem string }

func (e *toolInputError) Error() string { return "invalid input: " + e.field + " " + e.problem }

// toolErrorRules map error kinds to fixed texts, first match wins.
var toolErrorRules = []struct {
	kind error
	text string
}{
	{errToolTimeout, "the tool took too long"},
	{ErrNoActiveDevice, "no active Spotify device: start playing on a device first"},
	{ErrPremiumRequired, "Spotify Premium is required to control playback"},
	{ErrPlayerRestricted, "the player refused that in its current state"},
	{ErrPlaylistNotFound, "playlist not found"},
	{ErrUnknownTrack, "track not found"},
	{mix.ErrQueueFull, "the mix queue is full (10 tracks)"},
	{ErrNoSession, "the Spotify sign-in has expired; sign in again"},
	{ErrUpstreamUnauthorized, "the Spotify sign-in has expired; sign in again"},
	{ErrUpstreamNotFound, "not found"},
	{ErrUpstreamForbidden, "Spotify refused the request"},
	{ErrBudgetExhausted, "this request made too many service calls"},
	{ErrUpstreamRateLimited, "Spotify is busy; try again shortly"},
	{ErrBreakerOpen, "Spotify is not answering; try again shortly"},
	{ErrQueueFull, "the service is busy; try again shortly"},
	{ErrWaitTimeout, "the service is busy; try again shortly"},
	{ErrCallTimeout, "Spotify is not answering; try again shortly"},
	{ErrUpstreamUnavailable, "Spotify is not answering; try again shortly"},
	{ErrShuttingDown, "the server is restarting"},
	{context.DeadlineExceeded, "the tool took too long"},
}

// toolErrorText is the client-safe text for a tool failure.
func toolErrorText(err error) string {
	var in *toolInputError
	if errors.As(err, &in) {
		return in.Error()
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return "Spotify rejected the " + strings.ReplaceAll(ie.Field, "_", " ")
	}
	for _, r := range toolErrorRules {
		if errors.Is(err, r.kind) {
			return r.text
		}
	}
	return "the tool failed"
}

// decodeInput reads a tool's input into args; a type mismatch names the
// field. An empty input is {}.
func decodeInput(input json.RawMessage, args any) error {
	if len(strings.TrimSpace(string(input))) == 0 {
		input = json.RawMessage("{}")
	}
	if err := json.Unmarshal(input, args); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &toolInputError{field: te.Field, problem: "has the wrong type"}
		}
		return &toolInputError{field: "input", problem: "is not a JSON object"}
	}
	return nil
}

// toolInt applies a default (when absent, i.e. 0) and bounds to n.
func toolInt(n *int, def, lo, hi int, field string) error {
	if *n == 0 {
		*n = def
	}
	if *n < lo || *n > hi {
		return &toolInputError{field: field, problem: fmt.Sprintf("must be between %d and %d", lo, hi)}
	}
	return nil
}

// Schema helpers for the definitions.
func strProp(desc string) map[string]any {
	return map[string]any{"type": "string", "description": desc}
}

func intProp(desc string, lo, hi, def int) map[string]any {
	return map[string]any{"type": "integer", "description": desc, "minimum": lo, "maximum": hi, "default": def}
}

func strList(desc string, minItems, maxItems int) map[string]any {
	return map[string]any{"type": "array", "description": desc, "items": map[string]any{"type": "string"},
		"minItems": minItems, "maxItems": maxItems}
}
