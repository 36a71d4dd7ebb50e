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

// djdBuild and djsimBuild are the binaries this test binary builds, at
// most once each, for the tests that run them as child processes;
// TestMain removes them. They are the package's only state, written once.
var (
	djdBuild   = buildOnce{pkg: "dj/cmd/djd", name: "djd", env: "DJ_BIN"}
	djsimBuild = buildOnce{pkg: "dj/cmd/djsim", name: "djsim", env: "DJ_SIM_BIN"}
)

// buildOnce builds one command the first time it is asked for, unless
// the environment variable env names a prebuilt binary.
type buildOnce struct {
	pkg, name, env string

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
func djdBinary(t *testing.T) string { return djdBuild.binary(t) }

// djsimBinary returns the path of a djsim binary ($DJ_SIM_BIN or built).
func djsimBinary(t *testing.T) string { return djsimBuild.binary(t) }

func (b *buildOnce) binary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv(b.env); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s: %v", b.env, err)
		}
		return bin
	}
	b.once.Do(b.build)
	if b.err != nil {
		t.Fatal(b.err)
	}
	t.Logf("%s built in %s", b.name, b.took.Round(time.Millisecond))
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
	b.path = filepath.Join(b.dir, b.name)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gotool, "build", "-o", b.path, b.pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
	}
	b.took = time.Since(start)
}

// cleanup removes the built binary.
func (b *buildOnce) cleanup() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}
