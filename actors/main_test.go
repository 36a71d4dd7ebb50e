package actors

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dj/internal/leakcheck"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m,
		goleak.Cleanup(func(int) {
			if djsimDir != "" {
				_ = os.RemoveAll(djsimDir)
			}
		}),
	)
}

// figureTestsEnv turns on the tests that check the stated figures
// on the wire (the rate window, mean use, enrichment time against the
// 40 rps bound). They read the simulator's clock, so they run alone, in
// `make test`'s figures step, not beside other packages' tests on a
// 2-core machine.
const figureTestsEnv = "DJ_FIGURE_TESTS"

// figureTest skips t unless the figures step runs it.
func figureTest(t *testing.T) {
	t.Helper()
	if os.Getenv(figureTestsEnv) == "" {
		t.Skipf("figure test: runs alone in `make test` (set %s=1)", figureTestsEnv)
	}
}

// djsimDir holds the djsim binary the rate tests build once per run.
var djsimDir string

// startSimProcess runs the simulator as its own process (djsim, built
// without the race detector) at raised priority and returns its base
// URL. The rate tests use it so the simulator's stamping of requests does
// not compete with the load generator inside one Go runtime: a real
// upstream is another machine.
func startSimProcess(t testing.TB) string {
	t.Helper()
	bin := buildDjsim(t)
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-seed", "7")
	detachSimProcess(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	if err := raiseSimPriority(cmd.Process.Pid); err != nil {
		t.Logf("simulator runs at normal priority: %v", err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if base, ok := strings.CutPrefix(sc.Text(), "djsim listening on "); ok {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			setSimLatency(t, base)
			return base
		}
	}
	t.Fatal("djsim did not start")
	return ""
}

func buildDjsim(t testing.TB) string {
	t.Helper()
	if djsimDir == "" {
		dir, err := os.MkdirTemp("", "dj-actors-djsim-")
		if err != nil {
			t.Fatal(err)
		}
		djsimDir = dir
	}
	bin := filepath.Join(djsimDir, "djsim")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	out, err := exec.Command("go", "build", "-o", bin, "dj/cmd/djsim").CombinedOutput()
	if err != nil {
		t.Fatalf("build djsim: %v\n%s", err, out)
	}
	return bin
}

// setSimLatency gives the simulator the saturation latencies, so requests
// overlap and the lane caps show on the wire.
func setSimLatency(t testing.TB, base string) {
	t.Helper()
	body, err := json.Marshal(saturationLatency)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPut, base+"/_sim/latency", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set simulator latency: %d", resp.StatusCode)
	}
}
