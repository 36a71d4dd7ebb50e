package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"dj/actors"
	"dj/internal/leakcheck"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/goleak"
)

func TestSSEHeadersFlushedBeforeAnyEvent(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: time.Hour})
	// dialSSE fails unless the head arrives while no event (and, with a
	// one-hour heartbeat, no byte of body) has been written.
	c := dialSSE(t, e.srv.Addr(), "/api/test/stream", 0, "X-Request-ID: sse-head-1")
	st := e.stream(t)
	for h, want := range map[string]string{
		"Content-Type":      "text/event-stream",
		"Cache-Control":     "no-cache, no-transform",
		"X-Accel-Buffering": "no",
		"X-Request-Id":      "sse-head-1",
	} {
		if got := c.resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if c.resp.StatusCode != http.StatusOK || c.resp.ContentLength != -1 || !c.resp.Close {
		t.Fatalf("status %d, length %d, close %v: want 200, streamed, last response on its connection", c.resp.StatusCode, c.resp.ContentLength, c.resp.Close)
	}
	if got := e.gathered(t, "dj_sse_streams_open", map[string]string{"stream": "test"}); got != 1 {
		t.Fatalf("streams open %v", got)
	}
	if err := st.Send(actors.Event{Name: "hello", Data: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	if f := c.mustNext(); f != "event: hello\ndata: {\"n\":1}" {
		t.Fatalf("frame %q", f)
	}
}

func TestSSEHeartbeatCadence(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: 20 * time.Millisecond})
	c := dialSSE(t, e.srv.Addr(), "/api/test/stream", 0)
	e.stream(t)
	for range 4 {
		if f := c.mustNext(); f != ": heartbeat" {
			t.Fatalf("idle stream sent %q", f)
		}
	}
}

func TestSSEEventFraming(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: time.Hour})
	named := dialSSE(t, e.srv.Addr(), "/api/test/stream", 0)
	nst := e.stream(t)
	env := dialSSE(t, e.srv.Addr(), "/api/test/stream?envelope=true", 0)
	est := e.stream(t)

	pretty := []byte("{\n  \"track\": \"a\\nb\",\n  \"bpm\": 120\n}\n")
	for _, st := range []*actors.Stream{nst, est} {
		if err := st.Send(actors.Event{Name: "state", Data: pretty}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []actors.Event{
			{Name: "x", Data: []byte("two\nlines")},
			{Name: "x\ndata: injected", Data: []byte(`1`)},
		} {
			if err := st.Send(bad); !errors.Is(err, actors.ErrInvalidEvent) {
				t.Fatalf("%q sent: %v", bad.Name, err)
			}
		}
		if err := st.Send(st.ErrorEvent("upstream_busy", "try again")); err != nil {
			t.Fatal(err)
		}
	}
	if f := named.mustNext(); f != "event: state\ndata: {\"track\":\"a\\nb\",\"bpm\":120}" {
		t.Fatalf("named frame %q", f)
	}
	if f := named.mustNext(); f != "event: error\ndata: {\"code\":\"upstream_busy\",\"message\":\"try again\"}" {
		t.Fatalf("named error frame %q", f)
	}
	if f := env.mustNext(); f != `data: {"type":"state","data":{"track":"a\nb","bpm":120}}` {
		t.Fatalf("envelope frame %q", f)
	}
	f := env.mustNext()
	var v struct {
		Type string `json:"type"`
		Data struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(f, "data: ")), &v); err != nil || v.Type != "error" || v.Data.Code != "upstream_busy" {
		t.Fatalf("envelope error frame %q: %v", f, err)
	}
}

