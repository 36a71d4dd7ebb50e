package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/stretchr/testify/require"
)

// The member watch on its own: protoactor's events published on a real
// event stream, as the member list and the remote endpoints publish them
// (the cluster itself is tested, without -race, in internal/clustertest).

var (
	memberA = &cluster.Member{Id: "a", Host: "127.0.0.1", Port: 7001, Kinds: []string{sessionKind}}
	memberB = &cluster.Member{Id: "b", Host: "127.0.0.1", Port: 7002, Kinds: []string{sessionKind}}
	memberC = &cluster.Member{Id: "c", Host: "127.0.0.1", Port: 7003, Kinds: []string{sessionKind}}
)

// topologyOf is the event the member list publishes when it changes from
// before to now.
func topologyOf(before, now []*cluster.Member) *cluster.ClusterTopology {
	in := map[string]bool{}
	for _, m := range now {
		in[m.Id] = true
	}
	t := &cluster.ClusterTopology{Members: now}
	for _, m := range before {
		if !in[m.Id] {
			t.Left = append(t.Left, m)
		}
	}
	return t
}

func TestMemberWatch(t *testing.T) {
	all := []*cluster.Member{memberA, memberB, memberC}
	withoutB := []*cluster.Member{memberA, memberC}
	cases := []struct {
		name string
		// events are published while a request is in flight to A and to B.
		events []any
		// what became of the two requests: nil (still waiting),
		// ErrMemberLost or ErrShuttingDown.
		toA, toB error
		// what enter says of B afterwards.
		enterB blockReason
		// whether B's cached grain address is still cached.
		bCached bool
	}{
		{
			name:    "B leaves the member list",
			events:  []any{topologyOf(all, withoutB)},
			toB:     ErrMemberLost,
			enterB:  memberGone,
			bCached: false,
		},
		{
			name:    "B missing from a list without a Left entry",
			events:  []any{&cluster.ClusterTopology{Members: withoutB}},
			toB:     ErrMemberLost,
			enterB:  memberGone,
			bCached: false,
		},
		{
			name:    "the connection to B breaks",
			events:  []any{&remote.EndpointTerminatedEvent{Address: memberB.Address()}},
			toB:     ErrMemberLost,
			enterB:  memberDown,
			bCached: true,
		},
		{
			name: "the connection to B breaks, then B is reached again",
			events: []any{
				&remote.EndpointTerminatedEvent{Address: memberB.Address()},
				&remote.EndpointConnectedEvent{Address: memberB.Address()},
			},
			toB:     ErrMemberLost,
			enterB:  notBlocked,
			bCached: true,
		},
		{
			name: "the connection to B breaks, then B leaves",
			events: []any{
				&remote.EndpointTerminatedEvent{Address: memberB.Address()},
				topologyOf(all, withoutB),
			},
			toB:     ErrMemberLost,
			enterB:  memberGone,
			bCached: false,
		},
		{
			name: "a restarted process takes B's address over",
			events: []any{
				&remote.EndpointTerminatedEvent{Address: memberB.Address()},
				&cluster.ClusterTopology{
					Members: []*cluster.Member{memberA, {Id: "b2", Host: memberB.Host, Port: memberB.Port, Kinds: memberB.Kinds}, memberC},
					Left:    []*cluster.Member{memberB},
				},
			},
			toB:     ErrMemberLost,
			enterB:  notBlocked,
			bCached: false,
		},
		{
			name:    "a connection to a non-member ends",
			events:  []any{&remote.EndpointTerminatedEvent{Address: "127.0.0.1:9999"}},
			enterB:  notBlocked,
			bCached: true,
		},
		{
			name:    "a member joins",
			events:  []any{&cluster.ClusterTopology{Members: append(all, &cluster.Member{Id: "d", Host: "127.0.0.1", Port: 7004})}},
			enterB:  notBlocked,
			bCached: true,
		},
		{
			name:    "B reconnects while it was never down",
			events:  []any{&remote.EndpointConnectedEvent{Address: memberB.Address()}},
			enterB:  notBlocked,
			bCached: true,
		},
		{
			name:    "the member leaves the cluster itself",
			events:  []any{"stop"},
			toA:     ErrShuttingDown,
			toB:     ErrShuttingDown,
			enterB:  watchClosed,
			bCached: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			es := eventstream.NewEventStream()
			pids := cluster.NewPidCache()
			w := newMemberWatch(es, pids, slog.New(slog.DiscardHandler))
			t.Cleanup(w.stop)
			es.Publish(&cluster.ClusterTopology{Members: all, Joined: all})
			pids.Set("alice", sessionKind, actor.NewPID(memberA.Address(), "alice"))
			pids.Set("bob", sessionKind, actor.NewPID(memberB.Address(), "bob"))

			fa, why, _ := w.enter(context.Background(), memberA.Address())
			require.Equal(t, notBlocked, why)
			fb, why, _ := w.enter(context.Background(), memberB.Address())
			require.Equal(t, notBlocked, why)
			changed := w.changes()

			for _, ev := range tc.events {
				if ev == "stop" {
					w.stop()
					continue
				}
				es.Publish(ev)
			}

			for _, c := range []struct {
				f    *flight
				want error
			}{{fa, tc.toA}, {fb, tc.toB}} {
				require.Equal(t, c.want, c.f.lost(), "request to %s", c.f.addr)
				require.Equal(t, c.want != nil, c.f.ctx.Err() != nil, "request to %s", c.f.addr)
			}
			_, why, _ = w.enter(context.Background(), memberB.Address())
			require.Equal(t, tc.enterB, why)
			_, ok := pids.Get("bob", sessionKind)
			require.Equal(t, tc.bCached, ok, "B's grain address cached")
			_, ok = pids.Get("alice", sessionKind)
			require.True(t, ok, "A's grain address is kept")
			select {
			case <-changed:
			default:
				if tc.toB != nil || tc.enterB != notBlocked {
					t.Fatal("waiters were not woken")
				}
			}
			w.exit(fa)
			w.exit(fb)
		})
	}
}

