package actors

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"dj/internal/leakcheck"
	"dj/upstream/sim"

	"go.uber.org/goleak"
)

// simChildEnv makes the test binary serve the simulator instead of running
// tests (see startSimProcess).
const simChildEnv = "DJ_ACTORS_SIM_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(simChildEnv) != "" {
		os.Exit(serveSimChild())
	}
	leakcheck.VerifyTestMain(m,
		// protoactor's dead-letter log throttle: one goroutine per
		// throttle period after a dead letter, gone after
		// Config.DeadLetterThrottle (tests use 5 ms).
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewThrottle.func1.1"),
	)
}

// serveSimChild runs the simulator with the saturation latencies until
// its parent closes stdin. The first line on stdout is its base URL.
func serveSimChild() int {
	srv, err := sim.New(sim.Config{
		Seed:    7,
		Catalog: sim.CatalogConfig{Tracks: 400, Artists: 60},
		Latency: saturationLatency,
	})
	if err == nil {
		err = srv.Start("127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sim child:", err)
		return 1
	}
	fmt.Println(srv.URL())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	return 0
}

// startSimProcess runs the simulator in a child process and returns its
// base URL. The rate tests use it so the simulator's own scheduling (when
// it stamps a request) does not compete with the load generator's
// goroutines inside one Go runtime: a real upstream is another machine.
func startSimProcess(t testing.TB) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), simChildEnv+"=1")
	cmd.Stderr = os.Stderr
	detachSimProcess(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := raiseSimPriority(cmd.Process.Pid); err != nil {
		t.Logf("simulator runs at normal priority: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("simulator child did not start: %v", err)
	}
	return strings.TrimSpace(line)
}
