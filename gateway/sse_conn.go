package gateway

import (
	"errors"
	"net"
	"time"

	"dj/actors"
)

// watchDisconnect tells st at once when its client goes away. fasthttp
// itself only notices through a failed write, about three writes later
// (with 15 s heartbeats, ~45 s), and work for the stream must stop within
// 1 s. An SSE client sends nothing after its request, so a read on the
// connection blocks until the client closes it and then returns EOF (or
// a reset): that is the signal.
//
// This is safe alongside fasthttp because fasthttp reads the whole
// request (body included) before the handler runs, and openStream
// hijacks the connection, so fasthttp never reads it again; the response
// says "Connection: close", so the connection never carries another
// request whose bytes this read could take. Bytes a client sends anyway
// (a pipelined request) are discarded: they would never be served.
//
// The goroutine ends when the client leaves, when the connection is
// closed after the stream, or when finishRun wakes it.
func watchDisconnect(conn net.Conn, st *actors.Stream) {
	// fasthttp armed a read deadline (Config.ReadTimeout) for reading the
	// request; clear it, or it would look like a broken connection.
	_ = conn.SetReadDeadline(time.Time{})
	go func() {
		var buf [256]byte
		for {
			_, err := conn.Read(buf[:])
			if err == nil {
				continue
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				select {
				case <-st.Finished(): // woken by finishRun: the stream is over
					return
				default: // a stray deadline: keep watching
					_ = conn.SetReadDeadline(time.Time{})
					continue
				}
			}
			st.ClientGone(err) // no-op when the stream already closed
			return
		}
	}()
}

// finishRun wakes the watcher once the stream's writer is done with the
// connection, so the watcher never outlives its stream even if the
// connection stayed open.
func finishRun(conn net.Conn) {
	_ = conn.SetReadDeadline(time.Now())
}
