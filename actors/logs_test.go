package actors

import (
	"context"
	"testing"
	"time"

	"dj/upstream"

	"github.com/stretchr/testify/require"
)

// Request IDs travel from the caller into the actors' messages and every
// log line a request causes, the actors' own included.
func TestRequestIDReachesEveryLogLineItCauses(t *testing.T) {
	ts := newTestSystem(t, Config{})
	ctx := WithRequestID(context.Background(), "req-log")

	require.NoError(t, ts.Do(ctx, LaneDeezer, "track", noop))
	_ = ts.Do(ctx, LaneSpotify, "outer", func(ctx context.Context) error {
		return ts.Do(ctx, LaneSpotify, "inner", noop)
	})
	err := ts.Do(ctx, LaneSpotify, "me", func(context.Context) error {
		return &upstream.Error{API: "spotify", Op: "me", Kind: upstream.ErrRateLimited, Status: 429, RetryAfter: 10 * time.Millisecond}
	})
	require.ErrorIs(t, err, upstream.ErrRateLimited)
	ts.rec.waitFor(t, "lane/spotify", "resumed", 1)
	_ = ts.Do(WithBudget(ctx, NewBudget(0, 0)), LaneDeezer, "track", noop)
	tr := ts.NewTracker(ctx)
	tr.Go("work", noop)
	require.NoError(t, tr.Wait(context.Background()))
	tr.Finish()
	// The rate actor logs the pause it was told about; make sure it has
	// processed that message before reading the logs.
	ts.status(t)

	caused := map[string]bool{
		"upstream call":                           false,
		"nested upstream call refused":            false,
		"lane paused after 429":                   false,
		"holding grants for paused lane":          false,
		"upstream budget exhausted; call refused": false,
		"request work status":                     false,
	}
	for _, l := range ts.logs.lines(t) {
		msg, _ := l["msg"].(string)
		if _, ok := caused[msg]; ok {
			caused[msg] = true
			require.Equal(t, "req-log", l["request_id"], "log line %q", msg)
		}
	}
	for msg, seen := range caused {
		require.True(t, seen, "expected a %q line", msg)
	}
}

// protoactor's own logger writes through the service's slog handler.
func TestProtoactorLogsAreRoutedIntoSlog(t *testing.T) {
	ts := newTestSystem(t, Config{})
	l := findLog(t, ts, "actor system started")
	require.Equal(t, "protoactor", l["lib"])
	require.Equal(t, ts.sys.ID, l["actor_system"])
}
