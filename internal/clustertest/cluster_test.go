//go:build cluster

package clustertest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"dj/actors"
	"dj/mix"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEditsFromEveryMemberReachOneGrain: alice's mix is created on one
// member and edited from the two others at once. Her session is one grain
// on one member, so the edits are applied one after the other: none is
// lost, none applied twice, and the first member reads the result.
func TestEditsFromEveryMemberReachOneGrain(t *testing.T) {
	e := startCluster(t, options{nodes: 3})
	a, b, c := e.nodes[0], e.nodes[1], e.nodes[2]
	e.signIn(t, a, "alice")
	s, err := a.mixes.Start(reqCtx("start"), "alice", actors.StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	require.Empty(t, s.Queue)

	// 50 adds from b and c together into a queue with room for 10.
	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		full  int
		wg    sync.WaitGroup
		go1   = make(chan struct{})
	)
	editors := []*node{b, c}
	for i, uri := range e.trackURIs(50) {
		wg.Go(func() {
			<-go1
			pos := i % 3
			q, err := editors[i%2].mixes.AddToQueue(reqCtx("add"), "alice", uri, &pos)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, mix.ErrQueueFull):
				full++
			case err != nil:
				t.Errorf("add %s: %v", uri, err)
			default:
				acked[uri] = true
				assert.Contains(t, uris(q), uri)
			}
		})
	}
	close(go1)
	wg.Wait()
	require.Len(t, acked, mix.MaxQueueSize)
	require.Equal(t, 50-mix.MaxQueueSize, full)
	order := uris(e.stored(t, "alice").Queue)
	require.Len(t, order, mix.MaxQueueSize)
	for _, uri := range order {
		require.True(t, acked[uri], "%s is queued but its add was refused", uri)
	}

	// 50 rotations by one from b and c together: each answer is the order
	// rotated by a distinct count, so each count mod 10 is seen 5 times,
	// and 50 rotations bring the order back.
	residues := make([]int, mix.MaxQueueSize)
	go2 := make(chan struct{})
	for i := range 50 {
		wg.Go(func() {
			<-go2
			q, err := editors[i%2].mixes.Reorder(reqCtx("rotate"), "alice", 0, mix.MaxQueueSize-1)
			if err != nil {
				t.Errorf("reorder: %v", err)
				return
			}
			got := uris(q)
			k := indexOf(order, got[0])
			if !assert.Equal(t, rotate(order, max(k, 0)), got) {
				return
			}
			mu.Lock()
			residues[k]++
			mu.Unlock()
		})
	}
	close(go2)
	wg.Wait()
	for k, n := range residues {
		require.Equal(t, 5, n, "rotation by %d seen %d times: %v", k, n, residues)
	}
	back, err := a.mixes.Session(reqCtx("read"), "alice")
	require.NoError(t, err)
	require.Equal(t, order, uris(back.Queue))
	require.Equal(t, order, uris(e.stored(t, "alice").Queue))

	h := e.host(t, e.nodes, "alice")
	t.Logf("alice's grain is on %s (%s)", h.name, h.sys.ClusterAddress())

	// Errors served by another member keep the kinds the gateway maps.
	far := others(e.nodes, h)[0]
	_, err = far.mixes.RemoveFromQueue(reqCtx("bad"), "alice", 42)
	require.ErrorIs(t, err, mix.ErrInvalidPosition)
	var fe *mix.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "position", fe.Field)
	_, err = far.mixes.Session(reqCtx("nobody"), "nobody")
	require.ErrorIs(t, err, actors.ErrNoMix)
	require.ErrorIs(t, err, mix.ErrNotFound)

	stats, err := far.mixes.End(reqCtx("end"), "alice")
	require.NoError(t, err)
	require.GreaterOrEqual(t, stats.SessionDuration, int64(0))
	for _, n := range e.nodes {
		_, err := n.mixes.Session(reqCtx("gone"), "alice")
		require.ErrorIs(t, err, actors.ErrNoMix, "%s still sees the ended mix", n.name)
	}
}

