package store

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Namespace names. They are the directory names under Config.Dir and the
// "ns" label of the metrics, so dashboards and operators see one spelling.
const (
	NSSessions      = "sessions"
	NSAudioFeatures = "audio_features"
	NSMixSessions   = "mix_sessions"
)

// Default TTLs and intervals, taken from the service design: sessions and mixes
// outlive a listening session but not a day; enrichment data changes rarely,
// while a miss is retried soon in case the upstream was only briefly wrong.
const (
	DefaultSessionTTL     = 4 * time.Hour
	DefaultMixTTL         = 8 * time.Hour
	DefaultFeatureHitTTL  = 90 * 24 * time.Hour
	DefaultFeatureMissTTL = 5 * time.Minute
	DefaultGCInterval     = 10 * time.Minute
)

// minTTL is Badger's TTL resolution: expiry is stored in whole Unix seconds,
// so anything shorter would silently round to "already expired" or "no TTL".
// Redis keeps milliseconds, but the same floor applies to both backends so
// that a configuration means the same thing on one node and on a cluster.
const minTTL = time.Second

// Config says where the databases live and how long each kind of value lives.
// Zero values mean the defaults above, so a caller only states what differs.
type Config struct {
	// Dir is the data directory; each namespace gets a subdirectory.
	// Required unless InMemory or RedisAddr is set; unused with Redis.
	Dir string
	// InMemory keeps everything in RAM (tests only): nothing survives Close.
	// It excludes RedisAddr.
	InMemory bool
	// RedisAddr ("host:port") selects the Redis backend for cluster mode:
	// every node opens the same server and sees the same values. Empty
	// means embedded Badger under Dir, the single-node default.
	RedisAddr string
	// RedisPrefix is put in front of every Redis key (then "dj:<ns>:"), so
	// that several deployments or test stores can share one server without
	// seeing each other's values. Empty is fine for a dedicated server.
	RedisPrefix string
	// RedisPassword authenticates to Redis (AUTH); empty means none.
	RedisPassword string
	// GCInterval is how often Badger's value-log GC runs; zero = 10 min.
	// Unused with Redis, which expires values itself.
	GCInterval time.Duration
	// SessionTTL, MixTTL, FeatureHitTTL and FeatureMissTTL are the lifetimes
	// of the respective values; zero = 4 h, 8 h, 90 d and 5 min. Non-zero
	// values must be at least one second (Badger's resolution; the same
	// floor holds for Redis).
	SessionTTL, MixTTL, FeatureHitTTL, FeatureMissTTL time.Duration
	// Logger receives Badger's warnings and errors and the store's own
	// reports (invalid values, GC failures); nil = slog.Default().
	Logger *slog.Logger
}

// normalize fills in defaults and rejects values the store cannot honour, so
// that the rest of the package can trust every field.
func (c Config) normalize() (Config, error) {
	if c.InMemory && c.RedisAddr != "" {
		return c, errors.New("store: config: InMemory and RedisAddr exclude each other")
	}
	if !c.InMemory && c.RedisAddr == "" && c.Dir == "" {
		return c, errors.New("store: config: Dir is required unless InMemory or RedisAddr is set")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.GCInterval < 0 {
		return c, fmt.Errorf("store: config: GCInterval %v is negative", c.GCInterval)
	}
	if c.GCInterval == 0 {
		c.GCInterval = DefaultGCInterval
	}
	ttls := []struct {
		name string
		val  *time.Duration
		def  time.Duration
	}{
		{"SessionTTL", &c.SessionTTL, DefaultSessionTTL},
		{"MixTTL", &c.MixTTL, DefaultMixTTL},
		{"FeatureHitTTL", &c.FeatureHitTTL, DefaultFeatureHitTTL},
		{"FeatureMissTTL", &c.FeatureMissTTL, DefaultFeatureMissTTL},
	}
	for _, t := range ttls {
		if *t.val == 0 {
			*t.val = t.def
		}
		if *t.val < minTTL {
			return c, fmt.Errorf("store: config: %s %v is below Badger's 1 s TTL resolution", t.name, *t.val)
		}
	}
	return c, nil
}
