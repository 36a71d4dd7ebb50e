package actors

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
)

// sseClient is the client end of a test stream: it reads the pipe into a
// buffer once started, so a test decides when (or whether) the client
// reads at all.
type sseClient struct {
	pr     *io.PipeReader
	mu     sync.Mutex
	buf    bytes.Buffer
	eof    bool
	notify chan struct{}
	once   sync.Once
}

func (k *sseClient) start() {
	k.once.Do(func() {
		go func() {
			b := make([]byte, 4096)
			for {
				n, err := k.pr.Read(b)
				k.mu.Lock()
				k.buf.Write(b[:n])
				k.eof = err != nil
				k.mu.Unlock()
				select {
				case k.notify <- struct{}{}:
				default:
				}
				if err != nil {
					return
				}
			}
		}()
	})
}

func (k *sseClient) text() (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.buf.String(), k.eof
}

// waitFor returns the output once cond holds; a hang fails the test.
func (k *sseClient) waitFor(t testing.TB, what string, cond func(out string, eof bool) bool) string {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		out, eof := k.text()
		if cond(out, eof) {
			return out
		}
		select {
		case <-k.notify:
		case <-deadline.C:
			t.Fatalf("waiting for %s; client has %q (eof %v)", what, out, eof)
		}
	}
}

// untilEOF waits for the stream to end and returns everything sent.
func (k *sseClient) untilEOF(t testing.TB) string {
	t.Helper()
	return k.waitFor(t, "end of stream", func(_ string, eof bool) bool { return eof })
}

// writeGate passes writes to the pipe and reports each one starting, so a test
// knows when Run is blocked on a client that does not read.
type writeGate struct {
	w       io.Writer
	entered chan struct{}
}

func (g writeGate) Write(p []byte) (int, error) {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	return g.w.Write(p)
}

type pipeStream struct {
	*Stream
	client  *sseClient
	entered chan struct{}
	cuts    chan struct{}
}

var errTestCut = errors.New("cut by the writer")

// openTestStream opens a stream whose "connection" is a pipe with a tiny
// bufio.Writer in front (so every frame reaches the pipe at once) and
// runs it as fasthttp would: Run, then close the pipe.
func openPipeStream(t testing.TB, r *Streams, o OpenOptions) *pipeStream {
	t.Helper()
	pr, pw := io.Pipe()
	ts := &pipeStream{client: &sseClient{pr: pr, notify: make(chan struct{}, 1)}, entered: make(chan struct{}, 64), cuts: make(chan struct{}, 1)}
	o.Cut = func() {
		_ = pw.CloseWithError(errTestCut)
		select {
		case ts.cuts <- struct{}{}:
		default:
		}
	}
	st, err := r.Open(WithRequestID(context.Background(), "req-1"), o)
	require.NoError(t, err)
	ts.Stream = st
	go func() {
		st.Run(bufio.NewWriterSize(writeGate{w: pw, entered: ts.entered}, 16))
		_ = pw.Close()
	}()
	t.Cleanup(func() {
		ts.client.start()
		st.ClientGone(nil)
		waitStreamClosed(t, st.Done(), 5*time.Second, "stream actors stopped")
		waitStreamClosed(t, st.Finished(), 5*time.Second, "stream writer finished")
	})
	return ts
}

func waitStreamClosed(t testing.TB, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("%s: not within %s", what, d)
	}
}

func newTestStreams(t testing.TB, ts *testSystem, cfg StreamsConfig) *Streams {
	t.Helper()
	cfg.Registerer = ts.reg
	r, err := NewStreams(ts.System, cfg)
	require.NoError(t, err)
	return r
}

// liveActors counts the actors alive in the system whose ID starts with
// prefix, straight from protoactor's process registry.
func liveActorsPrefixed(sys *actor.ActorSystem, prefix string) int {
	n := 0
	for _, bucket := range sys.ProcessRegistry.LocalPIDs.LocalPIDs {
		for _, id := range bucket.Keys() {
			if strings.HasPrefix(id, prefix) {
				n++
			}
		}
	}
	return n
}

// streamChild records its stop and does nothing else.
type streamChild struct{ stopped chan<- string }

func (a *streamChild) Receive(c actor.Context) {
	if _, ok := c.Message().(*actor.Stopping); ok {
		a.stopped <- c.Self().Id
	}
}

func sseFrames(out string) []string {
	var fs []string
	for _, f := range strings.Split(out, "\n\n") {
		if f != "" {
			fs = append(fs, f)
		}
	}
	return fs
}

func sseDataFrames(out string) []string {
	var fs []string
	for _, f := range sseFrames(out) {
		if !strings.HasPrefix(f, ":") {
			fs = append(fs, f)
		}
	}
	return fs
}
