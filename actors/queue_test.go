package actors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWaitQueueFIFOWithinPriority(t *testing.T) {
	q := newWaitQueue(5 * time.Second)
	t0 := time.Unix(1000, 0)
	for i := uint64(1); i <= 3; i++ {
		q.push(&waiter{ticket: i, prio: PriorityInteractive, at: t0.Add(time.Duration(i) * time.Millisecond)})
	}
	for i := uint64(1); i <= 3; i++ {
		require.Equal(t, i, q.next(nil).ticket)
	}
	require.Nil(t, q.next(nil))
	require.Zero(t, q.len())
}

func TestWaitQueueInteractiveFirstButNoStarvation(t *testing.T) {
	q := newWaitQueue(5 * time.Second)
	t0 := time.Unix(1000, 0)
	q.push(&waiter{ticket: 1, prio: PriorityBackground, at: t0})
	q.push(&waiter{ticket: 2, prio: PriorityInteractive, at: t0.Add(time.Second)})
	q.push(&waiter{ticket: 3, prio: PriorityInteractive, at: t0.Add(4 * time.Second)})
	// Arrived more than the starvation limit after the background waiter:
	// the background waiter goes before it.
	q.push(&waiter{ticket: 4, prio: PriorityInteractive, at: t0.Add(6 * time.Second)})
	q.push(&waiter{ticket: 5, prio: PriorityBackground, at: t0.Add(6 * time.Second)})
	var order []uint64
	for w := q.next(nil); w != nil; w = q.next(nil) {
		order = append(order, w.ticket)
	}
	require.Equal(t, []uint64{2, 3, 1, 4, 5}, order)
}

func TestWaitQueueRemoveAndEligible(t *testing.T) {
	q := newWaitQueue(time.Second)
	t0 := time.Unix(1000, 0)
	q.push(&waiter{ticket: 1, lane: LaneDeezer, at: t0})
	q.push(&waiter{ticket: 2, lane: LaneSpotify, at: t0.Add(time.Millisecond)})
	q.push(&waiter{ticket: 3, lane: LaneDeezer, at: t0.Add(2 * time.Millisecond)})
	_, ok := q.remove(3)
	require.True(t, ok)
	_, ok = q.remove(3)
	require.False(t, ok)
	notDeezer := func(w *waiter) bool { return w.lane != LaneDeezer }
	require.Equal(t, uint64(2), q.next(notDeezer).ticket)
	require.Nil(t, q.next(notDeezer))
	require.Equal(t, 1, q.len())
	require.Len(t, q.drain(), 1)
	require.Zero(t, q.len())
}
