package reliability

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// stalledClient is an SSE client that sends its request and then never
// reads: the server's events pile up in the socket buffers. Its receive
// buffer is small (set before connecting, so the window it advertises is
// small too), so the server's side fills after little data.
type stalledClient struct {
	conn *net.TCPConn
}

// stallRcvBuf is the stalled clients' receive buffer (the kernel's
// minimum is about this).
const stallRcvBuf = 4096

// dialStalled opens a stalled client on GET path with the bearer token.
func dialStalled(addr, path, token string) (*stalledClient, error) {
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, stallRcvBuf)
		})
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: dj\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token + "\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return nil, err
	}
	return &stalledClient{conn: conn.(*net.TCPConn)}, nil
}

// drain reads whatever the server left for the client and reports how
// the stream ended: closed is true when the server closed or reset the
// connection within limit, last is the last complete event frame.
func (c *stalledClient) drain(limit time.Duration) (closed bool, last string, n int, err error) {
	defer c.conn.Close()
	_ = c.conn.SetReadDeadline(time.Now().Add(limit))
	var buf bytes.Buffer
	_, err = io.Copy(&buf, c.conn)
	var ne net.Error
	switch {
	case err == nil, errors.Is(err, syscall.ECONNRESET):
		closed, err = true, nil
	case errors.As(err, &ne) && ne.Timeout():
		err = fmt.Errorf("still open after %s", limit)
	}
	var body []byte
	if resp, rerr := http.ReadResponse(bufio.NewReader(&buf), nil); rerr == nil {
		body, _ = io.ReadAll(resp.Body) // a cut connection ends it early: keep what came
		resp.Body.Close()
	}
	frames := strings.Split(string(body), "\n\n")
	for _, f := range frames[:max(0, len(frames)-1)] { // the part after the last blank line is incomplete
		if f = strings.TrimSpace(f); f != "" && !strings.HasPrefix(f, ":") {
			last = f
			n++
		}
	}
	return closed, last, n, err
}

// close drops the connection without reading.
func (c *stalledClient) close() { _ = c.conn.Close() }
