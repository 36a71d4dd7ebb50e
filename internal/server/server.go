// Package server assembles one whole dj server — simulator (in sim mode),
// store, actor system, services and gateway — so that cmd/djd and the
// tests that need a real server start it the same way.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"dj/actors"
	"dj/gateway"
	"dj/internal/quota"
	"dj/store"
	"dj/upstream/sim"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
)

// Config is what a server needs; cmd/djd fills it from flags and the
// environment, tests from their own defaults.
type Config struct {
	Version  string
	Addr     string // listen address; "127.0.0.1:0" picks a free port
	DataDir  string
	Upstream string // "sim" or "real"
	// PublicURL is the external base URL (for the OAuth redirect); empty
	// means http://<bound address>.
	PublicURL         string
	BodyLimit         int
	CORSOrigins       []string
	ValidateResponses bool

	SimAddr string
	// SimURL points sim mode at a simulator another process runs (djsim):
	// nothing starts in-process. Several djd nodes of one cluster, and
	// load tests that keep the simulator off the server's CPU, use it.
	SimURL     string
	SimSeed    uint64
	SimLatency string // "none" or "realistic"
	// SimLatencies override the simulator's latency per key (an API name
	// or sim.AnthropicStreamLatency); tests use it to slow one thing.
	SimLatencies map[string]sim.Latency

	// SSEHeartbeat is the SSE heartbeat interval (0: the default 15 s).
	SSEHeartbeat time.Duration
	// MixIdleTimeout passivates a mix session actor idle this long (0:
	// the actors' default, 10 min).
	MixIdleTimeout time.Duration
	// AdminToken (DJ_ADMIN_TOKEN, environment only) opens the admin
	// dashboard's metrics stream; empty: the route does not exist.
	AdminToken string
	// PlayerStream tunes the player stream's pollers (zero: the
	// reference's cadence and lifetime; tests shorten them).
	PlayerStream actors.PlayerStreamConfig
	// Actors tunes the actor system and its limiter (zero: production
	// figures; tests shorten the breakers' open timeout).
	Actors actors.Config

	// RedisAddr ("host:port") moves the store to Redis (native TTL, the
	// same validation on read) instead of Badger under DataDir; cluster
	// mode needs it, for the store and for the cluster-wide limits.
	// RedisPassword (DJ_REDIS_PASSWORD, environment only) authenticates.
	RedisAddr     string
	RedisPassword string
	// Cluster joins this node to a cluster when its Name is set.
	Cluster ClusterConfig

	// Upstream credentials (real mode), from the environment only.
	SpotifyClientID     string
	SpotifyClientSecret string
	AnthropicAPIKey     string
	LastfmAPIKey        string
}

// ClusterConfig is how a node finds and talks to its peers (see
// docs/scale-out.md).
type ClusterConfig struct {
	// Name is the cluster's name; nodes join only a cluster of their name.
	// Empty: a single node.
	Name string
	// Addr is this node's host:port for node-to-node messages (gRPC);
	// port 0 picks a free one. The host must be reachable by the peers.
	Addr string
	// DiscoveryPort is this node's membership endpoint (HTTP), which the
	// peers poll; Seeds are every node's host:DiscoveryPort.
	DiscoveryPort int
	Seeds         []string
}

// Server is one running dj: what Start built, in the order Shutdown undoes.
type Server struct {
	cfg   Config
	log   *slog.Logger
	reg   *prometheus.Registry
	sim   *sim.Server // nil in real mode and with an external simulator
	demo  []string    // the simulator's first user IDs, for the login page
	store *store.Store
	// limitsRedis is the Redis client of the cluster-wide limits (nil on
	// a single node).
	limitsRedis *redis.Client
	system      *actors.System
	streams     *actors.Streams
	players     *actors.Players
	gateway     *gateway.Server
}