// A client that stops reading (tiny receive window, large events) is
// closed as a slow consumer while a client on the same server keeps
// receiving everything.
func TestSSESlowConsumerIsClosedWhileOthersFlow(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: time.Hour, StallTimeout: 200 * time.Millisecond, CloseGrace: 5 * time.Second})
	slow := dialSSE(t, e.srv.Addr(), "/api/test/stream", 4096)
	slowSt := e.stream(t)
	fast := dialSSE(t, e.srv.Addr(), "/api/test/stream", 0)
	fastSt := e.stream(t)

	const fastEvents, size = 300, 4000
	var wg sync.WaitGroup
	var fastErr error
	wg.Go(func() {
		for i := range fastEvents {
			if fastErr = fastSt.SendWait(t.Context(), bigEvent(i, size)); fastErr != nil {
				return
			}
		}
	})
	received := make(chan int, 1)
	wg.Go(func() {
		n := 0
		for n < fastEvents {
			fast.deadline(10 * time.Second)
			f, err := fast.next()
			if err != nil {
				break
			}
			if strings.HasPrefix(f, "event: n\n") {
				n++
			}
		}
		received <- n
	})

	// The slow client reads nothing; its writer fills the socket, then
	// the ten-event buffer, then gives up.
	accepted := 0
	var err error
	for ; accepted < 10000; accepted++ {
		if err = slowSt.SendWait(t.Context(), bigEvent(accepted, size)); err != nil {
			break
		}
	}
	if !errors.Is(err, actors.ErrSlowConsumer) {
		t.Fatalf("after %d events: %v, want ErrSlowConsumer", accepted, err)
	}
	select {
	case <-slowSt.Context().Done():
	case <-time.After(time.Second):
		t.Fatal("slow stream's context not cancelled")
	}
	wg.Wait()
	if fastErr != nil || <-received != fastEvents || fastSt.Err() != nil {
		t.Fatalf("fast client: send err %v, stream err %v", fastErr, fastSt.Err())
	}

	// Reading now (within the grace), the slow client gets exactly the
	// events that were accepted, then the slow_consumer error, then EOF.
	fs, rerr := slow.rest()
	if rerr != nil {
		t.Fatalf("slow client: %v", rerr)
	}
	if len(fs) != accepted+1 {
		t.Fatalf("slow client got %d frames, %d events were accepted", len(fs), accepted)
	}
	if last := fs[len(fs)-1]; !strings.HasPrefix(last, "event: error\n") || !strings.Contains(last, `"code":"slow_consumer"`) {
		t.Fatalf("last frame %q", last)
	}
	t.Logf("slow client: %d events of %d bytes accepted before it counted as slow", accepted, size)
	if got := e.gathered(t, "dj_sse_streams_closed_total", map[string]string{"stream": "test", "reason": "slow_consumer"}); got != 1 {
		t.Fatalf("slow_consumer closes %v", got)
	}
}

// Disconnect: the writer sees EOF on the connection, the stream's context
// is cancelled and its actors stop within the 1 s the product promises;
// no goroutine is left behind.
func TestSSEClientDisconnectStopsWorkWithinOneSecond(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: time.Hour})
	// Warm fasthttp's worker pool so the goroutine baseline includes the
	// worker that will serve the stream.
	resp, err := http.Get("http://" + e.srv.Addr() + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	base := append(leakcheck.Known(), goleak.IgnoreCurrent())

	c := dialSSE(t, e.srv.Addr(), "/api/test/stream", 0)
	st := e.stream(t)
	stopped := make(chan time.Time, 2)
	for _, name := range []string{"enrich", "poll"} {
		if _, err := st.Spawn(name, e.sys.Props("test-worker", func() actor.Actor { return &idleChild{stopped: stopped} })); err != nil {
			t.Fatal(err)
		}
	}
	if n := liveStreamActors(e.sys.Actors()); n != 3 {
		t.Fatalf("%d stream actors alive, want writer + 2 children", n)
	}
	if err := st.Send(actors.Event{Name: "n", Data: []byte(`1`)}); err != nil {
		t.Fatal(err)
	}
	c.mustNext()

	t0 := time.Now()
	_ = c.conn.Close()
	budget := time.NewTimer(time.Second)
	defer budget.Stop()
	select {
	case <-st.Context().Done():
	case <-budget.C:
		t.Fatal("stream context not cancelled within 1 s of the disconnect")
	}
	cancelled := time.Since(t0)
	select {
	case <-st.Done():
	case <-budget.C:
		t.Fatal("writer actor and children not stopped within 1 s of the disconnect")
	}
	done := time.Since(t0)
	ids := []string{"stream/" + st.ID(), "stream/" + st.ID() + "/enrich", "stream/" + st.ID() + "/poll"}
	for {
		alive := 0
		for _, id := range ids {
			if _, ok := e.sys.Actors().ProcessRegistry.GetLocal(id); ok {
				alive++
			}
		}
		if alive == 0 {
			break
		}
		select {
		case <-budget.C:
			t.Fatalf("%d stream actors still registered 1 s after the disconnect", alive)
		case <-time.After(time.Millisecond):
		}
	}
	took := time.Since(t0)
	if n := liveStreamActors(e.sys.Actors()); n != 0 {
		t.Fatalf("%d stream actors alive", n)
	}
	if len(stopped) != 2 {
		t.Fatalf("%d children stopped", len(stopped))
	}
	if !errors.Is(st.Err(), actors.ErrClientGone) {
		t.Fatalf("close cause %v", st.Err())
	}
	t.Logf("disconnect to: context cancelled %s, writer and children stopped %s, gone from the registry %s", cancelled, done, took)
	if err := goleak.Find(base...); err != nil {
		t.Fatalf("goroutines not back to baseline: %v", err)
	}
	if got := e.gathered(t, "dj_sse_streams_open", map[string]string{"stream": "test"}); got != 0 {
		t.Fatalf("streams open %v", got)
	}
}

