package store

import (
	"context"
	"time"
)

// Table is one namespace of records with a fixed TTL, typed by the caller.
// Sessions and mixes are both tables: the same code, different TTLs and
// databases. A Table is a cheap handle; create it once and share it.
type Table[T Record] struct {
	ns  *namespace
	ttl time.Duration
}

// Sessions returns the session table (TTL Config.SessionTTL, default 4 h).
// T is the caller's session type; the store only needs it to validate.
func Sessions[T Record](s *Store) *Table[T] {
	return &Table[T]{ns: s.sessions, ttl: s.cfg.SessionTTL}
}

// Mixes returns the mix-session table (TTL Config.MixTTL, default 8 h).
func Mixes[T Record](s *Store) *Table[T] {
	return &Table[T]{ns: s.mixes, ttl: s.cfg.MixTTL}
}

// Get returns the record under key. found is false when the key is absent,
// expired, or held an invalid value (which is then deleted and counted).
func (t *Table[T]) Get(ctx context.Context, key string) (v T, found bool, err error) {
	v, r, err := load[T](ctx, t.ns, key, false, false)
	return v, r == resultHit, err
}

// Put validates v and stores it under key with the table's TTL. Every Put
// restarts the TTL, so an active session or mix keeps living (sliding expiry).
func (t *Table[T]) Put(ctx context.Context, key string, v T) error {
	k, err := checkKey(key)
	if err != nil {
		return err
	}
	val, err := encodeRecord(v)
	if err != nil {
		return err
	}
	return t.ns.write(ctx, k, val, t.ttl)
}

// Delete removes key; an absent key is not an error (logout twice is fine).
func (t *Table[T]) Delete(ctx context.Context, key string) error {
	k, err := checkKey(key)
	if err != nil {
		return err
	}
	return t.ns.remove(ctx, k)
}

// Take returns the record under key and deletes it atomically (one Badger
// transaction, or one Redis GETDEL): of any number of concurrent callers
// exactly one gets it. Use it for single-use values such as login codes.
func (t *Table[T]) Take(ctx context.Context, key string) (v T, found bool, err error) {
	v, r, err := load[T](ctx, t.ns, key, true, false)
	return v, r == resultHit, err
}
