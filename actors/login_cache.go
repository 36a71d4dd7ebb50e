package actors

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Token cache defaults (LoginConfig.TokenCacheTTL, TokenCacheSize).
const (
	// DefaultTokenCacheTTL bounds how long a validated session token is
	// trusted without reading the store again. A token revoked on this
	// node is evicted at once; one revoked on another node (cluster mode)
	// or removed from the store behind dj's back stays usable here for at
	// most this long.
	DefaultTokenCacheTTL = 10 * time.Second
	// DefaultTokenCacheSize bounds the cache's entries (about 150 bytes
	// each), so a flood of distinct valid tokens cannot grow memory.
	DefaultTokenCacheSize = 100_000
)

// tokenCache remembers validated session tokens for a short time, so an
// authenticated request does not read and decode its session record from
// the store every time (the largest piece of a cached read route's CPU in
// the P2 profile). Entries are keyed by the token's SHA-256, like the
// store, so the process holds no bearer token it did not just receive.
// An entry lives until the earlier of the session's own expiry and now +
// ttl; only successful lookups are cached. Safe for concurrent use.
type tokenCache struct {
	ttl time.Duration
	max int

	mu      sync.RWMutex
	entries map[[sha256.Size]byte]tokenEntry
	// evictions counts evict calls: a lookup that read the store while a
	// logout ran does not cache what it read (see put).
	evictions uint64
}

// tokenEntry is one validated token: its user and when to stop trusting it.
type tokenEntry struct {
	userID  string
	expires time.Time
}

// newTokenCache returns a cache, or nil (no caching) when ttl or size is
// not positive.
func newTokenCache(ttl time.Duration, size int) *tokenCache {
	if ttl <= 0 || size <= 0 {
		return nil
	}
	return &tokenCache{ttl: ttl, max: size, entries: make(map[[sha256.Size]byte]tokenEntry)}
}

// get returns the user of a cached, still-trusted token; on a miss, the
// epoch to hand put after reading the store.
func (c *tokenCache) get(key [sha256.Size]byte, now time.Time) (userID string, ok bool, epoch uint64) {
	if c == nil {
		return "", false, 0
	}
	c.mu.RLock()
	e, found := c.entries[key]
	epoch = c.evictions
	c.mu.RUnlock()
	if !found || !now.Before(e.expires) {
		return "", false, epoch
	}
	return e.userID, true, epoch
}

// put trusts a token validated against the store until the earlier of
// sessionExpires and now + ttl — unless a token was evicted since the get
// that returned epoch: that logout may have deleted the record after this
// caller read it. A full cache first drops expired entries, then
// arbitrary ones (Go's map order), down to 7/8 of its size: the cost of a
// dropped entry is one store read.
func (c *tokenCache) put(key [sha256.Size]byte, userID string, sessionExpires, now time.Time, epoch uint64) {
	if c == nil {
		return
	}
	exp := now.Add(c.ttl)
	if sessionExpires.Before(exp) {
		exp = sessionExpires
	}
	if !now.Before(exp) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.evictions != epoch {
		return
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		c.shrink(now)
	}
	c.entries[key] = tokenEntry{userID: userID, expires: exp}
}

// shrink makes room; the caller holds the lock.
func (c *tokenCache) shrink(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) < c.max-c.max/8 {
			break
		}
		delete(c.entries, k)
	}
}

// evict forgets a token (logout on this node). Call it after the
// session record is gone from the store.
func (c *tokenCache) evict(key [sha256.Size]byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.entries, key)
	c.evictions++
	c.mu.Unlock()
}

// len is the number of entries (tests).
func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