// Start brings a server up: simulator (sim mode), store, actors, gateway.
// On failure it undoes what it had started.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (_ *Server, err error) {
	if cfg.SimAddr == "" {
		cfg.SimAddr = "127.0.0.1:0"
	}
	cfg.SimURL = strings.TrimRight(cfg.SimURL, "/")
	a := &Server{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	defer func() {
		if err != nil {
			_ = a.Shutdown(context.Background())
		}
	}()
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	defer func() {
		if err != nil {
			_ = ln.Close()
		}
	}()
	publicURL := strings.TrimRight(cfg.PublicURL, "/")
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	bases := upstreamBases{}
	switch {
	case cfg.Upstream == "sim" && cfg.SimURL != "":
		if a.demo, err = externalDemoUsers(ctx, cfg.SimURL); err != nil {
			return nil, err
		}
		bases = simBases(cfg.SimURL)
	case cfg.Upstream == "sim":
		if err := a.startSimulator(); err != nil {
			return nil, err
		}
		bases = simBases(a.sim.URL())
		for _, u := range a.sim.Catalog().Users[:4] {
			a.demo = append(a.demo, u.ID)
		}
	}
	ups, err := buildUpstreams(cfg, bases, publicURL+"/api/spotify/callback")
	if err != nil {
		return nil, err
	}
	scfg := store.Config{Dir: cfg.DataDir, RedisAddr: cfg.RedisAddr, RedisPassword: cfg.RedisPassword, Logger: log.With("component", "store")}
	if a.store, err = store.Open(scfg, a.reg); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	acfg := cfg.Actors
	if acfg.Cluster, err = cfg.Cluster.actors(); err != nil {
		return nil, err
	}
	if acfg.Cluster != nil { // the 40 requests/s and the lane caps hold for the whole cluster
		if acfg.Shared, err = a.sharedLimits(); err != nil {
			return nil, err
		}
	}
	if a.system, err = actors.NewSystem(acfg, a.reg, log); err != nil {
		return nil, fmt.Errorf("start actors: %w", err)
	}
	login := actors.NewLogin(actors.LoginConfig{
		RedirectURL:   publicURL + "/api/spotify/callback",
		AppURL:        publicURL + "/",
		AllowDemoUser: cfg.Upstream == "sim",
		// A cluster node must not trust a token another node revoked:
		// no token cache there (every request reads the shared store).
		TokenCacheTTL: tokenCacheTTL(acfg.Cluster != nil),
	}, a.system, a.store, ups.Spotify)
	deps := actors.Deps{System: a.system, Store: a.store, Upstreams: ups, Login: login, Log: log}
	enricher, err := actors.NewEnricher(deps)
	if err != nil {
		return nil, fmt.Errorf("start enrichment: %w", err)
	}
	a.reg.MustRegister(enricher.Collector())
	mixOpts := []actors.MixesOption{actors.WithMixEnricher(enricher)}
	if cfg.MixIdleTimeout > 0 {
		mixOpts = append(mixOpts, actors.WithMixIdleTimeout(cfg.MixIdleTimeout))
	}
	mixes, err := actors.NewMixes(deps, mixOpts...)
	if err != nil {
		return nil, fmt.Errorf("start mixes: %w", err)
	}
	if a.streams, err = actors.NewStreams(a.system, actors.StreamsConfig{Heartbeat: cfg.SSEHeartbeat, Registerer: a.reg}); err != nil {
		return nil, fmt.Errorf("start streams: %w", err)
	}
	pcfg := cfg.PlayerStream
	pcfg.Registerer = a.reg
	if a.players, err = actors.NewPlayers(deps, mixes, pcfg); err != nil {
		return nil, fmt.Errorf("start player stream: %w", err)
	}
	music := actors.NewMusic(deps)
	gw, err := gateway.New(gateway.Config{
		Version:           cfg.Version,
		Upstream:          cfg.Upstream,
		SimulatorURL:      a.SimulatorURL(),
		BodyLimit:         cfg.BodyLimit,
		CORSOrigins:       cfg.CORSOrigins,
		DemoUsers:         a.demoUsers(),
		ValidateResponses: cfg.ValidateResponses,
		Logger:            log,
		Registerer:        a.reg,
		Gatherer:          a.reg,
		AdminToken:        cfg.AdminToken,
		Cluster:           a.clusterFunc(),
	}, gateway.Deps{Login: login, Mixes: mixes, Music: music, Streams: a.streams, Players: a.players,
		Chat: actors.NewChat(deps, music, mixes), Steer: actors.NewSteer(deps, mixes)})
	if err != nil {
		return nil, err
	}
	if acfg.Cluster != nil { // every kind is registered: join, then serve
		if err := a.system.StartCluster(ctx); err != nil {
			return nil, fmt.Errorf("join cluster %q: %w", cfg.Cluster.Name, err)
		}
	}
	gw.Serve(ln)
	a.gateway = gw
	return a, nil
}