// TestMemberWatchEnterBeforeFirstTopology: until the first member list
// arrives nothing is known to be gone, so nothing is held back.
func TestMemberWatchEnterBeforeFirstTopology(t *testing.T) {
	w := newMemberWatch(eventstream.NewEventStream(), cluster.NewPidCache(), slog.New(slog.DiscardHandler))
	defer w.stop()
	f, why, _ := w.enter(context.Background(), "127.0.0.1:1")
	require.Equal(t, notBlocked, why)
	w.exit(f)
	require.Empty(t, w.owner(sessionKind, "alice"), "no owner without members")
}

// TestMemberWatchOwnerFollowsTopology: the owner of an identity is the
// rendezvous choice among the current members, as in the identity
// lookup, and moves when its member leaves.
func TestMemberWatchOwnerFollowsTopology(t *testing.T) {
	es := eventstream.NewEventStream()
	w := newMemberWatch(es, cluster.NewPidCache(), slog.New(slog.DiscardHandler))
	defer w.stop()
	all := []*cluster.Member{memberA, memberB, memberC}
	es.Publish(&cluster.ClusterTopology{Members: all})
	rdv := cluster.NewRendezvous()
	rdv.UpdateMembers(all)
	for i := range 20 {
		user := fmt.Sprintf("user-%d", i)
		owner := w.owner(sessionKind, user)
		require.Equal(t, rdv.GetByClusterIdentity(cluster.NewClusterIdentity(user, sessionKind)), owner)
		var rest []*cluster.Member
		for _, m := range all {
			if m.Address() != owner {
				rest = append(rest, m)
			}
		}
		es.Publish(topologyOf(all, rest))
		moved := w.owner(sessionKind, user)
		require.NotEqual(t, owner, moved, "%s stays on the member that left", user)
		require.NotEmpty(t, moved)
		es.Publish(&cluster.ClusterTopology{Members: all})
	}
}

// TestMemberWatchCallerCancel: a request whose own context ends is not
// reported as a lost member.
func TestMemberWatchCallerCancel(t *testing.T) {
	es := eventstream.NewEventStream()
	w := newMemberWatch(es, cluster.NewPidCache(), slog.New(slog.DiscardHandler))
	defer w.stop()
	es.Publish(&cluster.ClusterTopology{Members: []*cluster.Member{memberA}})
	ctx, cancel := context.WithCancel(context.Background())
	f, _, _ := w.enter(ctx, memberA.Address())
	cancel()
	require.Error(t, f.ctx.Err())
	require.NoError(t, f.lost())
	w.exit(f)
	es.Publish(&remote.EndpointTerminatedEvent{Address: memberA.Address()})
	require.NoError(t, f.lost(), "a finished request is not failed later")
}

// TestMemberWatchStopUnsubscribes: after stop the watch is off the event
// stream.
func TestMemberWatchStopUnsubscribes(t *testing.T) {
	es := eventstream.NewEventStream()
	before := es.Length()
	w := newMemberWatch(es, cluster.NewPidCache(), slog.New(slog.DiscardHandler))
	require.Equal(t, before+1, es.Length())
	w.stop()
	w.stop()
	require.Equal(t, before, es.Length())
}

// TestErrMemberLostIsATimeout: the gateway maps ErrWaitTimeout to "try
// again" (503); a lost member's unknown outcome must get the same answer.
func TestErrMemberLostIsATimeout(t *testing.T) {
	err := fmt.Errorf("mix session moveTrack: %w", fmt.Errorf("member gone: %w", ErrMemberLost))
	require.ErrorIs(t, err, ErrMemberLost)
	require.ErrorIs(t, err, ErrWaitTimeout)
	require.False(t, errors.Is(ErrWaitTimeout, ErrMemberLost), "a plain timeout is not a lost member")
	require.False(t, errors.Is(err, ErrShuttingDown))
}
