//go:build cluster

package clustertest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// tcpProxy stands in front of a member's remote endpoint (the member
// advertises the proxy's address), so a test can do to the connections
// what a dying machine does to them:
//   - freeze: bytes are still accepted but no longer delivered, either
//     way, and connections stay open (a hung process, a partition);
//   - kill: every connection is reset and new ones are refused (what the
//     other members see of a process killed with SIGKILL).
type tcpProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	conns  []*net.TCPConn
	frozen bool
	killed bool
	held   bytes.Buffer // what clients sent while frozen (bounded by the test's traffic)

	wg sync.WaitGroup
}

// startProxy listens on a free loopback port and forwards to target.
// The caller closes it, after the member behind it has stopped (killed
// first, the members would leave while protoactor is still retrying
// connections to it, which holds their shutdown for 10 s).
func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &tcpProxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	return p
}

// close kills the proxy and waits for its goroutines.
func (p *tcpProxy) close() {
	p.kill()
	p.wg.Wait()
}

// addr is the address clients dial.
func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // killed
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		client, server := c.(*net.TCPConn), up.(*net.TCPConn)
		p.mu.Lock()
		if p.killed {
			p.mu.Unlock()
			_ = client.Close()
			_ = server.Close()
			return
		}
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(server, client, true) })
		p.wg.Go(func() { p.pipe(client, server, false) })
	}
}

// pipe copies src to dst until either ends; while frozen it swallows
// what it reads (and keeps what clients sent, see holds).
func (p *tcpProxy) pipe(dst, src *net.TCPConn, fromClient bool) {
	defer func() {
		_ = dst.Close()
		_ = src.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			frozen := p.frozen
			if frozen && fromClient {
				p.held.Write(buf[:n])
			}
			p.mu.Unlock()
			if !frozen {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return
			}
			_ = dst.CloseWrite()
			return
		}
	}
}

// freeze stops delivering bytes; connections stay open.
func (p *tcpProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// holds reports whether a client sent marker since the freeze (the
// bytes are held back, never delivered).
func (p *tcpProxy) holds(marker string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Contains(p.held.Bytes(), []byte(marker))
}

// kill resets every connection and refuses new ones.
func (p *tcpProxy) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed {
		return
	}
	p.killed = true
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.SetLinger(0) // close with RST, as the kernel does for a killed process
		_ = c.Close()
	}
	p.conns = nil
}
