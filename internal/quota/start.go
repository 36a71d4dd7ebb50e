package quota

import (
	"context"
	"fmt"
	"time"
)

// TryStart asks for one request start in the cluster-wide window: at most
// limit starts inside any span. Granted, the start is recorded under id
// (unique across the cluster) as pending: it counts until Stamp says when
// its request went out, or, if no stamp and no Hold comes, for
// pendingHold and then span more. Refused, retryAfter says when enough
// starts will have left the window for one more (a pending start's
// leaving time is its hold: the answer may be long, and a stamp or a
// Return elsewhere may free a slot sooner).
//
// Asking again for an id already in the window answers granted without
// taking a second slot, so a retried round trip is harmless.
func (l *Limits) TryStart(ctx context.Context, id string, limit int, span, pendingHold time.Duration) (granted bool, retryAfter time.Duration, err error) {
	if err := checkID("start id", id); err != nil {
		return false, 0, err
	}
	if limit <= 0 || span <= 0 || pendingHold <= 0 {
		return false, 0, fmt.Errorf("quota: try start %s: limit, span and hold must be positive (got %d, %s, %s)", id, limit, span, pendingHold)
	}
	res, err := l.run(ctx, l.s.tryStart, l.startsKey(), id, limit, micros(span), micros(pendingHold)).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("quota: try start %s: %w", id, err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("quota: try start %s: unexpected reply %v", id, res)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Microsecond, nil
}

// Stamp records that the request of start id went out: from now (Redis's
// now, which is never before the moment it went out) it counts for span
// and then leaves the window. span is the window's span, used only to keep
// the key alive that long. A start no longer in the window is left alone.
func (l *Limits) Stamp(ctx context.Context, id string, span time.Duration) error {
	if err := checkID("start id", id); err != nil {
		return err
	}
	if err := l.run(ctx, l.s.stamp, l.startsKey(), id, micros(span)).Err(); err != nil {
		return fmt.Errorf("quota: stamp %s: %w", id, err)
	}
	return nil
}

// Hold keeps the pending (granted, not yet stamped) starts among ids in
// the window for pendingHold more. A node renews its pending starts this
// way while their requests have not gone out, so a short pendingHold is
// safe and a node that dies frees its pending starts soon after. held is
// how many were still pending; stamped, returned or lapsed ones are left
// alone.
func (l *Limits) Hold(ctx context.Context, ids []string, pendingHold, span time.Duration) (held int, err error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if pendingHold <= 0 || span <= 0 {
		return 0, fmt.Errorf("quota: hold %d starts: hold and span must be positive", len(ids))
	}
	args := make([]any, 0, len(ids)+2)
	args = append(args, micros(pendingHold), micros(span))
	for _, id := range ids {
		args = append(args, id)
	}
	n, err := l.run(ctx, l.s.hold, l.startsKey(), args...).Int64()
	if err != nil {
		return 0, fmt.Errorf("quota: hold %d starts: %w", len(ids), err)
	}
	return int(n), nil
}

// Return gives back a granted start whose request never went out, freeing
// its slot at once.
func (l *Limits) Return(ctx context.Context, id string) error {
	if err := checkID("start id", id); err != nil {
		return err
	}
	if err := l.run(ctx, l.s.remove, l.startsKey(), id).Err(); err != nil {
		return fmt.Errorf("quota: return %s: %w", id, err)
	}
	return nil
}

// Starts is how many starts the cluster-wide window holds now (pending
// ones included), for status pages and tests.
func (l *Limits) Starts(ctx context.Context, span time.Duration) (int, error) {
	n, err := l.count(ctx, l.startsKey(), -span)
	if err != nil {
		return 0, fmt.Errorf("quota: count starts: %w", err)
	}
	return n, nil
}
