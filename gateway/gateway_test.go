package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"dj/internal/leakcheck"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// startTest runs a gateway on a loopback port and returns its base URL.
func startTest(t *testing.T, cfg Config, extra func(s *Server)) (*Server, string) {
	t.Helper()
	s, err := newServer(cfg, Deps{}, extra)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(t.Context()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s, "http://" + s.Addr()
}

func decodeProblem(t *testing.T, resp *http.Response) Problem {
	t.Helper()
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, problemContentType) {
		t.Fatalf("content type %q, want %s", ct, problemContentType)
	}
	var p Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Status != resp.StatusCode || p.RequestID == "" || p.Title == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, resp.StatusCode)
	}
	return p
}

func TestHealthAndRequestID(t *testing.T) {
	_, base := startTest(t, Config{Version: "v1", Upstream: "sim", SimulatorURL: "http://127.0.0.1:1"}, nil)
	req, _ := http.NewRequest("GET", base+"/api/health", nil)
	req.Header.Set("X-Request-ID", "abc-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h HealthResponse
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "healthy" || h.Version != "v1" || h.Upstream != "sim" || h.Simulator != "http://127.0.0.1:1" {
		t.Fatalf("health %+v", h)
	}
	if got := resp.Header.Get("X-Request-ID"); got != "abc-123" {
		t.Fatalf("request id not echoed: %q", got)
	}
	for _, bad := range []string{"", strings.Repeat("x", 65), "has space", "<script>"} {
		req, _ := http.NewRequest("GET", base+"/api/health", nil)
		req.Header.Set("X-Request-ID", bad)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-ID"); got == bad || len(got) != 24 {
			t.Fatalf("bad id %q should be replaced, got %q", bad, got)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	_, base := startTest(t, Config{}, nil)
	for _, path := range []string{"/api/health", "/", "/api/missing"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Referrer-Policy": "strict-origin-when-cross-origin", "Cross-Origin-Opener-Policy": "same-origin",
		} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
	}
}

func TestUnknownAPIPathIsProblemNotSPA(t *testing.T) {
	_, base := startTest(t, Config{}, nil)
	for _, method := range []string{"GET", "POST", "DELETE"} {
		req, _ := http.NewRequest(method, base+"/api/no/such/route", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 404 {
			t.Fatalf("%s unknown api: %d", method, resp.StatusCode)
		}
		decodeProblem(t, resp)
	}
}

func TestClientRoutesGetTheSPA(t *testing.T) {
	_, base := startTest(t, Config{}, nil)
	for _, path := range []string{"/", "/dj", "/playlists/abc", "/dashboard"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("<html")) {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	_, base := startTest(t, Config{BodyLimit: 2048}, func(s *Server) {
		api := s.api
		api.Post("/echo", func(c *fiber.Ctx) error { return c.Send(c.Body()) })
	})
	resp, err := http.Post(base+"/api/echo", "application/json", bytes.NewReader(bytes.Repeat([]byte("a"), 4096)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	decodeProblem(t, resp)
}

func TestPanicIsRecoveredWithoutDetail(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, base := startTest(t, Config{Registerer: reg}, func(s *Server) {
		api := s.api
		api.Get("/boom", func(c *fiber.Ctx) error { panic("secret internal state") })
	})
	resp, err := http.Get(base + "/api/boom")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	p := decodeProblem(t, resp)
	if strings.Contains(p.Detail, "secret") {
		t.Fatalf("panic text leaked: %q", p.Detail)
	}
	if got := testutil.ToFloat64(s.metrics.panics); got != 1 {
		t.Fatalf("panics counted %v", got)
	}
	// The server still serves after a panic.
	resp, err = http.Get(base + "/api/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after panic: %v %v", err, resp)
	}
	resp.Body.Close()
	if n := testutil.CollectAndCount(reg, "dj_http_requests_total"); n < 2 {
		t.Fatalf("http metrics series %d", n)
	}
}

func TestErrorsNeverCarryInternalText(t *testing.T) {
	_, base := startTest(t, Config{}, func(s *Server) {
		api := s.api
		api.Get("/fail", func(c *fiber.Ctx) error { return io.ErrUnexpectedEOF })
		api.Get("/field", func(c *fiber.Ctx) error { return InvalidField("query", "limit", "must be between 1 and 50") })
	})
	resp, err := http.Get(base + "/api/fail")
	if err != nil {
		t.Fatal(err)
	}
	if p := decodeProblem(t, resp); resp.StatusCode != 500 || strings.Contains(p.Detail, "EOF") {
		t.Fatalf("internal error leaked: %+v", p)
	}
	resp, err = http.Get(base + "/api/field")
	if err != nil {
		t.Fatal(err)
	}
	p := decodeProblem(t, resp)
	if resp.StatusCode != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "limit" || p.Errors[0].Location != "query" {
		t.Fatalf("field problem %+v", p)
	}
}

func TestCORSAllowsConfiguredOriginAndPatch(t *testing.T) {
	_, base := startTest(t, Config{CORSOrigins: []string{"https://app.example"}}, nil)
	req, _ := http.NewRequest("OPTIONS", base+"/api/health", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "PATCH")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
		t.Fatalf("allow origin %q", got)
	}
	if got := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "PATCH") {
		t.Fatalf("allow methods %q lacks PATCH", got)
	}
	req.Header.Set("Origin", "https://evil.example")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("foreign origin allowed: %q", got)
	}
}
