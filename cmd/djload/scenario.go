package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// builtinScenarios are the scenario files shipped with djload, embedded
// so that `djload -scenario smoke` works from any directory.
//
//go:embed scenarios/*.json
var builtinScenarios embed.FS

// Scenario is one scenario file: what each virtual user does and which
// limits decide whether the run passed. Every field is documented in
// scenarios/README.md; unknown fields are rejected so a typo does not
// silently fall back to a default.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// ThinkTime is the pause between two operations of one user,
	// uniformly drawn from [min, max].
	ThinkTime Range `json:"think_time"`
	// Setup runs once per user after login, in order (e.g. mix_start).
	Setup []string `json:"setup,omitempty"`
	// Hold lists streams each user keeps open for the whole run,
	// reconnecting when the server closes them.
	Hold []HoldSpec `json:"hold,omitempty"`
	// Operations are drawn by weight, one at a time per user.
	Operations []Operation `json:"operations"`
	Limits     Limits      `json:"limits"`
}

// Operation is one weighted entry of a scenario.
type Operation struct {
	Op     string  `json:"op"`
	Weight float64 `json:"weight"`
	// Think overrides the scenario's think time after this operation.
	Think *Range `json:"think,omitempty"`
	// Expect lists extra statuses that count as success (for example
	// 422 for a free-text steer the model cannot turn into a vibe).
	Expect []int `json:"expect,omitempty"`
	// Optional marks a route that may not be served yet: a 404 "no such
	// API route" reports the operation as unavailable (with the
	// server's problem detail) instead of an error, and it is no longer
	// drawn.
	Optional bool `json:"optional,omitempty"`
	// Count is the number of suggestions asked for (suggestions).
	Count int `json:"count,omitempty"`
	// Texts are the steer directions or chat messages to draw from.
	Texts []string `json:"texts,omitempty"`
	// Hold is how long a stream operation keeps its stream open
	// (player_stream, chat_events); chat and steer_stream end at "done".
	Hold Duration `json:"hold,omitempty"`
}

// HoldSpec is one stream a user holds: "player" (GET /api/player/stream)
// or "chat_events" (GET /api/chat-stream/events). Optional works as for
// operations: a route the server does not serve is reported unavailable.
type HoldSpec struct {
	Stream   string `json:"stream"`
	Optional bool   `json:"optional,omitempty"`
}

// Limits decide "passed". A zero field takes the default in
// defaultLimits; flags override some of them.
type Limits struct {
	// MaxUpstreamWindow is the most upstream requests allowed to start
	// in any one-second window, counted by the simulator.
	MaxUpstreamWindow int `json:"max_upstream_window,omitempty"`
	// LaneCaps is the most requests allowed in flight per upstream API.
	LaneCaps map[string]int `json:"lane_caps,omitempty"`
	// MaxErrorRate is the largest tolerated share of failed requests.
	MaxErrorRate *float64 `json:"max_error_rate,omitempty"`
	// MaxRSSPerStream is the largest server RSS growth per open stream,
	// in bytes; judged only with at least MinStreamsForMemory streams.
	MaxRSSPerStream     int64 `json:"max_rss_per_stream_bytes,omitempty"`
	MinStreamsForMemory int   `json:"min_streams_for_memory,omitempty"`
	// P99 caps an operation's 99th percentile latency (optional).
	P99 map[string]Duration `json:"p99,omitempty"`
}

// defaultLimits are the product's contract (SPEC "Upstream discipline")
// and issue 8's thresholds.
func defaultLimits() Limits {
	rate := 0.01
	return Limits{
		MaxUpstreamWindow:   40,
		LaneCaps:            map[string]int{"anthropic": 2, "spotify": 5, "lastfm": 10, "deezer": 10},
		MaxErrorRate:        &rate,
		MaxRSSPerStream:     20 << 10,
		MinStreamsForMemory: 1000,
	}
}

// withDefaults fills zero fields from defaultLimits.
func (l Limits) withDefaults() Limits {
	d := defaultLimits()
	if l.MaxUpstreamWindow == 0 {
		l.MaxUpstreamWindow = d.MaxUpstreamWindow
	}
	if l.LaneCaps == nil {
		l.LaneCaps = d.LaneCaps
	}
	if l.MaxErrorRate == nil {
		l.MaxErrorRate = d.MaxErrorRate
	}
	if l.MaxRSSPerStream == 0 {
		l.MaxRSSPerStream = d.MaxRSSPerStream
	}
	if l.MinStreamsForMemory == 0 {
		l.MinStreamsForMemory = d.MinStreamsForMemory
	}
	return l
}

// Range is a closed interval of durations.
type Range struct {
	Min Duration `json:"min"`
	Max Duration `json:"max"`
}