// Shutdown: CloseAll gives every open stream its final event (and cuts a
// client that does not take it), after which the HTTP server stops at
// once instead of waiting on streams.
func TestSSECloseAllThenShutdownIsPrompt(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: time.Hour, CloseGrace: 300 * time.Millisecond})
	named := dialSSE(t, e.srv.Addr(), "/api/test/stream", 0)
	e.stream(t)
	env := dialSSE(t, e.srv.Addr(), "/api/test/stream?envelope=true", 0)
	e.stream(t)
	// A client that never reads, with a stream whose writer is stuck on
	// it: five 200 KB events are more than the socket buffers take.
	stuck := dialSSE(t, e.srv.Addr(), "/api/test/stream", 4096)
	stuckSt := e.stream(t)
	for i := range 5 {
		if err := stuckSt.Send(bigEvent(i, 200_000)); err != nil {
			t.Fatal(err)
		}
	}
	_ = stuck

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	t0 := time.Now()
	if err := e.streams.CloseAll(ctx); err != nil {
		t.Fatal(err)
	}
	closed := time.Since(t0)
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	total := time.Since(t0)
	t.Logf("CloseAll %s, then gateway shutdown %s", closed, total-closed)
	if total > 2*time.Second {
		t.Fatalf("shutdown took %s", total)
	}

	fs, err := named.rest()
	if err != nil || len(fs) != 1 || fs[0] != `event: error`+"\n"+`data: {"code":"shutting_down","message":"the server is restarting; reconnect shortly"}` {
		t.Fatalf("named client got %q, %v", fs, err)
	}
	fs, err = env.rest()
	if err != nil || len(fs) != 1 || !strings.HasPrefix(fs[0], `data: {"type":"error","data":{"code":"shutting_down"`) {
		t.Fatalf("envelope client got %q, %v", fs, err)
	}
	if n := liveStreamActors(e.sys.Actors()); n != 0 {
		t.Fatalf("%d stream actors alive after CloseAll", n)
	}
	if got := e.gathered(t, "dj_sse_streams_closed_total", map[string]string{"stream": "test", "reason": "shutdown"}); got != 3 {
		t.Fatalf("shutdown closes %v", got)
	}
}

