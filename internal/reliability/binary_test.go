package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// binEnv names a prebuilt djd to run instead of building one.
const binEnv = "DJ_BIN"

// djdBuild is the djd binary this test binary builds, at most once, for
// the tests that run djd as a child process; TestMain removes it. It is
// the package's only state, written once.
var djdBuild buildOnce

// buildOnce builds cmd/djd the first time it is asked for.
type buildOnce struct {
	once sync.Once
	dir  string
	path string
	took time.Duration
	err  error
}

// djdBinary returns the path of a djd binary: $DJ_BIN when set, else
// cmd/djd built now (once per test binary). It is built without the race
// detector even under -race: the race-instrumented simulator needs ~10 s
// to build its catalog at every start, against ~1.5 s, and R1 restarts
// djd dozens of times. (The in-process tests run with -race.)
func djdBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv(binEnv); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s: %v", binEnv, err)
		}
		return bin
	}
	b := &djdBuild
	b.once.Do(b.build)
	if b.err != nil {
		t.Fatal(b.err)
	}
	t.Logf("djd built in %s", b.took.Round(time.Millisecond))
	return b.path
}

func (b *buildOnce) build() {
	start := time.Now()
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = filepath.Join(runtime.GOROOT(), "bin", "go") // go test's own toolchain
	}
	if b.dir, b.err = os.MkdirTemp("", "dj-reliability-"); b.err != nil {
		return
	}
	b.path = filepath.Join(b.dir, "djd")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gotool, "build", "-o", b.path, "dj/cmd/djd")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("go build dj/cmd/djd: %v\n%s", err, out)
	}
	b.took = time.Since(start)
}

// cleanup removes the built binary.
func (b *buildOnce) cleanup() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}
