package store

import (
	"context"
	"fmt"
	"time"
)

// Lookup is the outcome of a cache read. It has three states, not two,
// because "we looked recently and there is nothing" (negative) must not be
// confused with "we never looked" (miss): the first must not trigger another
// upstream call, the second must.
type Lookup int

// Lookup values. The zero value is LookupMiss so that an error return reads
// naturally as a miss.
const (
	LookupMiss Lookup = iota
	LookupHit
	LookupNegative
)

// String names the lookup for logs.
func (l Lookup) String() string {
	switch l {
	case LookupMiss:
		return "miss"
	case LookupHit:
		return "hit"
	case LookupNegative:
		return "negative"
	default:
		return fmt.Sprintf("Lookup(%d)", int(l))
	}
}

// Cache is the audio-features namespace: hits with a long TTL, misses as
// explicit negative entries with a short one.
type Cache[T Record] struct {
	ns      *namespace
	hitTTL  time.Duration
	missTTL time.Duration
}

// Features returns the audio-features cache (hits Config.FeatureHitTTL,
// default 90 d; misses Config.FeatureMissTTL, default 5 min).
func Features[T Record](s *Store) *Cache[T] {
	return &Cache[T]{ns: s.features, hitTTL: s.cfg.FeatureHitTTL, missTTL: s.cfg.FeatureMissTTL}
}

// Get looks key up. v is set only for LookupHit. An invalid stored value is
// a LookupMiss (and is deleted and counted).
func (c *Cache[T]) Get(ctx context.Context, key string) (v T, l Lookup, err error) {
	v, r, err := load[T](ctx, c.ns, key, false, true)
	switch r {
	case resultHit:
		return v, LookupHit, err
	case resultNegative:
		return v, LookupNegative, err
	default:
		return v, LookupMiss, err
	}
}

// PutHit validates v and caches it under key for the hit TTL, replacing any
// negative entry.
func (c *Cache[T]) PutHit(ctx context.Context, key string, v T) error {
	k, err := checkKey(key)
	if err != nil {
		return err
	}
	val, err := encodeRecord(v)
	if err != nil {
		return err
	}
	return c.ns.write(ctx, k, val, c.hitTTL)
}

// PutMiss records that key has no data upstream, for the miss TTL, so that
// lookups within that window are answered without calling upstream again.
// It replaces any hit: the caller has just learned the data is gone.
func (c *Cache[T]) PutMiss(ctx context.Context, key string) error {
	k, err := checkKey(key)
	if err != nil {
		return err
	}
	return c.ns.write(ctx, k, encodeNegative(), c.missTTL)
}
