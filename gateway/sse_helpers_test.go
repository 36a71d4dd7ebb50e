package gateway

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"dj/actors"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// sseTest is a real gateway on a loopback port with a real actor system
// and stream registry, plus a test-only stream route (/api/test/stream)
// that hands each opened stream to the test.
type sseTest struct {
	sys     *actors.System
	streams *actors.Streams
	srv     *Server
	reg     *prometheus.Registry
	opened  chan *actors.Stream
}

// testStreamInput picks the framing of the test route's stream.
type testStreamInput struct {
	Envelope bool `query:"envelope"`
}

func startSSE(t *testing.T, cfg actors.StreamsConfig, gw ...func(*Config)) *sseTest {
	t.Helper()
	reg := prometheus.NewRegistry()
	sys, err := actors.NewSystem(actors.Config{DeadLetterThrottle: 5 * time.Millisecond}, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Registerer = reg
	streams, err := actors.NewStreams(sys, cfg)
	if err != nil {
		t.Fatal(err)
	}
	st := &sseTest{sys: sys, streams: streams, reg: reg, opened: make(chan *actors.Stream, 16)}
	gcfg := Config{Auth: fixedAuth{"tok": "alice"}, ValidateResponses: true}
	for _, f := range gw {
		f(&gcfg)
	}
	srv, err := newServer(gcfg, Deps{Streams: streams}, func(s *Server) {
		handle(s, operation{Method: "GET", Path: "/api/test/stream", ID: "testStream", Tag: "test", Auth: true, Stream: true},
			func(c *Call, in *testStreamInput) (*struct{}, error) {
				framing := actors.FramingNamed
				if in.Envelope {
					framing = actors.FramingEnvelope
				}
				stream, err := s.openStream(c, actors.OpenOptions{Kind: "test", Framing: framing})
				if err != nil {
					return nil, err
				}
				st.opened <- stream
				return nil, nil
			})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	st.srv = srv
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := streams.CloseAll(ctx); err != nil {
			t.Errorf("close streams: %v", err)
		}
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
		if err := sys.Shutdown(ctx); err != nil {
			t.Errorf("actors shutdown: %v", err)
		}
	})
	return st
}

// stream waits for the test route's handler to hand over its stream.
func (e *sseTest) stream(t *testing.T) *actors.Stream {
	t.Helper()
	select {
	case st := <-e.opened:
		return st
	case <-time.After(5 * time.Second):
		t.Fatal("no stream opened")
		return nil
	}
}

// gathered reads one series of a registered metric by its labels.
func (e *sseTest) gathered(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// sseClient is a raw HTTP/1.1 client on its own TCP connection, so a
// test controls exactly when it reads and when it hangs up.
type sseClient struct {
	t    *testing.T
	conn *net.TCPConn
	resp *http.Response
	body *bufio.Reader
}

// dialSSE sends GET path with the bearer token and reads the response
// head. rcvbuf > 0 shrinks the socket's receive buffer (before connect,
// so the advertised window is small too).
func dialSSE(t *testing.T, addr, path string, rcvbuf int, header ...string) *sseClient {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		if rcvbuf <= 0 {
			return nil
		}
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
		})
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := &sseClient{t: t, conn: conn.(*net.TCPConn)}
	req := "GET " + path + " HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\nAuthorization: Bearer tok\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	c.deadline(5 * time.Second)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("response head: %v", err)
	}
	c.resp = resp
	c.body = bufio.NewReader(resp.Body)
	return c
}

func (c *sseClient) deadline(d time.Duration) {
	_ = c.conn.SetReadDeadline(time.Now().Add(d))
}

// next reads one SSE frame (without its blank line).
func (c *sseClient) next() (string, error) {
	var lines []string
	for {
		line, err := c.body.ReadString('\n')
		if err != nil {
			return strings.Join(lines, "\n") + line, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return strings.Join(lines, "\n"), nil
		}
		lines = append(lines, line)
	}
}

// mustNext reads one frame within 5 s.
func (c *sseClient) mustNext() string {
	c.t.Helper()
	c.deadline(5 * time.Second)
	f, err := c.next()
	if err != nil {
		c.t.Fatalf("reading a frame: %v (partial %q)", err, f)
	}
	return f
}

// rest reads frames until the server ends the stream.
func (c *sseClient) rest() ([]string, error) {
	c.deadline(10 * time.Second)
	var out []string
	for {
		f, err := c.next()
		if errors.Is(err, io.EOF) && f == "" {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("after %d frames: %w (partial %q)", len(out), err, f)
		}
		out = append(out, f)
	}
}

// liveStreamActors counts stream writer actors and their children alive
// in the system, straight from protoactor's process registry. It walks
// every shard of the registry (tens of milliseconds under -race), so
// timing checks look up known IDs instead.
func liveStreamActors(sys *actor.ActorSystem) int {
	n := 0
	for _, bucket := range sys.ProcessRegistry.LocalPIDs.LocalPIDs {
		for _, id := range bucket.Keys() {
			if strings.HasPrefix(id, "stream/") {
				n++
			}
		}
	}
	return n
}

// idleChild is an actor working for a stream; it reports its stop.
type idleChild struct{ stopped chan<- time.Time }

func (a *idleChild) Receive(c actor.Context) {
	if _, ok := c.Message().(*actor.Stopped); ok {
		a.stopped <- time.Now()
	}
}

func bigEvent(i, size int) actors.Event {
	return actors.Event{Name: "n", Data: []byte(fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i, strings.Repeat("x", size)))}
}