// sharedLimits connects the cluster-wide upstream limits in Redis (the
// client is closed by Shutdown, after the actors).
func (a *Server) sharedLimits() (*quota.Limits, error) {
	a.limitsRedis = redis.NewClient(&redis.Options{
		Addr: a.cfg.RedisAddr, Password: a.cfg.RedisPassword,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		PoolTimeout: 2 * time.Second, MaxRetries: 1, ContextTimeoutEnabled: true,
	})
	l, err := quota.New(a.limitsRedis, quota.Options{Prefix: "dj:" + a.cfg.Cluster.Name + ":quota:"})
	if err != nil {
		return nil, fmt.Errorf("cluster-wide limits: %w", err)
	}
	return l, nil
}

// tokenCacheTTL is the login's token cache setting: the default on a
// single node, off (negative) in a cluster.
func tokenCacheTTL(clustered bool) time.Duration {
	if clustered {
		return -1
	}
	return 0
}

// actors turns the node's cluster settings into the actor system's (nil
// on a single node).
func (c ClusterConfig) actors() (*actors.ClusterConfig, error) {
	if c.Name == "" {
		return nil, nil
	}
	host, portText, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return nil, fmt.Errorf("cluster address %q: %w", c.Addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("cluster address %q: bad port", c.Addr)
	}
	return &actors.ClusterConfig{Name: c.Name, Host: host, Port: port, ProviderPort: c.DiscoveryPort, Seeds: c.Seeds}, nil
}

// clusterFunc is what /api/health asks about the cluster: nothing on a
// single node.
func (a *Server) clusterFunc() func() gateway.ClusterHealth {
	if a.cfg.Cluster.Name == "" {
		return nil
	}
	return a.clusterHealth
}

// clusterHealth is this node's view of the cluster, for /api/health.
func (a *Server) clusterHealth() gateway.ClusterHealth {
	return gateway.ClusterHealth{Name: a.cfg.Cluster.Name, Members: a.system.ClusterMembers()}
}

func (a *Server) startSimulator() error {
	scfg := sim.Config{Seed: a.cfg.SimSeed, Logger: a.log.With("component", "simulator")}
	if a.cfg.SimLatency == "realistic" {
		scfg.Latency = sim.DefaultLatencies()
	}
	for k, l := range a.cfg.SimLatencies {
		if scfg.Latency == nil {
			scfg.Latency = map[string]sim.Latency{}
		}
		scfg.Latency[k] = l
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

// SimulatorURL is the simulator's base URL ("" in real mode).
func (a *Server) SimulatorURL() string {
	switch {
	case a.cfg.Upstream != "sim":
		return ""
	case a.cfg.SimURL != "":
		return a.cfg.SimURL
	case a.sim != nil:
		return a.sim.URL()
	}
	return ""
}

// demoUsers are the simulator's named users, offered on the login page.
func (a *Server) demoUsers() []string { return a.demo }

// URL is where the server answers, e.g. http://127.0.0.1:8080.
func (a *Server) URL() string { return "http://" + a.gateway.Addr() }

// Simulator is the in-process simulator, nil in real mode.
func (a *Server) Simulator() *sim.Server { return a.sim }

// Registry holds every metric the server exports.
func (a *Server) Registry() *prometheus.Registry { return a.reg }

// Shutdown ends every SSE stream with a final event, stops the gateway
// (no new work), then drains tracked work and stops the actors, closes
// the store, and stops the simulator.
func (a *Server) Shutdown(ctx context.Context) error {
	start := time.Now()
	var errs []error
	if a.streams != nil { // fasthttp's shutdown would wait on open streams
		errs = append(errs, a.streams.CloseAll(ctx))
	}
	if a.players != nil { // pollers and their polls, before the actors stop
		errs = append(errs, a.players.Close(ctx))
	}
	if a.gateway != nil {
		errs = append(errs, a.gateway.Shutdown(ctx))
	}
	if a.system != nil {
		errs = append(errs, a.system.Shutdown(ctx))
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	if a.limitsRedis != nil {
		errs = append(errs, a.limitsRedis.Close())
	}
	if a.sim != nil {
		errs = append(errs, a.sim.Close())
	}
	err := errors.Join(errs...)
	a.log.Info("djd stopped", "took_ms", time.Since(start).Milliseconds(), "clean", err == nil)
	return err
}