// TestIdleGrainReactivatesFromStore: an idle grain stops; the next
// request, from any member, activates it again with the stored mix. A
// member whose cached address of the grain went stale finds it gone and
// sends the request to the fresh activation.
func TestIdleGrainReactivatesFromStore(t *testing.T) {
	e := startCluster(t, options{nodes: 2, idle: 100 * time.Millisecond})
	a, b := e.nodes[0], e.nodes[1]
	e.signIn(t, a, "alice")
	_, err := a.mixes.Start(reqCtx("start"), "alice", actors.StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	for _, uri := range e.trackURIs(3) {
		_, err := b.mixes.AddToQueue(reqCtx("add"), "alice", uri, nil)
		require.NoError(t, err)
	}
	before := uris(e.stored(t, "alice").Queue)
	e.waitPassivated(t)

	got, err := b.mixes.Session(reqCtx("again"), "alice")
	require.NoError(t, err)
	require.Equal(t, before, uris(got.Queue))
	e.host(t, e.nodes, "alice")

	// Edits from both members across repeated passivations: each sees
	// the one before it.
	retriesBefore := e.logs.count("grain activation gone")
	want := before
	for i := range 40 {
		q, err := e.nodes[i%2].mixes.Reorder(reqCtx("churn"), "alice", 0, 1)
		require.NoError(t, err, "edit %d", i)
		want = append([]string{want[1], want[0]}, want[2:]...)
		require.Equal(t, want, uris(q), "edit %d", i)
		if i%8 == 7 {
			e.waitPassivated(t)
		}
	}
	require.Equal(t, want, uris(e.stored(t, "alice").Queue))
	require.Positive(t, e.logs.count("grain activation gone")-retriesBefore,
		"no request met a stopped activation; the retry path was not exercised")
}

// waitPassivated waits until no member hosts a session grain.
func (e *env) waitPassivated(t *testing.T) {
	t.Helper()
	eventually(t, 5*time.Second, func() string {
		for _, n := range e.nodes {
			if live, _ := n.mixes.LiveSessions(context.Background()); live != 0 {
				return n.name + " still hosts a session grain"
			}
		}
		return ""
	})
}

// TestMemberLeavesAndSessionsMove runs the automanaged provider over
// loopback HTTP, as separate djd processes would. It starts quietly and
// binds loopback only; when the member hosting alice's grain leaves, the
// grain is activated on another member with every acknowledged edit.
func TestMemberLeavesAndSessionsMove(t *testing.T) {
	var e *env
	printed := captureStdout(t, func() { e = startCluster(t, options{nodes: 3, automanaged: true}) })
	require.Empty(t, printed, "starting the cluster printed to stdout")
	require.Zero(t, e.logs.count("http server started"), "echo's start line")
	if ip := nonLoopbackIP(); ip != nil {
		_, port, _ := net.SplitHostPort(e.nodes[0].health)
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip.String(), port), time.Second)
		if err == nil {
			conn.Close()
		}
		require.Error(t, err, "the health endpoint answers on %s, not only on loopback", ip)
	}

	e.signIn(t, e.nodes[0], "alice")
	_, err := e.nodes[0].mixes.Start(reqCtx("start"), "alice", actors.StartRequest{Preferences: noFill()})
	require.NoError(t, err)
	for i, uri := range e.trackURIs(4) {
		_, err := e.nodes[i%3].mixes.AddToQueue(reqCtx("add"), "alice", uri, nil)
		require.NoError(t, err)
	}
	q, err := e.nodes[1].mixes.Reorder(reqCtx("move"), "alice", 3, 0)
	require.NoError(t, err)
	want := uris(q)

	h := e.host(t, e.nodes, "alice")
	rest := others(e.nodes, h)
	t.Logf("stopping %s, which hosts alice's grain", h.name)
	t0 := time.Now()
	require.NoError(t, h.stop(t))
	t.Logf("%s left in %s", h.name, time.Since(t0).Round(time.Millisecond))
	e.waitMembers(t, rest, 2)

	got, err := rest[0].mixes.Session(reqCtx("after"), "alice")
	require.NoError(t, err)
	require.Equal(t, want, uris(got.Queue), "an acknowledged edit was lost when the member left")
	moved := e.host(t, rest, "alice")
	t.Logf("alice's grain moved to %s", moved.name)

	q, err = rest[1].mixes.RemoveFromQueue(reqCtx("edit"), "alice", 0)
	require.NoError(t, err)
	require.Equal(t, want[1:], uris(q))
	require.Equal(t, want[1:], uris(e.stored(t, "alice").Queue))
}

// captureStdout runs f with os.Stdout sent to a pipe and returns what was
// written there.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	orig := os.Stdout
	os.Stdout = w
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(&out, r)
	}()
	restore := sync.OnceFunc(func() {
		os.Stdout = orig
		_ = w.Close()
		<-done
		_ = r.Close()
	})
	defer restore() // also when f fails the test
	f()
	restore()
	return out.String()
}

// nonLoopbackIP is one of the machine's addresses that is not loopback,
// or nil.
func nonLoopbackIP() net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP
		}
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// rotate moves the first k entries to the end.
func rotate(list []string, k int) []string {
	return append(append([]string{}, list[k:]...), list[:k]...)
}
