package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"dj/internal/leakcheck"
	"dj/internal/server"
)

func TestMain(m *testing.M) {
	if os.Getenv("DJD_TEST_CHILD") == "1" {
		// Run as djd with the arguments after "--".
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		if err := run(context.Background(), args, os.LookupEnv, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	leakcheck.VerifyTestMain(m)
}

func testConfig(t *testing.T) config {
	t.Helper()
	c, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-data-dir", t.TempDir(), "-sim-latency", "none"}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func getJSON(t *testing.T, url string, v any) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
	return resp
}

func TestHealthInSimMode(t *testing.T) {
	a, err := server.Start(context.Background(), testConfig(t).Config, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := a.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()
	var h struct {
		Status, Version, Upstream, Simulator string
		Uptime                               *float64 `json:"uptime_seconds"`
	}
	resp := getJSON(t, a.URL()+"/api/health", &h)
	if resp.StatusCode != 200 || h.Status != "healthy" || h.Upstream != "sim" || h.Version == "" || h.Uptime == nil {
		t.Fatalf("health = %d %+v", resp.StatusCode, h)
	}
	if !strings.HasPrefix(h.Simulator, "http://127.0.0.1:") {
		t.Fatalf("simulator URL %q is not a loopback URL", h.Simulator)
	}
	var stats map[string]any
	if resp := getJSON(t, h.Simulator+"/_sim/stats", &stats); resp.StatusCode != 200 {
		t.Fatalf("simulator not answering: %d", resp.StatusCode)
	}
}

// TestSIGTERMShutsDownCleanly runs djd as a child process, waits for its
// banner, checks health, sends SIGTERM and expects a clean exit.
func TestSIGTERMShutsDownCleanly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$", "--", "-addr", "127.0.0.1:0", "-data-dir", t.TempDir(), "-sim-latency", "none")
	cmd.Env = append(os.Environ(), "DJD_TEST_CHILD=1")
	stderr, err := cmd.StderrPipe()
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
	banner := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+) — SIMULATOR mode`)
	var base string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := banner.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatal("no banner from djd")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	var h map[string]any
	if resp := getJSON(t, base+"/api/health", &h); resp.StatusCode != 200 {
		t.Fatalf("health %d", resp.StatusCode)
	}
	logs := make(chan string, 1)
	go func() { b, _ := io.ReadAll(stdout); logs <- string(b) }()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	out := <-logs
	if err := cmd.Wait(); err != nil {
		t.Fatalf("djd exited with %v; logs:\n%s", err, out)
	}
	if !strings.Contains(out, `"msg":"djd stopped"`) || !strings.Contains(out, `"clean":true`) {
		t.Fatalf("no clean stop in logs:\n%s", out)
	}
}
