package reliability

import (
	"os"
	"testing"
)

// soakEnv switches the suite from its fast counts to its soak counts.
const soakEnv = "DJ_SOAK"

// soak reports whether this is the long run (make soak).
func soak() bool { return os.Getenv(soakEnv) == "1" }

// pick returns fast in make test and long in make soak.
func pick[T any](fast, long T) T {
	if soak() {
		return long
	}
	return fast
}

// needProcesses skips tests that start child processes under -short.
func needProcesses(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts djd as a child process")
	}
}
