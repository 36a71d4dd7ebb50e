// Package sim is a wire-faithful simulator of the four upstream APIs dj
// talks to: Spotify Accounts and Web API, Last.fm 2.0, Deezer and the
// Anthropic Messages API. One HTTP server, one path prefix per API, all
// projections of one seeded synthetic catalog, so the whole app (login
// included) runs and is tested offline. It also counts what arrives, so
// tests judge dj's rate discipline from what the wire saw.
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// apiPrefixes maps each simulated API to its path prefix on the one port.
var apiPrefixes = map[string]string{
	"accounts":  "/accounts",
	"spotify":   "/spotify",
	"lastfm":    "/lastfm",
	"deezer":    "/deezer",
	"anthropic": "/anthropic",
}

// Config sets up a simulator. The zero value is usable: seed 1, default
// catalog size, no added latency, real clock.
type Config struct {
	Seed    uint64
	Catalog CatalogConfig
	// Latency per API name ("spotify", "lastfm", ...); missing means none.
	Latency map[string]Latency
	// Faults active from the start (more can be set through /_sim/faults).
	Faults []Fault
	// Now is the clock for token expiry, playback progress and the window
	// accounting; nil means time.Now.
	Now func() time.Time
	// AccessTokenTTL is how long Spotify access tokens live (default 1 h);
	// tests shorten it to exercise refresh.
	AccessTokenTTL time.Duration
	Logger         *slog.Logger
}

// Server is one running simulator.
type Server struct {
	cfg       Config
	now       func() time.Time
	log       *slog.Logger
	catalog   *Catalog
	acct      *accounting
	faults    *faultSet
	latency   *latencyModel
	mux       *http.ServeMux
	renderers map[string]func(http.ResponseWriter, Fault)
	done      chan struct{} // closed by Close: ends hangs and open streams
	closeOnce sync.Once

	spotify   *spotifyState
	anthropic *anthropicState

	httpSrv *http.Server
	base    string
}

// New builds a simulator and its catalog; it does not listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cat, err := NewCatalog(cfg.Seed, cfg.Catalog)
	if err != nil {
		return nil, fmt.Errorf("sim: build catalog: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		now:       cfg.Now,
		log:       cfg.Logger,
		catalog:   cat,
		acct:      newAccounting(cfg.Now),
		faults:    &faultSet{},
		latency:   newLatencyModel(cfg.Seed, cfg.Latency),
		mux:       http.NewServeMux(),
		renderers: map[string]func(http.ResponseWriter, Fault){},
		done:      make(chan struct{}),
	}
	for _, f := range cfg.Faults {
		if err := s.faults.add(f); err != nil {
			return nil, err
		}
	}
	s.mountControl()
	s.mountAccounts()
	s.mountSpotify()
	s.mountLastfm()
	s.mountDeezer()
	s.mountAnthropic()
	return s, nil
}

// Handler serves every simulated API and the /_sim control routes.
func (s *Server) Handler() http.Handler { return s.mux }

// Catalog is the seeded catalog behind every API.
func (s *Server) Catalog() *Catalog { return s.catalog }

// Stats is what GET /_sim/stats returns.
func (s *Server) Stats() Stats { return s.acct.snapshot() }

// ResetStats is what POST /_sim/reset does.
func (s *Server) ResetStats() { s.acct.reset() }

// AddFault activates one more fault rule.
func (s *Server) AddFault(f Fault) error { return s.faults.add(f) }

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.faults.clear() }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in
// the background until Close.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim: listen %s: %w", addr, err)
	}
	s.base = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("simulator stopped", "err", err)
		}
	}()
	return nil
}

// URL is the simulator's base address, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.base }

// BaseURL returns the address a client of api should be configured with:
// the accounts base (…/accounts), the Spotify Web API base ending in /v1/,
// the Last.fm base ending in /2.0/, the Deezer base and the Anthropic base
// without /v1 (the SDK adds it).
func (s *Server) BaseURL(api string) string { return APIURL(s.base, api) }

// APIURL is the base URL of one simulated API ("accounts", "spotify",
// "lastfm", "deezer", "anthropic") on a simulator answering at base, so a
// process can point its clients at a simulator it did not start.
func APIURL(base, api string) string {
	base = strings.TrimRight(base, "/")
	switch api {
	case "spotify":
		return base + "/spotify/v1/"
	case "lastfm":
		return base + "/lastfm/2.0/"
	case "deezer":
		return base + "/deezer/"
	default:
		return base + apiPrefixes[api]
	}
}

// Close ends hanging requests and open streams, then stops the server.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	if s.httpSrv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.httpSrv.Shutdown(ctx); err != nil {
		return errors.Join(err, s.httpSrv.Close())
	}
	return nil
}

// route registers an upstream endpoint. pattern is relative to the API's
// prefix ("GET /v1/me"). The request is counted, delayed and possibly
// faulted before h runs.
func (s *Server) route(api, pattern string, h http.HandlerFunc) {
	s.register(api, pattern, true, h)
}

// routeBrowser registers an endpoint a browser reaches by redirect rather
// than a server calling it (Spotify's /authorize): counted per API but
// not in the upstream rate window, and never faulted.
func (s *Server) routeBrowser(api, pattern string, h http.HandlerFunc) {
	s.register(api, pattern, false, h)
}

func (s *Server) register(api, pattern string, upstream bool, h http.HandlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	prefix := apiPrefixes[api]
	full := strings.TrimSpace(method + " " + prefix + path)
	s.mux.HandleFunc(full, func(w http.ResponseWriter, r *http.Request) {
		end := s.acct.begin(api, upstream)
		defer end()
		if upstream && !s.prepare(w, r, api, strings.TrimPrefix(r.URL.Path, prefix), h) {
			return
		}
		h(w, r)
	})
}

// prepare applies latency and faults. It returns false when the request
// has been answered (or abandoned) by a fault.
func (s *Server) prepare(w http.ResponseWriter, r *http.Request, api, subpath string, h http.HandlerFunc) bool {
	if wait(r.Context(), s.latency.sample(api)) != nil {
		return false
	}
	f, ok := s.faults.take(api, r, subpath)
	if !ok {
		return true
	}
	s.acct.fault(api)
	switch f.Kind {
	case FaultStreamError, FaultStreamCut:
		h(w, r.WithContext(context.WithValue(r.Context(), faultKey{}, f)))
		return false
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return false
	case FaultReset:
		resetConnection(w)
		return false
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"truncated": [1, 2, "unterminated`))
		return false
	}
	if f.Kind == Fault429 {
		w.Header().Set("Retry-After", fmt.Sprint(max(f.RetryAfter, 1)))
	}
	if render, ok := s.renderers[api]; ok {
		render(w, f)
	} else {
		writeJSON(w, injectedStatus(f.Kind), map[string]any{"error": string(f.Kind)})
	}
	return false
}

// onFault sets how api renders an injected status fault in its own error
// shape (Spotify's {"error":{...}}, Last.fm's error codes, ...).
func (s *Server) onFault(api string, render func(http.ResponseWriter, Fault)) {
	s.renderers[api] = render
}
