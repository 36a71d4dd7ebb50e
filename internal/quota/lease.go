package quota

import (
	"context"
	"fmt"
	"time"
)

// TryLease asks for one of lane's cap cluster-wide in-flight slots, held
// under id (unique across the cluster) for ttl. The holder renews it
// (Renew) while its call runs and releases it (Release) when the call
// ends; a holder that dies loses it when ttl passes. Asking again for an
// id that holds a live lease renews it and answers granted.
func (l *Limits) TryLease(ctx context.Context, lane, id string, cap int, ttl time.Duration) (bool, error) {
	if err := checkID("lane", lane); err != nil {
		return false, err
	}
	if err := checkID("lease id", id); err != nil {
		return false, err
	}
	if cap <= 0 || ttl <= 0 {
		return false, fmt.Errorf("quota: lease %s on %s: cap and ttl must be positive (got %d, %s)", id, lane, cap, ttl)
	}
	n, err := l.run(ctx, l.s.tryLease, l.laneKey(lane), id, cap, micros(ttl)).Int64()
	if err != nil {
		return false, fmt.Errorf("quota: lease %s on %s: %w", id, lane, err)
	}
	return n == 1, nil
}

// Renew extends every live lease among ids on lane by ttl from now. A
// lease that already expired is not brought back: renewed < len(ids)
// means the holder lost some (Redis was unreachable for longer than the
// TTL), and the lane may briefly have more than cap calls in flight.
func (l *Limits) Renew(ctx context.Context, lane string, ids []string, ttl time.Duration) (renewed int, err error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if err := checkID("lane", lane); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, fmt.Errorf("quota: renew %d leases on %s: ttl must be positive", len(ids), lane)
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, micros(ttl))
	for _, id := range ids {
		args = append(args, id)
	}
	n, err := l.run(ctx, l.s.renew, l.laneKey(lane), args...).Int64()
	if err != nil {
		return 0, fmt.Errorf("quota: renew %d leases on %s: %w", len(ids), lane, err)
	}
	return int(n), nil
}

// Release gives lane's lease id back at once.
func (l *Limits) Release(ctx context.Context, lane, id string) error {
	if err := checkID("lane", lane); err != nil {
		return err
	}
	if err := checkID("lease id", id); err != nil {
		return err
	}
	if err := l.run(ctx, l.s.remove, l.laneKey(lane), id).Err(); err != nil {
		return fmt.Errorf("quota: release %s on %s: %w", id, lane, err)
	}
	return nil
}

// Leases is how many live leases lane has now, for status pages and tests.
func (l *Limits) Leases(ctx context.Context, lane string) (int, error) {
	if err := checkID("lane", lane); err != nil {
		return 0, err
	}
	n, err := l.count(ctx, l.laneKey(lane), 0)
	if err != nil {
		return 0, fmt.Errorf("quota: count leases on %s: %w", lane, err)
	}
	return n, nil
}

// count counts the members of key scored above now+offset (Redis time).
func (l *Limits) count(ctx context.Context, key string, offset time.Duration) (int, error) {
	n, err := l.run(ctx, l.s.count, key, offset.Microseconds()).Int64()
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
