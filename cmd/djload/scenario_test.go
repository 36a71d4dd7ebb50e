package main

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestBuiltinScenariosParse(t *testing.T) {
	names := builtinNames()
	for _, want := range []string{"backlog", "default", "smoke"} {
		if !strings.Contains(strings.Join(names, ","), want) {
			t.Fatalf("built-in scenarios %v lack %q", names, want)
		}
	}
	for _, n := range names {
		sc, err := loadScenario(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if sc.Name != n {
			t.Errorf("%s: name %q", n, sc.Name)
		}
		for _, op := range sc.Operations {
			if _, ok := opRoutes[op.Op]; !ok {
				t.Errorf("%s: %s has no route", n, op.Op)
			}
		}
	}
}

func TestParseScenarioFields(t *testing.T) {
	sc, err := parseScenario([]byte(`{
		"name": "x",
		"think_time": {"min": "250ms", "max": "1.5s"},
		"setup": ["mix_start"],
		"hold": [{"stream": "player", "optional": true}],
		"operations": [
			{"op": "steer", "weight": 2, "texts": ["go retro"], "expect": [422]},
			{"op": "chat_events", "weight": 0.5, "hold": "3s", "optional": true}
		],
		"limits": {"max_error_rate": 0.05, "p99": {"steer": "2s"}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(sc.ThinkTime.Min) != 250*time.Millisecond || time.Duration(sc.ThinkTime.Max) != 1500*time.Millisecond {
		t.Errorf("think time %v", sc.ThinkTime)
	}
	if op := sc.Operations[1]; time.Duration(op.Hold) != 3*time.Second || !op.Optional {
		t.Errorf("chat_events op %+v", op)
	}
	if sc.Operations[0].Expect[0] != 422 || sc.Hold[0].Stream != "player" {
		t.Errorf("expect/hold not read: %+v", sc)
	}
	l := sc.Limits
	if *l.MaxErrorRate != 0.05 || l.MaxUpstreamWindow != 40 || l.LaneCaps["anthropic"] != 2 || l.MaxRSSPerStream != 20<<10 {
		t.Errorf("limits not defaulted: %+v", l)
	}
	if time.Duration(l.P99["steer"]) != 2*time.Second {
		t.Errorf("p99 limit %v", l.P99)
	}
}

func TestParseScenarioRejects(t *testing.T) {
	cases := map[string]string{
		"unknown field":   `{"operations":[{"op":"mix_current","weight":1}],"thinktime":{}}`,
		"unknown op":      `{"operations":[{"op":"dance","weight":1}]}`,
		"no operations":   `{"operations":[]}`,
		"zero weight":     `{"operations":[{"op":"mix_current","weight":0}]}`,
		"bad duration":    `{"think_time":{"min":"soon"},"operations":[{"op":"mix_current","weight":1}]}`,
		"max below min":   `{"think_time":{"min":"2s","max":"1s"},"operations":[{"op":"mix_current","weight":1}]}`,
		"hold on request": `{"operations":[{"op":"mix_current","weight":1,"hold":"1s"}]}`,
		"bad setup":       `{"setup":["chat"],"operations":[{"op":"mix_current","weight":1}]}`,
		"bad hold stream": `{"hold":[{"stream":"radio"}],"operations":[{"op":"mix_current","weight":1}]}`,
		"bad status":      `{"operations":[{"op":"steer","weight":1,"expect":[42]}]}`,
		"bad error rate":  `{"operations":[{"op":"mix_current","weight":1}],"limits":{"max_error_rate":2}}`,
	}
	for name, doc := range cases {
		if _, err := parseScenario([]byte(doc)); err == nil {
			t.Errorf("%s: accepted %s", name, doc)
		}
	}
	if _, err := loadScenario("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "smoke") {
		t.Errorf("unknown built-in: %v (should list the built-ins)", err)
	}
}

func TestPickIndex(t *testing.T) {
	cum := []float64{1, 3, 6} // weights 1, 2, 3
	for _, c := range []struct {
		r    float64
		want int
	}{{0, 0}, {0.16, 0}, {0.17, 1}, {0.49, 1}, {0.5, 2}, {0.999999, 2}} {
		if got := pickIndex(cum, c.r); got != c.want {
			t.Errorf("pickIndex(%v) = %d, want %d", c.r, got, c.want)
		}
	}
	if pickIndex(nil, 0.5) != -1 {
		t.Error("empty weights must give -1")
	}
}

func TestChooserFollowsWeights(t *testing.T) {
	c := newChooser([]Operation{{Op: "a", Weight: 1}, {Op: "b", Weight: 3}, {Op: "c", Weight: 6}})
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	const n = 100_000
	for range n {
		op, ok := c.pick(rng.Float64())
		if !ok {
			t.Fatal("no pick")
		}
		counts[op.Op]++
	}
	for op, w := range map[string]float64{"a": 0.1, "b": 0.3, "c": 0.6} {
		if got := float64(counts[op]) / n; got < w-0.01 || got > w+0.01 {
			t.Errorf("%s drawn %.3f of the time, want %.2f", op, got, w)
		}
	}
	if _, ok := newChooser(nil).pick(0.5); ok {
		t.Fatal("pick from no operations")
	}
}

func TestThinkStaysInRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rg := Range{Min: Duration(100 * time.Millisecond), Max: Duration(200 * time.Millisecond)}
	for range 1000 {
		if d := think(rng, rg); d < 100*time.Millisecond || d > 200*time.Millisecond {
			t.Fatalf("think %v outside %v", d, rg)
		}
	}
	if d := think(rng, Range{Min: Duration(time.Second)}); d != time.Second {
		t.Fatalf("fixed think %v", d)
	}
}