// The disconnect watcher reads the raw connection, so the connection must
// never carry another request: the stream is its last response, bytes a
// client pipelines behind the stream request are never served, and a
// keep-alive client simply opens a new connection afterwards. fasthttp's
// ReadTimeout deadline (armed for reading the request) must not end the
// stream either.
func TestSSEConnectionIsNotReused(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: 40 * time.Millisecond}, func(c *Config) { c.ReadTimeout = 100 * time.Millisecond })
	c := dialSSE(t, e.srv.Addr(), "/api/test/stream", 0)
	st := e.stream(t)
	if _, err := io.WriteString(c.conn, "GET /api/health HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	for range 6 { // well past the read timeout
		if f := c.mustNext(); f != ": heartbeat" {
			t.Fatalf("frame %q", f)
		}
	}
	if st.Err() != nil {
		t.Fatalf("stream closed: %v", st.Err())
	}
	if err := st.Close(&actors.Event{Name: "bye"}); err != nil {
		t.Fatal(err)
	}
	fs, err := c.rest()
	if err != nil || len(fs) == 0 || fs[len(fs)-1] != "event: bye\ndata: null" {
		t.Fatalf("end of stream %q, %v", fs, err)
	}
	c.deadline(2 * time.Second)
	if n, err := c.conn.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("after the stream: %d bytes, %v; want the connection closed, the pipelined request unserved", n, err)
	}

	// A keep-alive client: request, stream, request.
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	get := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", "http://"+e.srv.Addr()+path, nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("/api/health")
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	resp = get("/api/test/stream")
	st = e.stream(t)
	if err := st.Close(&actors.Event{Name: "bye"}); err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.HasSuffix(string(body), "event: bye\ndata: null\n\n") {
		t.Fatalf("stream body %q, %v", body, err)
	}
	resp = get("/api/health")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("request after a stream: %d", resp.StatusCode)
	}
}

func TestSSERefusedAfterCloseAll(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{})
	if err := e.streams.CloseAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://"+e.srv.Addr()+"/api/test/stream", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	decodeProblem(t, resp)
}

func TestChatEventsRoute(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{Heartbeat: 20 * time.Millisecond})
	base := "http://" + e.srv.Addr() + "/api/chat-stream/events"
	// The reference's query-string token is not a credential here.
	for _, url := range []string{base, base + "?token=tok"} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: status %d, want 401", url, resp.StatusCode)
		}
		decodeProblem(t, resp)
	}

	c := dialSSE(t, e.srv.Addr(), "/api/chat-stream/events", 0, "X-Request-ID: chat-ev-7")
	if ct := c.resp.Header.Get("Content-Type"); c.resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("status %d, type %q", c.resp.StatusCode, ct)
	}
	if f := c.mustNext(); f != `data: {"type":"connected","data":{"requestId":"chat-ev-7"}}` {
		t.Fatalf("first frame %q", f)
	}
	for range 2 {
		if f := c.mustNext(); f != ": heartbeat" {
			t.Fatalf("then %q", f)
		}
	}
	labels := map[string]string{"stream": "chat-events"}
	if got := e.gathered(t, "dj_sse_streams_open", labels); got != 1 {
		t.Fatalf("streams open %v", got)
	}
	_ = c.conn.Close()
	deadline := time.Now().Add(time.Second)
	for e.gathered(t, "dj_sse_streams_open", labels) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("chat events stream still open 1 s after the client left")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := liveStreamActors(e.sys.Actors()); n != 0 {
		t.Fatalf("%d stream actors alive", n)
	}
	if got := e.gathered(t, "dj_sse_streams_closed_total", map[string]string{"stream": "chat-events", "reason": "client_gone"}); got != 1 {
		t.Fatalf("client_gone closes %v", got)
	}
}

func TestChatEventsDocumentedAsStream(t *testing.T) {
	e := startSSE(t, actors.StreamsConfig{})
	resp, err := http.Get("http://" + e.srv.Addr() + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			Security  []map[string][]string
			Responses map[string]struct {
				Content map[string]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	op, ok := doc.Paths["/api/chat-stream/events"]["get"]
	if !ok {
		t.Fatalf("route not documented; paths: %v", fmt.Sprint(len(doc.Paths)))
	}
	if _, ok := op.Responses["200"].Content["text/event-stream"]; !ok || len(op.Security) == 0 {
		t.Fatalf("operation %+v", op)
	}
}