// Duration is a time.Duration written as a Go duration string ("1.5s")
// in JSON, which people can read and write.
type Duration time.Duration

// UnmarshalJSON accepts "250ms"-style strings.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"500ms\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	if v < 0 {
		return fmt.Errorf("duration %q: must not be negative", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration back as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// opSpec says how djload runs one operation name.
type opSpec struct {
	stream bool // an SSE operation
	setup  bool // may appear in setup
}

// knownOps are the operations a scenario may name; ops.go implements them.
var knownOps = map[string]opSpec{
	"playlists":       {setup: true},
	"playlist_tracks": {setup: true},
	"search":          {},
	"mix_start":       {setup: true},
	"mix_restart":     {setup: true},
	"mix_current":     {setup: true},
	"mix_queue":       {},
	"mix_vibe":        {},
	"queue_add":       {},
	"queue_remove":    {},
	"queue_reorder":   {},
	"suggestions":     {setup: true},
	"steer":           {},
	"vibe_update":     {},
	"track_played":    {},
	"player_state":    {},
	"player_stream":   {stream: true},
	"chat_events":     {stream: true},
	"chat":            {stream: true},
	"steer_stream":    {stream: true},
}

// holdKinds are the streams a user may hold for the whole run.
var holdKinds = []string{"player", "chat_events"}

// loadScenario reads a scenario: a built-in name ("default", "smoke",
// "backlog") or a path to a JSON file.
func loadScenario(nameOrPath string) (*Scenario, error) {
	var data []byte
	var err error
	if !strings.ContainsAny(nameOrPath, `/\`) && !strings.HasSuffix(nameOrPath, ".json") {
		data, err = builtinScenarios.ReadFile("scenarios/" + nameOrPath + ".json")
		if err != nil {
			return nil, fmt.Errorf("scenario %q: no such built-in scenario (have %s) and not a file path", nameOrPath, strings.Join(builtinNames(), ", "))
		}
	} else if data, err = os.ReadFile(nameOrPath); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	sc, err := parseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", nameOrPath, err)
	}
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(filepath.Base(nameOrPath), ".json")
	}
	return sc, nil
}

// builtinNames lists the embedded scenarios.
func builtinNames() []string {
	entries, _ := builtinScenarios.ReadDir("scenarios")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// parseScenario decodes and validates a scenario file.
func parseScenario(data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := sc.validate(); err != nil {
		return nil, err
	}
	sc.Limits = sc.Limits.withDefaults()
	return &sc, nil
}

// validate checks what decoding cannot: names, weights and ranges.
func (sc *Scenario) validate() error {
	var errs []error
	if len(sc.Operations) == 0 {
		errs = append(errs, errors.New("operations: at least one is needed"))
	}
	if sc.ThinkTime.Max < sc.ThinkTime.Min {
		errs = append(errs, errors.New("think_time: max is below min"))
	}
	for i, op := range sc.Operations {
		at := fmt.Sprintf("operations[%d] (%s)", i, op.Op)
		spec, ok := knownOps[op.Op]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s: unknown op; known: %s", at, strings.Join(opNames(), ", ")))
		case op.Weight <= 0:
			errs = append(errs, fmt.Errorf("%s: weight must be positive", at))
		case op.Think != nil && op.Think.Max < op.Think.Min:
			errs = append(errs, fmt.Errorf("%s: think: max is below min", at))
		case op.Count < 0 || op.Count > 10:
			errs = append(errs, fmt.Errorf("%s: count must be 1..10", at))
		case op.Hold > 0 && !spec.stream:
			errs = append(errs, fmt.Errorf("%s: hold applies to stream operations only", at))
		}
		for _, s := range op.Expect {
			if s < 100 || s > 599 {
				errs = append(errs, fmt.Errorf("%s: expect: %d is not an HTTP status", at, s))
			}
		}
	}
	for _, s := range sc.Setup {
		if spec, ok := knownOps[s]; !ok || !spec.setup {
			errs = append(errs, fmt.Errorf("setup: %q cannot run as setup", s))
		}
	}
	for _, h := range sc.Hold {
		if !slices.Contains(holdKinds, h.Stream) {
			errs = append(errs, fmt.Errorf("hold: %q is not one of %s", h.Stream, strings.Join(holdKinds, ", ")))
		}
	}
	if r := sc.Limits.MaxErrorRate; r != nil && (*r < 0 || *r > 1) {
		errs = append(errs, errors.New("limits.max_error_rate: want 0..1"))
	}
	return errors.Join(errs...)
}

func opNames() []string {
	names := make([]string, 0, len(knownOps))
	for n := range knownOps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
