package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for djload when compare mode
// re-executes itself as the bare Fiber baseline (-serve-baseline).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-serve-baseline" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestEndToEnd runs djload as a user would — no -target, so it builds
// (or takes $DJD_BIN and $DJSIM_BIN) and starts its own djsim and djd —
// for a few seconds with a few users, then short streams and compare
// runs, and checks that each report passes with the upstream window
// within 40, that the simulator ran as its own process, and that djload
// stopped both processes.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts djd")
	}
	dir := t.TempDir()
	bin, err := buildOrFind(context.Background(), "", "DJD_BIN", "djd", dir, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	simBin, err := buildOrFind(context.Background(), "", "DJSIM_BIN", "djsim", dir, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	// with puts the binaries in front of a run's own flags.
	with := func(args ...string) []string { return append([]string{"-djd", bin, "-djsim", simBin}, args...) }
	t.Run("load", func(t *testing.T) {
		// Routes that cost djd an upstream call or two each, at a pace far
		// below the 40 requests/s limit, so the run stays short and light
		// beside other packages' tests (a saturating run is the figure
		// test below).
		sc := filepath.Join(dir, "light.json")
		writeFile(t, sc, `{
			"name": "light", "think_time": {"min": "100ms", "max": "300ms"},
			"hold": [{"stream": "chat_events"}],
			"operations": [
				{"op": "playlists", "weight": 3}, {"op": "playlist_tracks", "weight": 2},
				{"op": "search", "weight": 1}, {"op": "player_state", "weight": 2},
				{"op": "chat_events", "weight": 1, "hold": "500ms"}
			]}`)
		r := runDjload(t, filepath.Join(dir, "load.json"), with("-scenario", sc, "-users", "3", "-duration", "4s", "-ramp", "200ms", "-sim-latency", "none")...)
		if r.Mode != "load" || r.Requests.Total < 20 || r.Users.LoggedIn != 3 {
			t.Errorf("load report: mode %s, %d requests, %d logged in", r.Mode, r.Requests.Total, r.Users.LoggedIn)
		}
		for _, op := range []string{"login", "playlists", "chat_events"} {
			if r.Operations[op].Count == 0 {
				t.Errorf("no %s in %v", op, r.Operations)
			}
		}
	})
	t.Run("mix", func(t *testing.T) {
		if os.Getenv("DJ_FIGURE_TESTS") == "" {
			t.Skip("saturates the upstream limit: run alone with DJ_FIGURE_TESTS=1")
		}
		r := runDjload(t, filepath.Join(dir, "mix.json"), with("-scenario", "smoke", "-users", "2", "-duration", "8s", "-ramp", "200ms", "-sim-latency", "none")...)
		for _, op := range []string{"login", "mix_start"} {
			if r.Operations[op].Count == 0 {
				t.Errorf("no %s in %v", op, r.Operations)
			}
		}
	})
	t.Run("streams", func(t *testing.T) {
		path := filepath.Join(dir, "streams.json")
		r := runDjload(t, path, with("-mode", "streams", "-streams", "60", "-users", "3", "-duration", "1500ms", "-heartbeat", "500ms", "-source-ips", "2")...)
		s := r.Streams
		if s == nil || s.Opened != 60 || s.HeldAtEnd != 60 || s.Failed != 0 || s.Heartbeat.Count < 60 {
			t.Fatalf("streams report %+v", s)
		}
		if s.Heartbeat.Lateness.P99 >= 1000 {
			t.Errorf("heartbeat lateness p99 %.1f ms", s.Heartbeat.Lateness.P99)
		}
	})
	t.Run("compare", func(t *testing.T) {
		path := filepath.Join(dir, "compare.json")
		r := runDjload(t, path, with("-mode", "compare", "-route", "/api/mix/current", "-concurrency", "8", "-users", "1", "-duration", "1s", "-warmup", "300ms", "-sim-latency", "none")...)
		c := r.Compare
		if c == nil || c.DJD.Requests == 0 || c.Baseline.Requests == 0 || c.DJD.Errors != 0 || c.Baseline.Errors != 0 || c.Ratio <= 0 {
			t.Fatalf("compare report %+v", c)
		}
	})
}

// runDjload runs djload in-process and returns its report, failing the
// test unless it passed.
func runDjload(t *testing.T, reportPath string, args ...string) *Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, append(args, "-quiet", "-report", reportPath), &stdout, &stderr)
	t.Logf("djload %v\n%s%s", args, stdout.String(), stderr.String())
	data, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatalf("exit %d, no report: %v", code, err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if code != exitPassed || !r.Passed {
		t.Fatalf("exit %d, passed %v, violations %v", code, r.Passed, r.Violations)
	}
	if r.Upstream == nil || r.Upstream.MaxRequestsInAny1sWindow > 40 {
		t.Fatalf("upstream %+v", r.Upstream)
	}
	// djsim ran as its own process beside djd, and both are gone.
	if r.Target.SimulatorPID == 0 || r.Target.ServerPID == 0 || r.Target.SimulatorPID == r.Target.ServerPID {
		t.Fatalf("target %+v: want djd and djsim as separate processes", r.Target)
	}
	for name, pid := range map[string]int{"djd": r.Target.ServerPID, "djsim": r.Target.SimulatorPID} {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s pid %d still exists after djload returned (kill 0: %v)", name, pid, err)
		}
	}
	return &r
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testWriter sends build output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
