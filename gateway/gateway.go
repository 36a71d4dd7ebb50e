// Package gateway is dj's HTTP edge: a Fiber app that authenticates,
// validates and turns each request into one message to the actors, and
// serves the SPA. It never calls an upstream API itself.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"dj/actors"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config holds the gateway's settings. Zero values take the defaults noted.
type Config struct {
	Version string
	// Upstream is "sim" or "real"; SimulatorURL is set in sim mode.
	Upstream     string
	SimulatorURL string
	StartedAt    time.Time
	// BodyLimit caps request bodies in bytes (default 256 KiB); larger
	// bodies get 413.
	BodyLimit int
	// ReadTimeout bounds reading one request (default 15 s). There is no
	// write timeout: it would cut SSE streams.
	ReadTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections (default 120 s).
	IdleTimeout time.Duration
	// CORSOrigins are the browser origins allowed to call the API from
	// elsewhere; the SPA itself is same-origin and needs none.
	CORSOrigins []string
	// ValidateResponses checks every JSON response against its documented
	// schema; a mismatch is logged and answered 500 (tests and dev mode).
	ValidateResponses bool
	// DemoUsers are the simulator's users offered on the login page.
	DemoUsers []string
	// Cluster reports this node's view of its cluster for /api/health;
	// nil on a single node.
	Cluster func() ClusterHealth
	// Auth resolves session tokens; nil rejects every authenticated route.
	Auth       Authenticator
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Gatherer, when set, is served at /metrics in Prometheus text format.
	Gatherer prometheus.Gatherer
	// AdminToken (DJ_ADMIN_TOKEN) guards the admin dashboard's metrics
	// stream; empty leaves that route unregistered (404).
	AdminToken string
}

func (c *Config) defaults() {
	if c.BodyLimit <= 0 {
		c.BodyLimit = 256 << 10
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 15 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 120 * time.Second
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.StartedAt.IsZero() {
		c.StartedAt = time.Now()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Deps are the actor-side services the routes talk to. A nil service
// leaves its routes unregistered (tests of the gateway alone).
type Deps struct {
	Login *actors.Login
	Mixes *actors.Mixes
	Music *actors.Music
	// Streams opens SSE streams (one writer actor each); nil leaves the
	// stream routes unregistered.
	Streams *actors.Streams
	// Chat runs the AI DJ chat stream; Steer the streaming steer (which
	// also needs Mixes). Nil leaves the route unregistered.
	Chat  *actors.Chat
	Steer *actors.Steer
	// Players serves the player stream (one poller per user); nil, or
	// no Streams, leaves GET /api/player/stream unregistered.
	Players *actors.Players
}

// Server is the running gateway.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	app     *fiber.App
	api     fiber.Router
	doc     *apiDoc
	auth    Authenticator
	metrics *httpMetrics
	ln      net.Listener
}

// New builds the Fiber app with every middleware and route.
func New(cfg Config, deps Deps) (*Server, error) { return newServer(cfg, deps, nil) }

// newServer is New with extra /api routes, which tests use to exercise
// middleware (a panicking handler, a body-reading one).
func newServer(cfg Config, deps Deps, extra func(s *Server)) (*Server, error) {
	cfg.defaults()
	m, err := newHTTPMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("gateway metrics: %w", err)
	}
	s := &Server{cfg: cfg, deps: deps, log: cfg.Logger, metrics: m, auth: cfg.Auth, doc: newAPIDoc(cfg.Version)}
	if s.auth == nil && deps.Login != nil {
		s.auth = loginAuthenticator{deps.Login}
	}
	s.app = fiber.New(fiber.Config{
		AppName: "dj",
		// fasthttp answers a body over its own limit by closing the
		// connection with the body unread, which clients often see as a
		// reset rather than a 413. So it reads up to 4× our limit, and
		// limitBody answers anything over the limit with a proper 413.
		BodyLimit:             4 * cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
	})
	s.app.Use(requestIDs, s.accessLog, s.recoverPanics, securityHeaders, s.limitBody)
	if len(cfg.CORSOrigins) > 0 {
		s.app.Use(corsFor(cfg.CORSOrigins))
	}
	if err := s.routes(extra); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) routes(extra func(s *Server)) error {
	s.api = s.app.Group("/api")
	handle(s, operation{Method: "GET", Path: "/api/health", ID: "health", Summary: "Liveness, version and upstream mode", Tag: "system"}, s.health)
	if s.deps.Login != nil {
		s.authRoutes()
	}
	if s.deps.Music != nil {
		s.musicRoutes()
	}
	if s.deps.Mixes != nil {
		s.mixRoutes()
	}
	s.streamRoutes()
	if s.deps.Streams != nil && s.deps.Chat != nil {
		s.chatRoutes()
	}
	if s.deps.Streams != nil && s.deps.Steer != nil && s.deps.Mixes != nil {
		s.steerRoutes()
	}
	s.playerStreamRoutes()
	s.adminRoutes()
	if extra != nil {
		extra(s)
	}
	if err := s.mountDocs(); err != nil {
		return err
	}
	s.api.All("/*", func(c *fiber.Ctx) error {
		return writeProblem(c, fiber.StatusNotFound, "no such API route", nil)
	})
	if s.cfg.Gatherer != nil {
		s.app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{})))
	}
	s.app.Get("/health", func(c *fiber.Ctx) error { return c.Redirect("/api/health", fiber.StatusPermanentRedirect) })
	s.mountSPA()
	return nil
}

// App exposes the Fiber app to tests.
func (s *Server) App() *fiber.App { return s.app }

// Listen binds addr ("127.0.0.1:0" picks a free port) and serves in the
// background. It returns once the listener is open, so Addr is valid.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gateway: listen %s: %w", addr, err)
	}
	s.Serve(ln)
	return nil
}

// Serve answers requests on ln in the background until Shutdown.
func (s *Server) Serve(ln net.Listener) {
	s.ln = ln
	go func() {
		if err := s.app.Listener(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Error("gateway stopped serving", "err", err)
		}
	}()
}

// Addr is the bound address, e.g. 127.0.0.1:8080.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Shutdown stops accepting and waits, bounded by ctx, for requests in
// progress. Open SSE streams must have been ended before this (fasthttp's
// shutdown does not end them).
func (s *Server) Shutdown(ctx context.Context) error {
	deadline, ok := ctx.Deadline()
	timeout := 10 * time.Second
	if ok {
		timeout = time.Until(deadline)
	}
	if err := s.app.ShutdownWithTimeout(timeout); err != nil {
		return fmt.Errorf("gateway shutdown: %w", err)
	}
	return nil
}
