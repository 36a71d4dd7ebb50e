package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// rawConn is a minimal HTTP/1.1 keep-alive client for one GET, used by
// compare mode: on a two-core machine the client shares the CPUs with the
// server, and net/http's client costs more per request than the routes
// being compared, so a lean client keeps the measurement about the server.
// It understands what both sides send: a status line, headers with
// Content-Length, a body.
type rawConn struct {
	addr string
	req  []byte
	conn net.Conn
	br   *bufio.Reader
}

func newRawConn(rawURL, auth string) (*rawConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", rawURL, err)
	}
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nUser-Agent: djload\r\n\r\n", u.RequestURI(), u.Host, auth)
	return &rawConn{addr: u.Host, req: []byte(req)}, nil
}

// dial connects unless connected.
func (c *rawConn) dial(ctx context.Context) error {
	if c.conn != nil {
		return nil
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	c.conn, c.br = conn, bufio.NewReaderSize(conn, 8192)
	return nil
}

// get sends the request and reads the whole response, reconnecting when
// the connection was closed; it returns the status.
func (c *rawConn) get(ctx context.Context) (int, error) {
	if err := c.dial(ctx); err != nil {
		return 0, err
	}
	if dl, ok := ctx.Deadline(); ok {
		// A second past the context, so a request cut by the end of the
		// run is seen as cut (ctx done), not as a server timeout.
		_ = c.conn.SetDeadline(dl.Add(time.Second))
	}
	code, keep, err := c.roundTrip()
	if err != nil || !keep {
		c.close()
	}
	return code, err
}

func (c *rawConn) roundTrip() (code int, keep bool, err error) {
	if _, err := c.conn.Write(c.req); err != nil {
		return 0, false, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	f := bytes.Fields(line)
	if len(f) < 2 || !bytes.HasPrefix(f[0], []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	if code, err = strconv.Atoi(string(f[1])); err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	length, keep := -1, true
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return code, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch strings.ToLower(string(name)) {
		case "content-length":
			if length, err = strconv.Atoi(string(value)); err != nil {
				return code, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case "connection":
			keep = !bytes.EqualFold(value, []byte("close"))
		case "transfer-encoding":
			return code, false, errors.New("chunked response: compare mode needs Content-Length")
		}
	}
	if length < 0 {
		return code, false, errors.New("response without Content-Length")
	}
	if _, err := c.br.Discard(length); err != nil {
		return code, false, err
	}
	return code, keep, nil
}

func (c *rawConn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn, c.br = nil, nil
	}
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on
// every Linux configuration Go supports).
const clockTicks = 100

// procCPU is a process's user+system CPU time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	return parseProcStatCPU(data)
}

// parseProcStatCPU reads utime and stime (fields 14 and 15) from a
// /proc/<pid>/stat line; the command name may hold spaces, so fields are
// counted after its closing parenthesis.
func parseProcStatCPU(data []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("stat: too few fields")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("stat: %w", err)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// selfCPU is djload's own CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
