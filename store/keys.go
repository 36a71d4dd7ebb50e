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

// keyPrefix is put in front of every caller key inside each Badger database.
// Badger keeps its own bookkeeping under "!badger!"; the prefix makes a
// collision with those internal keys impossible whatever the caller passes.
// (Redis keys carry a per-namespace prefix instead, see redisBackend.)
const keyPrefix = "k:"

// ErrInvalidKey is returned (wrapped) for an empty, over-long or non-UTF-8
// key, so callers can tell a programming error from a storage failure.
var ErrInvalidKey = errors.New("store: invalid key")

// checkKey validates a caller key; each backend derives its stored form from
// the result. Errors never contain the key itself: session keys are bearer
// secrets.
func checkKey(key string) (string, error) {
	switch {
	case key == "":
		return "", fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLen:
		return "", fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidKey, len(key), MaxKeyLen)
	case !utf8.ValidString(key):
		return "", fmt.Errorf("%w: not valid UTF-8", ErrInvalidKey)
	}
	return key, nil
}
