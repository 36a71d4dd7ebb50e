package reliability

import (
	"os"
	"testing"

	"dj/internal/leakcheck"
	"go.uber.org/goleak"
)

// TestMain runs the suite, removes the djd it built, and fails the run if
// an in-process server left a goroutine behind.
func TestMain(m *testing.M) {
	code := m.Run()
	djdBuild.cleanup()
	djsimBuild.cleanup()
	if code == 0 {
		if err := goleak.Find(leakcheck.Known()...); err != nil {
			println("goleak: goroutines left behind:", err.Error())
			code = 1
		}
	}
	os.Exit(code)
}
