package server_test

import (
	"log/slog"
	"testing"

	"dj/internal/djtest"
	"dj/internal/server"
	"dj/upstream/sim"
)

// TestExternalSimulator runs sim mode against a simulator the server did
// not start (as a djsim process would be): no simulator starts in-process,
// health names the external one, the login page offers its users, and the
// upstream traffic of a login and a playlist read lands in its accounting.
func TestExternalSimulator(t *testing.T) {
	s, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	env := djtest.Start(t, func(c *server.Config) { c.SimURL = s.URL() + "/" })
	if env.Server.Simulator() != nil {
		t.Fatal("an in-process simulator was started although SimURL was set")
	}
	var health struct {
		Simulator string   `json:"simulator"`
		DemoUsers []string `json:"demo_users"`
	}
	if st := env.JSON("GET", "/api/health", "", nil, &health); st != 200 {
		t.Fatalf("health: status %d", st)
	}
	if health.Simulator != s.URL() {
		t.Errorf("health names simulator %q, want %q", health.Simulator, s.URL())
	}
	want := s.Catalog().Users[0].ID
	if len(health.DemoUsers) == 0 || health.DemoUsers[0] != want {
		t.Errorf("demo users %v, want the external simulator's first user %q first", health.DemoUsers, want)
	}

	before := s.Stats().TotalRequests
	token := env.Login(want)
	if st := env.JSON("GET", "/api/spotify/playlists", token, nil, nil); st != 200 {
		t.Fatalf("playlists: status %d", st)
	}
	if after := s.Stats().TotalRequests; after <= before {
		t.Errorf("external simulator counted %d upstream requests before and %d after a login and a playlist read", before, after)
	}
}

// TestExternalSimulatorUnreachable: a simulator URL nobody answers at is
// a clear start-up error, not a server that fails every login later.
func TestExternalSimulatorUnreachable(t *testing.T) {
	s, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	gone := s.URL()
	_ = s.Close()
	_, err = server.Start(t.Context(), server.Config{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), Upstream: "sim", SimURL: gone,
	}, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("server started against a simulator that is not running")
	}
	t.Logf("start-up error: %v", err)
}
