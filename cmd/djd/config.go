package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"dj/internal/server"
)

// config is everything djd can be told, from flags or DJ_* variables:
// the server's own configuration plus what only the process needs.
// Secrets (upstream keys) come only from the environment, never flags, so
// they do not show in process listings.
type config struct {
	server.Config
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
}

// envLookup abstracts os.LookupEnv so tests can pass their own.
type envLookup func(string) (string, bool)

// setting is one flag with its environment variable.
type setting struct {
	flag, env, usage string
}

// parseConfig reads flags from args with environment fallbacks. An
// explicit flag wins over the environment, which wins over the default.
func parseConfig(args []string, env envLookup, stderr io.Writer) (config, error) {
	var c config
	var logLevel, corsOrigins, shutdown, sseHeartbeat, clusterSeeds, mixIdle string
	fs := flag.NewFlagSet("djd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var settings []setting
	str := func(p *string, name, envName, def, usage string) {
		if v, ok := env(envName); ok && v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage)
		settings = append(settings, setting{name, envName, usage})
	}
	_, hasSpotify := env("SPOTIFY_CLIENT_ID")
	defaultMode := "sim"
	if hasSpotify {
		defaultMode = "real"
	}
	str(&c.Addr, "addr", "DJ_ADDR", "127.0.0.1:8080", "address to listen on")
	str(&c.DataDir, "data-dir", "DJ_DATA_DIR", "./data", "directory of the Badger databases")
	str(&c.Upstream, "upstream", "DJ_UPSTREAM", defaultMode, "sim (built-in simulator) or real (needs SPOTIFY_CLIENT_ID); default sim unless SPOTIFY_CLIENT_ID is set")
	str(&c.PublicURL, "public-url", "DJ_PUBLIC_URL", "", "external base URL of this server, for the OAuth redirect (default http://ADDR)")
	str(&logLevel, "log-level", "DJ_LOG_LEVEL", "info", "debug, info, warn or error")
	str(&shutdown, "shutdown-timeout", "DJ_SHUTDOWN_TIMEOUT", "10s", "how long shutdown waits for streams and tracked work")
	str(&sseHeartbeat, "sse-heartbeat", "DJ_SSE_HEARTBEAT", "15s", "interval of the SSE streams' heartbeat comments")
	str(&mixIdle, "mix-idle-timeout", "DJ_MIX_IDLE_TIMEOUT", "10m", "how long a user's mix session actor stays in memory without requests (its mix stays in the store)")
	str(&corsOrigins, "cors-origins", "DJ_CORS_ORIGINS", "", "comma-separated browser origins allowed cross-origin (the SPA is same-origin)")
	str(&c.SimAddr, "sim-addr", "DJ_SIM_ADDR", "127.0.0.1:0", "address of the in-process simulator in sim mode")
	str(&c.SimURL, "sim-url", "DJ_SIM_URL", "", "in sim mode, use the simulator at this URL (e.g. a djsim process) instead of starting one")
	str(&c.SimLatency, "sim-latency", "DJ_SIM_LATENCY", "realistic", "simulated upstream latency: none or realistic")
	str(&c.RedisAddr, "redis-addr", "DJ_REDIS_ADDR", "", "host:port of Redis: the store moves there (needed in cluster mode); empty: Badger under -data-dir")
	str(&c.Cluster.Name, "cluster-name", "DJ_CLUSTER_NAME", "", "join the cluster of this name (needs -redis-addr, -cluster-discovery-port, -cluster-seeds); empty: a single node")
	str(&c.Cluster.Addr, "cluster-addr", "DJ_CLUSTER_ADDR", "127.0.0.1:0", "host:port for node-to-node messages in cluster mode (port 0: any free port)")
	str(&clusterSeeds, "cluster-seeds", "DJ_CLUSTER_SEEDS", "", "comma-separated host:port of every node's discovery endpoint, this one's included")
	discovery := envInt(env, "DJ_CLUSTER_DISCOVERY_PORT", 0)
	fs.IntVar(&c.Cluster.DiscoveryPort, "cluster-discovery-port", discovery, "port of this node's membership endpoint in cluster mode")
	settings = append(settings, setting{"cluster-discovery-port", "DJ_CLUSTER_DISCOVERY_PORT", "port of this node's membership endpoint in cluster mode"})
	bodyLimit := envInt(env, "DJ_BODY_LIMIT", 256<<10)
	fs.IntVar(&c.BodyLimit, "body-limit", bodyLimit, "largest request body in bytes")
	settings = append(settings, setting{"body-limit", "DJ_BODY_LIMIT", "largest request body in bytes"})
	validate := envInt(env, "DJ_VALIDATE_RESPONSES", 0) == 1
	fs.BoolVar(&c.ValidateResponses, "validate-responses", validate, "check every JSON response against its OpenAPI schema (1 in the environment)")
	settings = append(settings, setting{"validate-responses", "DJ_VALIDATE_RESPONSES", "check every JSON response against its OpenAPI schema"})
	seed := envInt(env, "DJ_SIM_SEED", 1)
	fs.Uint64Var(&c.SimSeed, "sim-seed", uint64(seed), "seed of the simulator's catalog")
	settings = append(settings, setting{"sim-seed", "DJ_SIM_SEED", "seed of the simulator's catalog"})
	fs.Usage = func() { usage(fs, settings) }
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	hb, err := time.ParseDuration(sseHeartbeat)
	if err != nil || hb <= 0 {
		return config{}, fmt.Errorf("-sse-heartbeat %q: want a positive duration such as 15s", sseHeartbeat)
	}
	c.SSEHeartbeat = hb
	if c.MixIdleTimeout, err = time.ParseDuration(mixIdle); err != nil || c.MixIdleTimeout < time.Millisecond {
		return config{}, fmt.Errorf("-mix-idle-timeout %q: want a duration of at least 1ms such as 10m", mixIdle)
	}
	c.SpotifyClientID, _ = env("SPOTIFY_CLIENT_ID")
	c.SpotifyClientSecret, _ = env("SPOTIFY_CLIENT_SECRET")
	c.AnthropicAPIKey, _ = env("ANTHROPIC_API_KEY")
	c.LastfmAPIKey, _ = env("LASTFM_API_KEY")
	c.AdminToken, _ = env("DJ_ADMIN_TOKEN")
	c.RedisPassword, _ = env("DJ_REDIS_PASSWORD")
	if err := c.finish(logLevel, corsOrigins, shutdown); err != nil {
		return config{}, err
	}
	if err := c.finishCluster(clusterSeeds); err != nil {
		return config{}, err
	}
	return c, nil
}

