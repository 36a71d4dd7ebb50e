// Command djdpprof is djd in simulator mode with net/http/pprof on a
// second loopback port, for the profiles behind docs/benchmarks.md. djd
// itself serves no pprof; this wrapper starts the same server the same
// way (internal/server) and takes the flags djload passes a djd:
//
//	go build -o /tmp/djd-pprof ./cmd/djload/testdata/djdpprof
//	djload -djd /tmp/djd-pprof …   # then: go tool pprof http://127.0.0.1:6061/debug/pprof/heap
//
// It lives under testdata so that ./... (vet, test, build) never sees it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dj/internal/server"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "djdpprof:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := server.Config{Version: "pprof", Upstream: "sim", SimSeed: 1, BodyLimit: 256 << 10}
	var logLevel slog.Level
	pprofAddr := flag.String("pprof", "127.0.0.1:6061", "pprof listen address")
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address")
	flag.StringVar(&cfg.DataDir, "data-dir", "./data", "data directory")
	flag.StringVar(&cfg.Upstream, "upstream", "sim", "must be sim")
	flag.StringVar(&cfg.SimLatency, "sim-latency", "realistic", "none or realistic")
	flag.StringVar(&cfg.SimURL, "sim-url", "", "use the simulator at this URL (djload's djsim) instead of one in-process")
	flag.TextVar(&logLevel, "log-level", slog.LevelInfo, "log level")
	flag.Parse()
	if hb := os.Getenv("DJ_SSE_HEARTBEAT"); hb != "" {
		d, err := time.ParseDuration(hb)
		if err != nil {
			return fmt.Errorf("DJ_SSE_HEARTBEAT: %w", err)
		}
		cfg.SSEHeartbeat = d
	}
	cfg.ValidateResponses = os.Getenv("DJ_VALIDATE_RESPONSES") == "1"
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: logLevel}))
	srv, err := server.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	go func() { _ = http.ListenAndServe(*pprofAddr, nil) }()
	fmt.Fprintf(os.Stderr, "pprof on http://%s/debug/pprof/\n", *pprofAddr)
	fmt.Fprintf(os.Stderr, "djd %s listening on %s — SIMULATOR mode (offline; simulator at %s)\n", cfg.Version, srv.URL(), srv.SimulatorURL())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
