package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// child is a djd that djload started and must stop.
type child struct {
	cmd     *exec.Cmd
	dir     string // temporary directory: data, binary, log
	logPath string
	done    chan struct{}
	waitErr error
}

// bannerRE matches djd's start-up line on stderr.
var bannerRE = regexp.MustCompile(`listening on (http://\S+) — SIMULATOR mode`)

// startDJD builds (or takes) a djd binary and starts it on a free
// loopback port with its own temporary data directory, in simulator mode.
// It returns once the banner names the server's URL.
func startDJD(ctx context.Context, o *options, stderr io.Writer) (*child, string, error) {
	dir, err := os.MkdirTemp("", "djload-*")
	if err != nil {
		return nil, "", fmt.Errorf("temp dir: %w", err)
	}
	bin, err := djdBinary(ctx, o, dir, stderr)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", err
	}
	logPath := filepath.Join(dir, "djd.log")
	logf, err := os.Create(logPath)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", fmt.Errorf("server log: %w", err)
	}
	args := []string{"-addr", "127.0.0.1:0", "-data-dir", filepath.Join(dir, "data"),
		"-upstream", "sim", "-sim-latency", o.simLatency, "-log-level", o.serverLogLevel}
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv(os.Environ(), o)
	c, u, err := launch(ctx, cmd, o.nice, bannerRE, logf)
	if err != nil {
		return nil, "", fmt.Errorf("%w; its log: %s", err, logPath)
	}
	c.dir, c.logPath = dir, logPath
	return c, u, nil
}

// startChild starts bin with args and waits for its banner.
func startChild(ctx context.Context, bin string, args []string, nice int, banner *regexp.Regexp, log io.Writer) (*child, string, error) {
	return launch(ctx, exec.Command(bin, args...), nice, banner, log)
}

// launch starts cmd with stdout and stderr going to log, and waits up to
// a minute for a stderr line matching banner, whose first group is the
// URL returned. The child is killed if djload dies first (Pdeathsig);
// a non-zero nice starts it at that scheduling priority.
func launch(ctx context.Context, cmd *exec.Cmd, nice int, banner *regexp.Regexp, log io.Writer) (*child, string, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stdout = log
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", fmt.Errorf("stderr pipe: %w", err)
	}
	if err := startNiced(cmd, nice); err != nil {
		return nil, "", fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			if m := banner.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	go func() {
		<-scanned // Wait closes the pipe: read it to the end first
		c.waitErr = cmd.Wait()
		if cl, ok := log.(io.Closer); ok {
			_ = cl.Close()
		}
		close(c.done)
	}()
	select {
	case u := <-urls:
		return c, u, nil
	case <-c.done:
		return nil, "", fmt.Errorf("%s exited before listening (%v)", cmd.Path, c.waitErr)
	case <-time.After(60 * time.Second):
		c.stop(5 * time.Second)
		return nil, "", fmt.Errorf("%s printed no banner within 60 s", cmd.Path)
	case <-ctx.Done():
		c.stop(5 * time.Second)
		return nil, "", ctx.Err()
	}
}

// childEnv passes djload's environment on, minus upstream credentials
// (the child must run on the simulator), plus the SSE heartbeat.
func childEnv(env []string, o *options) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "ANTHROPIC_API_KEY", "LASTFM_API_KEY",
			"DJ_ADDR", "DJ_DATA_DIR", "DJ_UPSTREAM", "DJ_PUBLIC_URL", "DJ_SSE_HEARTBEAT", "DJ_VALIDATE_RESPONSES":
			continue
		}
		out = append(out, kv)
	}
	out = append(out, "DJ_SSE_HEARTBEAT="+o.heartbeat.String())
	if o.validate {
		out = append(out, "DJ_VALIDATE_RESPONSES=1")
	}
	return out
}

// djdBinary finds the djd to start: -djd, then $DJD_BIN, else a fresh
// build of ./cmd/djd from the module djload lives in.
func djdBinary(ctx context.Context, o *options, dir string, stderr io.Writer) (string, error) {
	if o.djd != "" {
		return o.djd, nil
	}
	if b := os.Getenv("DJD_BIN"); b != "" {
		return b, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("%w; pass -djd or set DJD_BIN", err)
	}
	bin := filepath.Join(dir, "djd")
	fmt.Fprintf(stderr, "djload: building djd (go build -o %s ./cmd/djd in %s)\n", bin, root)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/djd")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build djd: %w", err)
	}
	return bin, nil
}

// moduleRoot walks up from the working directory to the go.mod of
// module dj.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(data)), "module dj\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the dj module (no go.mod with module dj above the working directory)")
		}
		dir = parent
	}
}

// startNiced starts cmd at the given nice value. Linux keeps the nice
// value per thread and a child inherits the forking thread's, so the
// value is set on a locked thread around the fork and restored after;
// every thread of the child then starts from it.
func startNiced(cmd *exec.Cmd, nice int) error {
	if nice == 0 {
		return cmd.Start()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return fmt.Errorf("getpriority: %w", err)
	}
	old := 20 - raw // the raw system call answers 20 - nice
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, nice); err != nil {
		return fmt.Errorf("nice %d (a negative value needs root or CAP_SYS_NICE): %w", nice, err)
	}
	defer func() { _ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, old) }()
	return cmd.Start()
}

// pid is the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// alive reports whether the child is still running.
func (c *child) alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// stop asks the child to shut down (SIGTERM), waits up to grace, then
// kills it. Only this PID, which djload started, is signalled.
func (c *child) stop(grace time.Duration) {
	if !c.alive() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// cleanup removes the temporary directory, unless keep (the log helps
// after a failed run).
func (c *child) cleanup(keep bool) {
	if !keep {
		_ = os.RemoveAll(c.dir)
	}
}