// finishCluster checks the cluster settings: all of them or none.
func (c *config) finishCluster(seeds string) error {
	for _, s := range strings.Split(seeds, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
				return fmt.Errorf("-cluster-seeds: %q is not host:port", s)
			}
			c.Cluster.Seeds = append(c.Cluster.Seeds, s)
		}
	}
	if c.Cluster.Name == "" {
		return nil
	}
	switch {
	case c.RedisAddr == "":
		return errors.New("-cluster-name needs -redis-addr: the nodes share their store and limits in Redis")
	case c.Cluster.DiscoveryPort <= 0 || c.Cluster.DiscoveryPort > 65535:
		return fmt.Errorf("-cluster-discovery-port %d: want a port number (1-65535)", c.Cluster.DiscoveryPort)
	case len(c.Cluster.Seeds) == 0:
		return errors.New("-cluster-name needs -cluster-seeds: the discovery endpoints of the nodes")
	}
	if _, _, err := net.SplitHostPort(c.Cluster.Addr); err != nil {
		return fmt.Errorf("-cluster-addr %q: want host:port", c.Cluster.Addr)
	}
	return nil
}

func (c *config) finish(logLevel, corsOrigins, shutdown string) error {
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	d, err := time.ParseDuration(shutdown)
	if err != nil || d <= 0 {
		return fmt.Errorf("-shutdown-timeout %q: want a positive duration such as 10s", shutdown)
	}
	c.ShutdownTimeout = d
	for _, o := range strings.Split(corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	switch c.Upstream {
	case "sim":
	case "real":
		if c.SpotifyClientID == "" {
			return errors.New("-upstream real needs SPOTIFY_CLIENT_ID in the environment")
		}
	default:
		return fmt.Errorf("-upstream %q: want sim or real", c.Upstream)
	}
	if c.SimLatency != "none" && c.SimLatency != "realistic" {
		return fmt.Errorf("-sim-latency %q: want none or realistic", c.SimLatency)
	}
	if c.BodyLimit < 1024 {
		return fmt.Errorf("-body-limit %d: want at least 1024 bytes", c.BodyLimit)
	}
	// The token is never echoed: only its length is judged.
	if n := len(c.AdminToken); n > 0 && (n < minAdminToken || n > maxAdminToken) {
		return fmt.Errorf("DJ_ADMIN_TOKEN: want %d to %d characters (it has %d); unset it to turn the admin dashboard off",
			minAdminToken, maxAdminToken, n)
	}
	return nil
}

// Admin token bounds: shorter is guessable, longer does not fit a bearer
// header the gateway accepts.
const (
	minAdminToken = 16
	maxAdminToken = 256
)

func envInt(env envLookup, name string, def int) int {
	if v, ok := env(name); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func usage(fs *flag.FlagSet, settings []setting) {
	w := fs.Output()
	fmt.Fprintf(w, "djd — the dj server: an AI DJ for Spotify.\n\nUsage: djd [flags]\n\nFlags (each also read from its environment variable):\n")
	for _, s := range settings {
		f := fs.Lookup(s.flag)
		fmt.Fprintf(w, "  -%-18s %-22s %s (default %q)\n", s.flag, s.env, s.usage, f.DefValue)
	}
	fmt.Fprintf(w, "\nSecrets, from the environment only:\n"+
		"  SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET   Spotify app (switches the default to -upstream real)\n"+
		"  ANTHROPIC_API_KEY                          the AI DJ's model\n"+
		"  LASTFM_API_KEY                             Last.fm enrichment\n"+
		"  DJ_ADMIN_TOKEN                             admin dashboard (/dashboard) token, 16-256 characters; unset: no dashboard\n")
}
