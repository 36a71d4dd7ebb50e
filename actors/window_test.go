package actors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStartWindowAdmitsLimitPerSpan(t *testing.T) {
	span := 1025 * time.Millisecond
	w := newStartWindow(3, span, time.Minute)
	t0 := time.Unix(1000, 0)
	for i := uint64(1); i <= 3; i++ {
		w.prune(t0)
		require.True(t, w.free())
		w.add(i, t0)
		w.stampAt(i, t0.Add(2*time.Millisecond)) // went out 2 ms after its grant
	}
	w.prune(t0)
	require.False(t, w.free())
	// The slot frees a span after the stamp, not after the grant.
	at, ok := w.nextChange()
	require.True(t, ok)
	require.Equal(t, t0.Add(2*time.Millisecond+span), at)
	w.prune(at.Add(-time.Nanosecond))
	require.False(t, w.free())
	w.prune(at)
	require.True(t, w.free())
	require.Zero(t, w.count())
}

func TestStartWindowUnstampedNeverExpiresUntilStale(t *testing.T) {
	w := newStartWindow(1, time.Second, 10*time.Second)
	t0 := time.Unix(1000, 0)
	w.add(1, t0)
	w.prune(t0.Add(5 * time.Second))
	require.False(t, w.free(), "a grant whose request has not been reported still counts")
	require.Equal(t, 1, w.prune(t0.Add(10*time.Second)), "force-stamped after the stale bound")
	w.prune(t0.Add(11 * time.Second))
	require.True(t, w.free())
}

func TestStartWindowLaterStampWinsAndUnusedFrees(t *testing.T) {
	w := newStartWindow(2, time.Second, time.Minute)
	t0 := time.Unix(1000, 0)
	w.add(1, t0)
	w.stampAt(1, t0.Add(300*time.Millisecond))
	w.stampAt(1, t0.Add(100*time.Millisecond)) // earlier report: ignored
	at, _ := w.nextChange()
	require.Equal(t, t0.Add(1300*time.Millisecond), at)
	w.add(2, t0)
	w.prune(t0)
	require.False(t, w.free())
	require.True(t, w.unused(2))
	require.False(t, w.unused(2))
	require.True(t, w.free())
	w.stampAt(99, t0) // unknown tickets are ignored
}
