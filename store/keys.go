package store

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxKeyLen bounds caller keys (in bytes). Keys are user IDs, session tokens
// and track IDs; the bound stops a caller from building keys out of raw,
// unbounded text (the reference app's MusicBrainz keys exceeded its KV limit).
const MaxKeyLen = 512

// keyPrefix is put in front of every caller key inside each database. Badger
// keeps its own bookkeeping under "!badger!"; the prefix makes a collision
// with those internal keys impossible whatever the caller passes.
const keyPrefix = "k:"

// ErrInvalidKey is returned (wrapped) for an empty, over-long or non-UTF-8
// key, so callers can tell a programming error from a storage failure.
var ErrInvalidKey = errors.New("store: invalid key")

// checkKey validates a caller key and returns its stored form. Errors never
// contain the key itself: session keys are bearer secrets.
func checkKey(key string) ([]byte, error) {
	switch {
	case key == "":
		return nil, fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLen:
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidKey, len(key), MaxKeyLen)
	case !utf8.ValidString(key):
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalidKey)
	}
	return []byte(keyPrefix + key), nil
}
