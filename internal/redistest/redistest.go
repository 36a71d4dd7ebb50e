// Package redistest starts real redis-server processes for tests: the
// store's Redis backend and cluster tests run against the same server
// binary production uses (Debian's redis-server), never a fake. Each
// server listens on its own free loopback port with its own directory and
// is stopped when the test ends.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DefaultBinary is where Debian's redis-server package installs the server.
const DefaultBinary = "/usr/bin/redis-server"

// Bounds of the helper's waits, generous for a loaded CI machine.
const (
	// readyTimeout bounds the wait for a started server to answer PING
	// (with the durable option this includes loading its append-only file).
	readyTimeout = 15 * time.Second
	// stopTimeout bounds each wait for the process to exit after a signal.
	stopTimeout = 5 * time.Second
	// bindAttempts is how many free ports Start tries: another process can
	// take the port between our probe and the server's bind.
	bindAttempts = 5
	// pollInterval is the pause between readiness probes.
	pollInterval = 10 * time.Millisecond
	// probeTimeout bounds one readiness probe's dial, write and read.
	probeTimeout = 500 * time.Millisecond
	// logTailBytes is how much of the server log failure messages show.
	logTailBytes = 4096
)

// errBindFailed says the server could not bind its port; Start retries
// with another one.
var errBindFailed = errors.New("port already in use")

// Option adjusts the server started by Start.
type Option func(*options)

type options struct {
	durable  bool
	password string
	args     []string
	binary   string
	port     func() (int, error)
}

// Durable turns on the append-only file with an fsync before every reply
// (--appendonly yes --appendfsync always), for tests that kill the server
// and expect acknowledged writes back after Restart. The default keeps
// nothing on disk (--save "" --appendonly no), which is faster.
func Durable() Option { return func(o *options) { o.durable = true } }

// Password makes the server require AUTH with pw (--requirepass); the
// helper's own readiness probe authenticates with it. (Passing
// --requirepass through Args instead would leave the probe locked out.)
func Password(pw string) Option { return func(o *options) { o.password = pw } }

// Args appends raw redis-server arguments, e.g. Args("--maxmemory", "8mb").
// They come last, so they override the helper's defaults.
func Args(args ...string) Option {
	return func(o *options) { o.args = append(o.args, args...) }
}

// withBinary runs another binary (this package's tests: a missing one).
func withBinary(path string) Option { return func(o *options) { o.binary = path } }

// withPorts replaces the free-port picker (this package's tests: a busy
// port first, to exercise the retry).
func withPorts(pick func() (int, error)) Option { return func(o *options) { o.port = pick } }

// Server is one redis-server process owned by a test. Its methods must be
// called from the test's goroutine, as with testing.T.Fatal.
type Server struct {
	t        testing.TB
	bin      string
	dir      string
	args     []string // everything but the port
	port     int
	password string

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of the server binary.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when Wait has returned
	err  error         // Wait's result; read only after done
}

// Start runs redis-server on 127.0.0.1 at a free port, waits until it
// answers PING, and stops it when the test ends (SIGTERM, then SIGKILL).
// A missing binary fails the test with the command that installs it.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := options{port: freePort}
	for _, opt := range opts {
		opt(&o)
	}
	bin, err := findBinary(o.binary)
	if err != nil {
		t.Fatalf("redis-server not found: run `make redis-server` (apt-get install redis-server): %v", err)
		return nil
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), password: o.password}
	s.args = []string{
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--daemonize", "no",
		"--logfile", "", // stdout, which goes to the log file below
		"--save", "",
	}
	if o.durable {
		s.args = append(s.args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		s.args = append(s.args, "--appendonly", "no")
	}
	if o.password != "" {
		s.args = append(s.args, "--requirepass", o.password)
	}
	s.args = append(s.args, o.args...)
	t.Cleanup(s.stop)

	var last error
	for attempt := 1; attempt <= bindAttempts; attempt++ {
		port, err := o.port()
		if err != nil {
			t.Fatalf("redistest: pick a free port: %v", err)
			return nil
		}
		s.port = port
		if last = s.launch(); last == nil {
			return s
		}
		if !errors.Is(last, errBindFailed) {
			break
		}
	}
	t.Fatalf("redistest: start redis-server: %v", last)
	return nil
}

// findBinary returns the explicit path, Debian's path, or redis-server on
// PATH, in that order.
func findBinary(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", err
		}
		return explicit, nil
	}
	if _, err := os.Stat(DefaultBinary); err == nil {
		return DefaultBinary, nil
	}
	return exec.LookPath("redis-server")
}

// freePort asks the kernel for a free loopback port. The port is free only
// until someone else binds it; Start retries if the server loses that race.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// Addr is the server's "host:port", for a Redis client or store.Config.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Dir is the server's working directory (its append-only file lives here).
func (s *Server) Dir() string { return s.dir }

// PID is the server's process ID, or 0 while it is stopped.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

// Log returns the server's log so far (all runs), for failure messages.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.logPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

func (s *Server) logPath() string { return filepath.Join(s.dir, "redis.log") }

// logTail returns the end of the log, for error messages.
func (s *Server) logTail() string {
	l := s.Log()
	if len(l) > logTailBytes {
		l = "…" + l[len(l)-logTailBytes:]
	}
	return l
}

