//go:build cluster

package clustertest

import (
	"testing"
	"time"

	"dj/actors"

	"github.com/stretchr/testify/require"
)

// lostWithin bounds how long a request in flight to a lost member may
// take to fail: far below the 15 s ask timeout it used to wait out.
const lostWithin = 3 * time.Second

// TestLostMemberFailsRequestsInFlightAtOnce: an edit is on its way to
// alice's grain when the member hosting it is lost without leaving the
// cluster. The edit fails at once with ErrMemberLost (its outcome is
// unknown, so it is not sent again; the gateway answers it like a
// timeout), and the next request is served by a surviving member with
// every acknowledged edit.
//
// The members' remote endpoints sit behind proxies. The victim's proxy
// first freezes, so the edit is held on the way (the test sees its bytes
// arrive), then the victim is lost in one of the two ways a member dies:
//   - killed: the proxy resets every connection and refuses new ones, as
//     the kernel does for a process killed with SIGKILL, while the
//     provider still lists the member. The edit fails on the broken
//     connection; a request sent then is held back, unsent, until the
//     provider drops the member, and is then served by the new owner;
//   - hung: the provider drops the member while its connections stay
//     open and silent. The edit fails on the member-list change.
func TestLostMemberFailsRequestsInFlightAtOnce(t *testing.T) {
	cases := []struct {
		name string
		// lose makes the victim unreachable or drops it from the member
		// lists while the edit is held.
		lose func(t *testing.T, e *env, victim *node)
		// killed: the victim is still listed when the edit fails; the
		// test drops it afterwards.
		killed bool
	}{
		{
			name:   "killed",
			lose:   func(_ *testing.T, _ *env, v *node) { v.proxy.kill() },
			killed: true,
		},
		{
			name: "hung",
			lose: func(t *testing.T, e *env, v *node) { e.deregister(t, v) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := startCluster(t, options{nodes: 3, proxied: true})
			e.signIn(t, e.nodes[0], "alice")
			_, err := e.nodes[0].mixes.Start(reqCtx("start"), "alice", actors.StartRequest{Preferences: noFill()})
			require.NoError(t, err)
			for i, uri := range e.trackURIs(3) {
				_, err := e.nodes[i%3].mixes.AddToQueue(reqCtx("add"), "alice", uri, nil)
				require.NoError(t, err)
			}
			acked := uris(e.stored(t, "alice").Queue)
			victim := e.host(t, e.nodes, "alice")
			rest := others(e.nodes, victim)
			from := rest[0]
			_, err = from.mixes.Session(reqCtx("warm"), "alice") // from knows where the grain is
			require.NoError(t, err)
			t.Logf("alice's grain is on %s; the edit comes from %s", victim.name, from.name)

			type result struct {
				queue []string
				err   error
				at    time.Time
			}
			victim.proxy.freeze()
			const marker = "edit-in-flight-4b1d" // the edit's request id, visible in its bytes
			edit := make(chan result, 1)
			go func() {
				q, err := from.mixes.Reorder(reqCtx(marker), "alice", 0, 2)
				edit <- result{uris(q), err, time.Now()}
			}()
			eventually(t, 10*time.Second, func() string {
				if !victim.proxy.holds(marker) {
					return "the edit has not reached the victim's endpoint"
				}
				return ""
			})

			lostAt := time.Now()
			tc.lose(t, e, victim)
			r := wait(t, edit, 30*time.Second, "the edit")
			took := r.at.Sub(lostAt)
			t.Logf("the edit failed %s after its member was lost: %v", took.Round(time.Millisecond), r.err)
			require.ErrorIs(t, r.err, actors.ErrMemberLost)
			require.ErrorIs(t, r.err, actors.ErrWaitTimeout, "the gateway must answer it like a timeout")
			require.Less(t, took, lostWithin, "the edit waited for its lost member")

			if tc.killed {
				require.Equal(t, 3, from.sys.ClusterMembers(), "the edit should fail on the broken connection, before the member list changes")
				// A request sent now cannot reach the grain's member; it
				// is held back (nothing is sent) until the member list
				// drops the member, then goes to the new owner.
				heldBefore := e.logs.count("grain's member is unreachable")
				next := make(chan result, 1)
				go func() {
					s, err := from.mixes.Session(reqCtx("next"), "alice")
					var q []string
					if s != nil {
						q = uris(s.Queue)
					}
					next <- result{q, err, time.Now()}
				}()
				eventually(t, 10*time.Second, func() string {
					if e.logs.count("grain's member is unreachable") == heldBefore {
						return "the next request was not held back"
					}
					return ""
				})
				droppedAt := time.Now()
				e.deregister(t, victim)
				r := wait(t, next, 30*time.Second, "the next request")
				require.NoError(t, r.err)
				require.Equal(t, acked, r.queue, "the new owner lost an acknowledged edit")
				t.Logf("the held request was served %s after the member was dropped", r.at.Sub(droppedAt).Round(time.Millisecond))
			}

			e.waitMembers(t, rest, 2)
			got, err := from.mixes.Session(reqCtx("after"), "alice")
			require.NoError(t, err)
			require.Equal(t, acked, uris(got.Queue), "an acknowledged edit was lost")
			require.Equal(t, acked, uris(e.stored(t, "alice").Queue), "the edit held on the way to the lost member was applied")
			moved := e.host(t, rest, "alice")
			t.Logf("alice's grain moved to %s", moved.name)

			q, err := rest[1].mixes.RemoveFromQueue(reqCtx("edit"), "alice", 0)
			require.NoError(t, err)
			require.Equal(t, acked[1:], uris(q))
			require.Equal(t, acked[1:], uris(e.stored(t, "alice").Queue))
		})
	}
}

// wait receives from ch, failing the test after limit.
func wait[T any](t *testing.T, ch <-chan T, limit time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(limit):
		t.Fatalf("%s is still waiting after %s", what, limit)
	}
	var zero T
	return zero
}
