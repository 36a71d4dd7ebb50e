package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"dj/gateway"
	"dj/upstream/sim"

	"github.com/prometheus/client_golang/prometheus"
)

// app is one running djd: what start built, in the order shutdown undoes.
type app struct {
	cfg     config
	log     *slog.Logger
	stderr  io.Writer
	sim     *sim.Server // nil in real mode
	gateway *gateway.Server
}

// start brings djd up: simulator (sim mode), stores, actors, gateway. On
// failure it undoes what it had started.
func start(ctx context.Context, cfg config, log *slog.Logger, stderr io.Writer) (a *app, err error) {
	a = &app{cfg: cfg, log: log, stderr: stderr}
	defer func() {
		if err != nil {
			_ = a.shutdown(context.Background())
		}
	}()
	reg := prometheus.NewRegistry()
	if cfg.Upstream == "sim" {
		if err := a.startSimulator(); err != nil {
			return nil, err
		}
	}
	gw, err := gateway.New(gateway.Config{
		Version:           version,
		Upstream:          cfg.Upstream,
		SimulatorURL:      a.simulatorURL(),
		BodyLimit:         cfg.BodyLimit,
		CORSOrigins:       cfg.CORSOrigins,
		DemoUsers:         a.demoUsers(),
		ValidateResponses: cfg.ValidateResponses,
		Logger:            log,
		Registerer:        reg,
	})
	if err != nil {
		return nil, err
	}
	if err := gw.Listen(cfg.Addr); err != nil {
		return nil, err
	}
	a.gateway = gw
	a.banner()
	return a, nil
}

func (a *app) startSimulator() error {
	scfg := sim.Config{Seed: a.cfg.SimSeed, Logger: a.log.With("component", "simulator")}
	if a.cfg.SimLatency == "realistic" {
		scfg.Latency = sim.DefaultLatencies()
	}
	s, err := sim.New(scfg)
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	if err := s.Start(a.cfg.SimAddr); err != nil {
		return err
	}
	a.sim = s
	return nil
}

func (a *app) simulatorURL() string {
	if a.sim == nil {
		return ""
	}
	return a.sim.URL()
}

// demoUsers are the simulator's named users, offered on the login page.
func (a *app) demoUsers() []string {
	if a.sim == nil {
		return nil
	}
	var ids []string
	for _, u := range a.sim.Catalog().Users[:4] {
		ids = append(ids, u.ID)
	}
	return ids
}

// banner says, once, where djd listens and whether upstreams are real.
func (a *app) banner() {
	url := "http://" + a.gateway.Addr()
	mode := "REAL upstream APIs"
	if a.sim != nil {
		mode = "SIMULATOR mode (offline; simulator at " + a.sim.URL() + ")"
	}
	fmt.Fprintf(a.stderr, "djd %s listening on %s — %s\n", version, url, mode)
	if a.sim != nil {
		a.log.Info("djd started in SIMULATOR mode: upstream APIs are simulated in-process; set SPOTIFY_CLIENT_ID to use the real ones",
			"url", url, "version", version, "upstream", "sim", "simulator", a.sim.URL(), "data_dir", a.cfg.DataDir)
		return
	}
	a.log.Info("djd started with REAL upstream APIs", "url", url, "version", version, "upstream", "real", "data_dir", a.cfg.DataDir)
}

// shutdown stops the gateway first (no new work), then what it fed.
func (a *app) shutdown(ctx context.Context) error {
	start := time.Now()
	var errs []error
	if a.gateway != nil {
		errs = append(errs, a.gateway.Shutdown(ctx))
	}
	if a.sim != nil {
		errs = append(errs, a.sim.Close())
	}
	err := errors.Join(errs...)
	a.log.Info("djd stopped", "took_ms", time.Since(start).Milliseconds(), "clean", err == nil)
	return err
}
