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

// child is a process djload started (djd, djsim, the compare baseline)
// and must stop.
type child struct {
	cmd     *exec.Cmd
	dir     string // temporary directory: data, binaries, logs
	logPath string
	done    chan struct{}
	waitErr error
}

// bannerRE matches djd's start-up line on stderr.
var bannerRE = regexp.MustCompile(`listening on (http://\S+) — SIMULATOR mode`)

// simBannerRE matches djsim's start-up line on stderr.
var simBannerRE = regexp.MustCompile(`djsim listening on (http://\S+)`)

// servers are the djd and (unless -sim-process=false) the djsim that
// djload started for a run without -target, sharing one temporary
// directory for data, binaries and logs.
type servers struct {
	djd    *child
	sim    *child // nil: djd runs its simulator in-process
	url    string // djd's base URL
	simURL string // djsim's base URL ("" with an in-process simulator)
	dir    string
}

// startServers starts, each as its own process on a free loopback port:
// djsim (unless -sim-process=false), then djd in simulator mode pointed
// at it with -sim-url. The simulator then stamps and counts requests on
// its own threads: inside a busy djd, a handler starved of CPU stamps
// requests late and has counted 41 in one window that djd kept at 40.
// It returns once djd's banner names its URL; on failure it stops what it
// had started.
func startServers(ctx context.Context, o *options, stderr io.Writer) (_ *servers, err error) {
	dir, err := os.MkdirTemp("", "djload-*")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	s := &servers{dir: dir}
	defer func() {
		if err != nil {
			s.stop(5 * time.Second)
			_ = os.RemoveAll(dir)
		}
	}()
	bin, err := buildOrFind(ctx, o.djd, "DJD_BIN", "djd", dir, stderr)
	if err != nil {
		return nil, fmt.Errorf("%w; pass -djd or set DJD_BIN", err)
	}
	if o.simProcess {
		if s.sim, s.simURL, err = startSim(ctx, o, dir, stderr); err != nil {
			return nil, err
		}
	}
	logPath := filepath.Join(dir, "djd.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	args := []string{"-addr", "127.0.0.1:0", "-data-dir", filepath.Join(dir, "data"),
		"-upstream", "sim", "-sim-latency", o.simLatency, "-log-level", o.serverLogLevel}
	if s.simURL != "" {
		args = append(args, "-sim-url", s.simURL)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv(os.Environ(), o)
	c, u, err := launch(ctx, cmd, o.nice, bannerRE, logf)
	if err != nil {
		return nil, fmt.Errorf("%w; its log: %s", err, logPath)
	}
	c.dir, c.logPath = dir, logPath
	s.djd, s.url = c, u
	return s, nil
}

// startSim builds (or takes) djsim and starts it on a free loopback port
// with the run's latency model, at the same nice value as djd.
func startSim(ctx context.Context, o *options, dir string, stderr io.Writer) (*child, string, error) {
	bin, err := buildOrFind(ctx, o.djsim, "DJSIM_BIN", "djsim", dir, stderr)
	if err != nil {
		return nil, "", fmt.Errorf("%w; pass -djsim or set DJSIM_BIN (or -sim-process=false)", err)
	}
	logPath := filepath.Join(dir, "djsim.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", fmt.Errorf("simulator log: %w", err)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-latency", o.simLatency, "-seed", "1")
	cmd.Env = childEnv(os.Environ(), o)
	c, u, err := launch(ctx, cmd, o.nice, simBannerRE, logf)
	if err != nil {
		return nil, "", fmt.Errorf("djsim: %w; its log: %s", err, logPath)
	}
	c.dir, c.logPath = dir, logPath
	return c, strings.TrimRight(u, "/"), nil
}

// stop stops djd first (it may still be calling the simulator while it
// drains), then djsim; each by its own PID.
func (s *servers) stop(grace time.Duration) {
	if s.djd != nil {
		s.djd.stop(grace)
	}
	if s.sim != nil {
		s.sim.stop(5 * time.Second)
	}
}

// cleanup removes the temporary directory, unless keep (the logs help
// after a failed run).
func (s *servers) cleanup(keep bool) {
	if !keep {
		_ = os.RemoveAll(s.dir)
	}
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
			"DJ_ADDR", "DJ_DATA_DIR", "DJ_UPSTREAM", "DJ_PUBLIC_URL", "DJ_SSE_HEARTBEAT", "DJ_VALIDATE_RESPONSES",
			"DJ_SIM_URL", "DJ_SIM_ADDR", "DJ_SIM_LATENCY", "DJ_SIM_SEED":
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

// buildOrFind finds the program to start: the flag's path, then the
// environment variable's, else a fresh build of ./cmd/NAME from the
// module djload lives in, into dir.
func buildOrFind(ctx context.Context, flagPath, envName, name, dir string, stderr io.Writer) (string, error) {
	if flagPath != "" {
		return flagPath, nil
	}
	if b := os.Getenv(envName); b != "" {
		return b, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	fmt.Fprintf(stderr, "djload: building %s (go build -o %s ./cmd/%s in %s)\n", name, bin, name, root)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/"+name)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
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
