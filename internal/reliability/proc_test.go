package reliability

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// djdProc is one child process: a djd in sim mode or a djsim. Its
// stdout (the JSON logs) goes to a file for the log greps; its stderr is
// read for the banner and kept in another.
type djdProc struct {
	t       *testing.T
	cmd     *exec.Cmd
	banner  []string // the banner line's submatches
	URL     string   // djd (or djsim), e.g. http://127.0.0.1:41234
	SimURL  string   // the simulator djd uses
	LogPath string
	done    chan struct{} // closed when the process has been waited for
	state   *os.ProcessState
	err     error
}

var bannerRE = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+) — SIMULATOR mode \(offline; simulator at (http://127\.0\.0\.1:\d+)\)`)

// startDJD runs bin on dataDir (sim mode, loopback, no simulated latency
// unless args say otherwise) and waits for its banner. The process is
// SIGKILLed by its PID when the test ends, if it is still running.
func startDJD(t *testing.T, bin, dataDir string, args ...string) *djdProc {
	t.Helper()
	all := append([]string{"-addr", "127.0.0.1:0", "-data-dir", dataDir, "-sim-latency", "none", "-log-level", "debug"}, args...)
	p := startChild(t, bin, all, bannerRE, "DJ_VALIDATE_RESPONSES=1")
	p.URL, p.SimURL = p.banner[1], p.banner[2]
	return p
}

// simBannerRE is djsim's first line.
var simBannerRE = regexp.MustCompile(`djsim listening on (http://127\.0\.0\.1:\d+)`)

// startSim runs a djsim child process on a free loopback port (the
// simulator the nodes of a cluster share) and waits for its banner.
func startSim(t *testing.T, bin string, args ...string) *djdProc {
	t.Helper()
	p := startChild(t, bin, append([]string{"-addr", "127.0.0.1:0"}, args...), simBannerRE)
	p.URL, p.SimURL = p.banner[1], p.banner[1]
	return p
}

// startChild runs bin with args and waits until its stderr shows a line
// matching banner. The process is SIGKILLed by its PID when the test
// ends, if it is still running.
func startChild(t *testing.T, bin string, args []string, banner *regexp.Regexp, env ...string) *djdProc {
	t.Helper()
	logDir := t.TempDir()
	logPath := filepath.Join(logDir, fmt.Sprintf("%s-%d.log", filepath.Base(bin), time.Now().UnixNano()))
	stdout, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(djdEnv(), env...)
	cmd.Stdout = stdout
	errLog, err := os.Create(logPath + ".stderr")
	if err != nil {
		t.Fatal(err)
	}
	bw := &bannerWriter{w: errLog, re: banner, found: make(chan []string, 1)}
	cmd.Stderr = bw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &djdProc{t: t, cmd: cmd, LogPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		p.state = cmd.ProcessState
		stdout.Close()
		errLog.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
	select {
	case p.banner = <-bw.found:
	case <-p.done:
		t.Fatalf("%s exited before its banner: %v\n%s", bin, p.err, p.stderr())
	case <-time.After(60 * time.Second):
		t.Fatalf("no banner from %s within 60 s\n%s", bin, p.stderr())
	}
	return p
}

// djdEnv is the environment without anything that would switch djd to
// the real APIs or change its data directory.
func djdEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "DJ_") || strings.HasPrefix(k, "SPOTIFY_") || k == "ANTHROPIC_API_KEY" || k == "LASTFM_API_KEY" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (p *djdProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Pid is the child's process id; signals go to it and nothing else.
func (p *djdProc) Pid() int { return p.cmd.Process.Pid }

// Kill9 sends SIGKILL and waits until the process is gone, checking it
// died of that signal.
func (p *djdProc) Kill9() {
	p.t.Helper()
	if err := syscall.Kill(p.Pid(), syscall.SIGKILL); err != nil {
		p.t.Fatalf("kill -9 %d: %v", p.Pid(), err)
	}
	p.wait(30 * time.Second)
	ws, ok := p.state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		p.t.Fatalf("djd did not die of SIGKILL: %v", p.err)
	}
}

// Term sends SIGTERM and returns how long the process took to exit
// (bounded by limit: past it the test fails and the process is killed).
func (p *djdProc) Term(limit time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	if err := syscall.Kill(p.Pid(), syscall.SIGTERM); err != nil {
		p.t.Fatalf("kill -TERM %d: %v", p.Pid(), err)
	}
	p.wait(limit)
	return time.Since(start)
}

func (p *djdProc) wait(limit time.Duration) {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		_ = syscall.Kill(p.Pid(), syscall.SIGKILL)
		<-p.done
		p.t.Fatalf("djd did not exit within %s", limit)
	}
}

// ExitErr is how the process ended (nil: exit status 0).
func (p *djdProc) ExitErr() error {
	<-p.done
	return p.err
}

// Logs is everything the process logged (stdout, JSON lines).
func (p *djdProc) Logs() string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		p.t.Fatal(err)
	}
	return string(b)
}

func (p *djdProc) stderr() string {
	b, _ := os.ReadFile(p.LogPath + ".stderr")
	return string(b)
}

// bannerWriter copies djd's stderr to w and reports the banner line's
// submatches once. exec's copying goroutine is its only caller.
type bannerWriter struct {
	w     io.Writer
	re    *regexp.Regexp
	line  []byte
	found chan []string
	seen  bool
}

func (b *bannerWriter) Write(p []byte) (int, error) {
	b.line = append(b.line, p...)
	for {
		i := bytes.IndexByte(b.line, '\n')
		if i < 0 {
			break
		}
		if m := b.re.FindStringSubmatch(string(b.line[:i])); m != nil && !b.seen {
			b.seen = true
			b.found <- m
		}
		b.line = b.line[i+1:]
	}
	return b.w.Write(p)
}
