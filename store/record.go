package store

import (
	"context"
	"errors"
	"log/slog"
)

// Record is what a table or cache holds. Validate checks the value's
// invariants; the store calls it before every write and after every decode,
// because a stored value may predate today's rules or be damaged on disk.
type Record interface{ Validate() error }

// load reads (or, with take, reads and deletes) one value and decodes it.
// It is shared by Table and Cache so that decoding, validation, deletion of
// invalid values and counting exist in one place. negativeOK says whether the
// namespace may hold negative entries; where it may not, one is invalid.
// The result is never resultInvalid for the caller's purposes: an invalid
// value is counted as such and then reported as resultMiss.
func load[T Record](ctx context.Context, n *namespace, key string, take, negativeOK bool) (T, readResult, error) {
	var zero T
	k, err := checkKey(key)
	if err != nil {
		return zero, resultMiss, err
	}
	var (
		s     stored
		found bool
	)
	if take {
		s, found, err = n.take(ctx, k)
	} else {
		s, found, err = n.read(ctx, k)
	}
	if err != nil {
		return zero, resultMiss, err
	}
	if !found {
		n.count(resultMiss)
		return zero, resultMiss, nil
	}
	v, negative, derr := decodeRecord[T](s.val)
	if derr == nil && negative && !negativeOK {
		derr = errors.New("negative entry in a namespace without negative caching")
	}
	if derr != nil {
		n.count(resultInvalid)
		if take { // already deleted by the same atomic take
			n.log.Warn("store: invalid stored value taken and dropped", slog.String("ns", n.name), slog.Any("reason", derr))
		} else {
			n.discard(ctx, k, s, derr)
		}
		return zero, resultMiss, nil
	}
	if negative {
		n.count(resultNegative)
		return zero, resultNegative, nil
	}
	n.count(resultHit)
	return v, resultHit, nil
}
