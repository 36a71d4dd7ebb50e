package gateway

import (
	"bufio"
	"fmt"
	"net/http"
	"time"

	"dj/actors"

	"github.com/gofiber/fiber/v2"
)

// sseSendBuffer caps the kernel's send buffer of a stream's connection.
// Events are small and infrequent, so 64 KiB costs no throughput.
const sseSendBuffer = 64 << 10

// openStream turns the current request into an SSE stream and returns its
// writer. Call it from a Stream route after auth and validation, then
// return at once: fasthttp writes the response after the handler returns
// and recycles the *fiber.Ctx, so the writer gets only the connection's
// bufio.Writer (through Run) and the net.Conn (to watch and to cut),
// never the Ctx. The headers go out as soon as the handler returns,
// before any event. An error here is answered as a problem (503 when
// shutting down); nothing has been streamed yet.
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
	// A stalled client can only make the kernel hold what the send
	// buffer allows; without a cap, autotuning lets a reader that stopped
	// fall megabytes (hundreds of events) behind before the writer's
	// ten-event buffer even starts to fill.
	if tc, ok := conn.(interface{ SetWriteBuffer(int) error }); ok {
		_ = tc.SetWriteBuffer(sseSendBuffer)
	}
	fc.Status(http.StatusOK)
	fc.Context().Response.ImmediateHeaderFlush = true
	watchDisconnect(conn, st)
	fc.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		st.Run(w)
		finishRun(conn)
	})
	return st, nil
}