// launch starts the binary on s.port and waits until it answers PING. It
// returns errBindFailed (wrapped) when the port was taken.
func (s *Server) launch() error {
	logf, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer func() { _ = logf.Close() }() // the child has its own descriptor
	args := append([]string{"--port", strconv.Itoa(s.port)}, s.args...)
	fmt.Fprintf(logf, "### redistest: %s %s\n", s.bin, strings.Join(quote(args), " "))
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// Should the test binary die without running cleanups (a -timeout
	// panic), the kernel kills the server too instead of leaving it on
	// the port.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("exec %s: %w", s.bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()

	if err := s.waitReady(p); err != nil {
		s.signalAndWait(p, syscall.SIGKILL)
		s.mu.Lock()
		s.proc = nil
		s.mu.Unlock()
		log := s.logTail()
		if strings.Contains(log[strings.LastIndex(log, "### redistest:")+1:], "Address already in use") {
			return fmt.Errorf("port %d: %w", s.port, errBindFailed)
		}
		return fmt.Errorf("%w\n--- redis-server log (%s) ---\n%s", err, s.logPath(), log)
	}
	return nil
}

// waitReady polls until the server on s.port answers PING and is this very
// process (not another one that won the port), or fails.
func (s *Server) waitReady(p *process) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		if last = probe(s.Addr(), s.password, p.cmd.Process.Pid); last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("redis-server on port %d exited before answering: %v", s.port, p.err)
		case <-deadline.C:
			return fmt.Errorf("redis-server on port %d did not answer PING within %v: %w", s.port, readyTimeout, last)
		case <-tick.C:
		}
	}
}

// probe sends PING and INFO server (after AUTH if password is set) and
// checks for +PONG and our PID.
func probe(addr, password string, pid int) error {
	conn, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if err := conn.SetDeadline(time.Now().Add(probeTimeout)); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	if password != "" {
		// A RESP array, so that no password character can break the framing.
		if err := command(conn, r, "+OK", "AUTH", password); err != nil {
			return err
		}
	}
	// -LOADING while the server reads its append-only file.
	if err := command(conn, r, "+PONG", "PING"); err != nil {
		return err
	}
	if _, err := io.WriteString(conn, "INFO server\r\n"); err != nil {
		return err
	}
	info, err := readBulk(r)
	if err != nil {
		return fmt.Errorf("INFO: %w", err)
	}
	want := "process_id:" + strconv.Itoa(pid)
	for l := range strings.SplitSeq(info, "\n") {
		if strings.TrimSpace(l) == want {
			return nil
		}
	}
	return fmt.Errorf("the server on %s is not process %d", addr, pid)
}

// command sends args as a RESP array and expects the one-line reply want.
func command(w io.Writer, r *bufio.Reader, want string, args ...string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if line = strings.TrimSpace(line); line != want {
		return fmt.Errorf("%s answered %q", args[0], line)
	}
	return nil
}

// readBulk reads one RESP bulk string reply.
func readBulk(r *bufio.Reader) (string, error) {
	head, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	head = strings.TrimSpace(head)
	if !strings.HasPrefix(head, "$") {
		return "", fmt.Errorf("reply %q is not a bulk string", head)
	}
	n, err := strconv.Atoi(head[1:])
	if err != nil || n < 0 {
		return "", fmt.Errorf("bad bulk length %q", head)
	}
	buf := make([]byte, n+2) // payload and CRLF
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// quote shows empty arguments as "" in the log line.
func quote(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" {
			a = `""`
		}
		out[i] = a
	}
	return out
}

// current returns the running process, or nil.
func (s *Server) current() *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc
}

// signalAndWait sends sig and waits up to stopTimeout for the exit. It
// reports whether the process is gone.
func (s *Server) signalAndWait(p *process, sig syscall.Signal) bool {
	select {
	case <-p.done:
		return true
	default:
	}
	_ = p.cmd.Process.Signal(sig) // fails only if it has just exited
	t := time.NewTimer(stopTimeout)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}

// Kill ends the server with SIGKILL, as a crash would: no shutdown, no
// final fsync. Restart brings it back on the same port and directory.
func (s *Server) Kill() {
	s.t.Helper()
	p := s.current()
	if p == nil {
		s.t.Fatalf("redistest: Kill: server is not running")
		return
	}
	if !s.signalAndWait(p, syscall.SIGKILL) {
		s.t.Fatalf("redistest: redis-server (pid %d) survived SIGKILL for %v", p.cmd.Process.Pid, stopTimeout)
		return
	}
	s.mu.Lock()
	s.proc = nil
	s.mu.Unlock()
}

// Restart starts the server again on the same port and directory, after
// stopping it first (SIGTERM) if it is running. With Durable, it reloads
// its append-only file before it answers PING.
func (s *Server) Restart() {
	s.t.Helper()
	if p := s.current(); p != nil {
		s.terminate(p)
	}
	if err := s.launch(); err != nil {
		s.t.Fatalf("redistest: restart redis-server on port %d: %v", s.port, err)
	}
}

// Pause stops the process (SIGSTOP): connections stay open but nothing is
// answered, like a server stuck in a long command or a network stall.
func (s *Server) Pause() { s.signal("Pause", syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() { s.signal("Resume", syscall.SIGCONT) }

func (s *Server) signal(op string, sig syscall.Signal) {
	s.t.Helper()
	p := s.current()
	if p == nil {
		s.t.Fatalf("redistest: %s: server is not running", op)
		return
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("redistest: %s: %v", op, err)
	}
}

// terminate stops p: SIGCONT (in case it is paused), SIGTERM, and SIGKILL
// if it has not exited within stopTimeout.
func (s *Server) terminate(p *process) {
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
	if !s.signalAndWait(p, syscall.SIGTERM) && !s.signalAndWait(p, syscall.SIGKILL) {
		s.t.Errorf("redistest: redis-server (pid %d) did not exit after SIGKILL", p.cmd.Process.Pid)
		return
	}
	s.mu.Lock()
	if s.proc == p {
		s.proc = nil
	}
	s.mu.Unlock()
}

// stop is the test cleanup.
func (s *Server) stop() {
	if p := s.current(); p != nil {
		s.terminate(p)
	}
}
