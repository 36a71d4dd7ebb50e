package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"dj/actors"

	"github.com/gofiber/fiber/v2"
)

// sseSendBuffer caps the kernel's send buffer of a stream's connection.
// Events are small and infrequent, so 64 KiB costs no throughput.
const sseSendBuffer = 64 << 10

// openStream turns the current request into an SSE stream and returns its
// writer. Call it from a Stream route after auth and validation, then
// return at once. The connection is hijacked: once the handler chain has
// returned, fasthttp hands it over instead of writing a response, and
// runStream writes the response head and then the stream on it, in the
// hijack goroutine. fasthttp's own streaming (SetBodyStreamWriter) costs
// a pipe, a second goroutine and two 4 KiB buffers per stream (P1 in
// docs/benchmarks.md); this way a stream has one writing goroutine and a
// 1 KiB buffer. The writer gets only the net.Conn, the response head
// (serialised here, with every header the middleware set) and the
// Stream — never the Ctx, which Fiber recycles. The head goes out as soon
// as the handler returns, before any event. An error here is answered as
// a problem (503 when shutting down); nothing has been streamed yet.
func (s *Server) openStream(c *Call, o actors.OpenOptions) (*actors.Stream, error) {
	if s.deps.Streams == nil {
		return nil, Problemf(http.StatusServiceUnavailable, "live streams are not available")
	}
	fc := c.fiber
	conn := fc.Context().Conn()
	o.Cut = func() { _ = conn.SetWriteDeadline(time.Now()) }
	st, err := s.deps.Streams.Open(c.Ctx, o)
	if err != nil {
		return nil, fmt.Errorf("open %s stream: %w", o.Kind, err)
	}
	h := &fc.Response().Header
	h.SetContentType("text/event-stream")
	h.Set(fiber.HeaderCacheControl, "no-cache, no-transform")
	h.Set("X-Accel-Buffering", "no")
	// The stream is the connection's last response: after it the
	// connection closes instead of serving another request, so the
	// disconnect watcher never reads bytes that belong to fasthttp.
	h.SetConnectionClose()
	h.SetContentLength(-1) // Transfer-Encoding: chunked (chunkWriter)
	// A stalled client can only make the kernel hold what the send
	// buffer allows; without a cap, autotuning lets a reader that stopped
	// fall megabytes (hundreds of events) behind before the writer's
	// ten-event buffer even starts to fill.
	if tc, ok := conn.(interface{ SetWriteBuffer(int) error }); ok {
		_ = tc.SetWriteBuffer(sseSendBuffer)
	}
	fc.Status(http.StatusOK)
	head := h.AppendBytes(nil) // not Header(): its buffer would stay with the Ctx
	watchDisconnect(conn, st)
	rc := fc.Context()
	rc.HijackSetNoResponse(true)
	rc.Hijack(func(net.Conn) {
		b := head
		head = nil // written once; not kept for the stream's life
		runStream(conn, b, st)
	})
	return st, nil
}

// sseWriteBuffer is the stream writer's buffer. Run flushes once per
// batch of frames, and a frame larger than the buffer is written
// directly, so it bounds nothing but the number of write calls.
const sseWriteBuffer = 1 << 10

// runStream writes the response head, runs the stream on conn as one
// chunked body and ends it with the last chunk. It returns when the
// stream is over; fasthttp then closes the connection.
func runStream(conn net.Conn, head []byte, st *actors.Stream) {
	defer finishRun(conn)
	if _, err := conn.Write(head); err != nil {
		st.ClientGone(err)
	}
	// Run even after a failed head: its first write fails too, and Run
	// is what marks the stream finished.
	st.Run(bufio.NewWriterSize(&chunkWriter{conn: conn}, sseWriteBuffer))
	_, _ = io.WriteString(conn, lastChunk)
}

// lastChunk ends a chunked body.
const lastChunk = "0\r\n\r\n"

// chunkWriter writes each Write as one HTTP/1.1 chunk (size line, data,
// CRLF) in one writev.
type chunkWriter struct {
	conn net.Conn
	size []byte
	crlf [2]byte
}

// Write implements io.Writer.
func (w *chunkWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	w.size = append(strconv.AppendInt(w.size[:0], int64(len(p)), 16), '\r', '\n')
	w.crlf = [2]byte{'\r', '\n'}
	bufs := net.Buffers{w.size, p, w.crlf[:]}
	if _, err := bufs.WriteTo(w.conn); err != nil {
		return 0, err
	}
	return len(p), nil
}
