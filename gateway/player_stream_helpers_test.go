package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/actors"
	"dj/internal/djtest"
	"dj/internal/server"
	"dj/mix"
)

// startPlayerEnv runs a whole server whose pollers tick every 40 ms and
// stop 100 ms after their last stream, so the tests see many polls fast.
func startPlayerEnv(t *testing.T, tweak ...func(*actors.PlayerStreamConfig)) *djtest.Env {
	t.Helper()
	cfg := actors.PlayerStreamConfig{
		Interval: 40 * time.Millisecond, PollShare: 1000, Grace: 100 * time.Millisecond,
		QueueCheckEvery: 100 * time.Millisecond,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	return djtest.Start(t, func(c *server.Config) { c.PlayerStream = cfg })
}

// playerEv is one named event of a player stream.
type playerEv struct {
	Name string
	Data map[string]any
	Raw  string
}

func (e playerEv) seq(t *testing.T) float64 {
	t.Helper()
	s, ok := e.Data["seq"].(float64)
	if !ok {
		t.Fatalf("%s has no seq: %s", e.Name, e.Raw)
	}
	return s
}

func (e playerEv) trackID() string {
	if e.Name == "track" {
		id, _ := e.Data["id"].(string)
		return id
	}
	tr, _ := e.Data["track"].(map[string]any)
	id, _ := tr["id"].(string)
	return id
}

// playerConn is one open GET /api/player/stream, read by a goroutine
// into a queue the test takes events from.
type playerConn struct {
	t      *testing.T
	resp   *http.Response
	cancel context.CancelFunc
	tr     *http.Transport

	mu     sync.Mutex
	events []playerEv
	ended  bool
	notify chan struct{}
	done   chan struct{}
	taken  int
}

func openPlayer(t *testing.T, env *djtest.Env, token string) *playerConn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.URL+"/api/player/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	tr := &http.Transport{}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("player stream: %d %s", resp.StatusCode, raw)
	}
	c := &playerConn{t: t, resp: resp, cancel: cancel, tr: tr, notify: make(chan struct{}, 1), done: make(chan struct{})}
	go c.read()
	t.Cleanup(c.close)
	return c
}

// read parses frames until the stream ends; comments are skipped.
func (c *playerConn) read() {
	defer close(c.done)
	br := bufio.NewReader(c.resp.Body)
	var name, data string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.push(nil)
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if name != "" || data != "" {
				ev := playerEv{Name: name, Raw: data}
				if json.Unmarshal([]byte(data), &ev.Data) != nil {
					ev.Data = map[string]any{"unparsable": data}
				}
				c.push(&ev)
			}
			name, data = "", ""
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func (c *playerConn) push(ev *playerEv) {
	c.mu.Lock()
	if ev == nil {
		c.ended = true
	} else {
		c.events = append(c.events, *ev)
	}
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// next is the next event not yet taken; ok is false once the stream has
// ended and every event was taken.
func (c *playerConn) next() (ev playerEv, ok bool) {
	c.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		if c.taken < len(c.events) {
			ev = c.events[c.taken]
			c.taken++
			c.mu.Unlock()
			return ev, true
		}
		ended := c.ended
		c.mu.Unlock()
		if ended {
			return playerEv{}, false
		}
		select {
		case <-c.notify:
		case <-deadline.C:
			c.t.Fatalf("no player event within 10 s")
		}
	}
}

// waitFor takes events until one named name, and returns it with the
// events skipped on the way.
func (c *playerConn) waitFor(name string) (playerEv, []playerEv) {
	c.t.Helper()
	var skipped []playerEv
	for {
		ev, ok := c.next()
		if !ok {
			c.t.Fatalf("stream ended before %q; got %v", name, evNames(skipped))
		}
		if ev.Name == name {
			return ev, skipped
		}
		skipped = append(skipped, ev)
	}
}

// rest takes every event until the stream ends.
func (c *playerConn) rest() []playerEv {
	c.t.Helper()
	var out []playerEv
	for {
		ev, ok := c.next()
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}

// all is every event received so far.
func (c *playerConn) all() []playerEv {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]playerEv(nil), c.events...)
}

// close hangs up (idempotent) and waits for the reader.
func (c *playerConn) close() {
	c.cancel()
	_ = c.resp.Body.Close()
	<-c.done
	c.tr.CloseIdleConnections()
}

func evNames(evs []playerEv) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Name
	}
	return out
}

// playerMetric reads one series of the server's metrics (0 when absent).
func playerMetric(t *testing.T, env *djtest.Env, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := env.Server.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			if g := m.GetGauge(); g != nil {
				return g.GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func pollersAlive(t *testing.T, env *djtest.Env) float64 {
	return playerMetric(t, env, "dj_actors_alive", map[string]string{"kind": "poller"})
}

func playerWaitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// playerSim calls a simulator control route.
func playerSim(t *testing.T, env *djtest.Env, method, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, env.Sim.URL()+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("sim %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// simPlaying is the id of the track the simulator plays for user.
func simPlaying(t *testing.T, env *djtest.Env, user string) string {
	t.Helper()
	var u struct {
		Playback *struct {
			Item *struct {
				ID string `json:"id"`
			} `json:"item"`
		} `json:"playback"`
	}
	playerSim(t, env, "GET", "/_sim/spotify/users/"+user, nil, &u)
	if u.Playback == nil || u.Playback.Item == nil {
		return ""
	}
	return u.Playback.Item.ID
}

// playerMix is the user's mix (nil without one). GET current tops a
// short queue up in the background when auto-fill is on.
func playerMix(t *testing.T, env *djtest.Env, token string) *mix.Session {
	t.Helper()
	var cur struct{ Session *mix.Session }
	if status := env.JSON("GET", "/api/mix/current", token, nil, &cur); status != http.StatusOK {
		t.Fatalf("mix current: %d", status)
	}
	return cur.Session
}

// playerGoroutines counts goroutines running the player stream's code.
func playerGoroutines() int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "dj/actors.(*Players)") || strings.Contains(g, "dj/actors.(*pollerActor)") {
			n++
		}
	}
	return n
}
