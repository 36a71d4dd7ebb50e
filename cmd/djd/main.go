// Command djd is the dj server: the HTTP/SSE gateway, the actor system
// and the stores in one process. Without Spotify credentials it starts
// the upstream simulator in-process, so the whole app runs offline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"dj/internal/server"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "djd:", err)
		os.Exit(1)
	}
}

// run starts djd and blocks until SIGINT/SIGTERM or ctx ends, then shuts
// down gracefully.
func run(ctx context.Context, args []string, env envLookup, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, env, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg.Version = version
	srv, err := server.Start(ctx, cfg.Config, log)
	if err != nil {
		return err
	}
	banner(stderr, log, cfg, srv)
	<-ctx.Done()
	log.Info("shutting down", "reason", context.Cause(ctx).Error())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// banner says, once, where djd listens and whether upstreams are real.
func banner(stderr io.Writer, log *slog.Logger, cfg config, srv *server.Server) {
	mode := "REAL upstream APIs"
	if sim := srv.SimulatorURL(); sim != "" {
		mode = "SIMULATOR mode (offline; simulator at " + sim + ")"
		log.Info("djd started in SIMULATOR mode: upstream APIs are simulated; set SPOTIFY_CLIENT_ID to use the real ones",
			"url", srv.URL(), "version", version, "upstream", "sim", "simulator", sim, "data_dir", cfg.DataDir)
	} else {
		log.Info("djd started with REAL upstream APIs", "url", srv.URL(), "version", version, "upstream", "real", "data_dir", cfg.DataDir)
	}
	fmt.Fprintf(stderr, "djd %s listening on %s — %s\n", version, srv.URL(), mode)
	if cfg.AdminToken != "" { // the token itself is never logged
		log.Info("admin dashboard enabled", "url", srv.URL()+"/dashboard")
	}
}
