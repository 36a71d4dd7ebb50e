package actors

import (
	"testing"
	"time"

	"dj/mix"
	djproto "dj/proto"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/stretchr/testify/require"
)

// The session grain's own behaviour, without a cluster: two activations
// of one user on one actor system stand in for the two a membership
// change can briefly leave (the cluster itself is tested, without -race,
// in internal/clustertest).

// spawnGrain starts a session grain for userID the way the cluster
// would: spawn, then ClusterInit before any request.
func spawnGrain(t *testing.T, env *mixEnv, userID string) *actor.PID {
	t.Helper()
	root := env.ts.System.Actors().Root
	pid := root.Spawn(env.ts.System.Props(sessionKind, func() actor.Actor { return newSessionGrain(env.m) }))
	t.Cleanup(func() { _ = root.PoisonFuture(pid).Wait() })
	root.Send(pid, &cluster.ClusterInit{Identity: cluster.NewClusterIdentity(userID, sessionKind)})
	return pid
}

// askGrainPID sends one request to a grain through its protobuf form and
// decodes the reply, as Mixes does in cluster mode.
func askGrainPID(t *testing.T, env *mixEnv, pid *actor.PID, req sessionRequest) *sessionReply {
	t.Helper()
	pb, err := sessionRequestToProto(req)
	require.NoError(t, err)
	v, err := env.ts.System.Actors().Root.RequestFuture(pid, pb, 5*time.Second).Result()
	require.NoError(t, err)
	rp, ok := v.(*djproto.SessionReply)
	require.True(t, ok, "a grain answers with protobuf, got %T", v)
	r, err := sessionReplyFromProto(rp)
	require.NoError(t, err)
	return r
}

// TestStaleGrainDoesNotOverwriteNewerEdit: each activation loaded the mix
// before the other one edited it. Every edit must still apply to the
// newest acknowledged state, because a grain re-reads the store first.
func TestStaleGrainDoesNotOverwriteNewerEdit(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	start := uris(startQuiet(t, env, 4).Queue)

	g1, g2 := spawnGrain(t, env, "alice"), spawnGrain(t, env, "alice")
	for _, g := range []*actor.PID{g1, g2} {
		r := askGrainPID(t, env, g, &getSession{reqID: "load"})
		require.NoError(t, r.err)
		require.Equal(t, start, uris(r.sess.Queue))
	}

	r := askGrainPID(t, env, g1, &removeTrack{reqID: "edit-1", position: 0})
	require.NoError(t, r.err)
	require.Equal(t, start[1:], uris(r.sess.Queue))

	r = askGrainPID(t, env, g2, &removeTrack{reqID: "edit-2", position: 0})
	require.NoError(t, r.err)
	require.Equal(t, start[2:], uris(r.sess.Queue), "the second activation edited its stale copy")

	r = askGrainPID(t, env, g1, &moveTrack{reqID: "edit-3", from: 0, to: 1})
	require.NoError(t, r.err)
	want := []string{start[3], start[2]}
	require.Equal(t, want, uris(r.sess.Queue))
	require.Equal(t, want, uris(env.stored(t, "alice").Queue))

	// A mix ended through one activation is gone for the other as well.
	r = askGrainPID(t, env, g2, &endSession{reqID: "end"})
	require.NoError(t, r.err)
	r = askGrainPID(t, env, g1, &removeTrack{reqID: "after-end", position: 0})
	require.ErrorIs(t, r.err, ErrNoMix)
}

// TestGrainAnswersErrorsWithTheirKinds: a grain's errors keep their kind
// and field through the protobuf reply, as the gateway needs them.
func TestGrainAnswersErrorsWithTheirKinds(t *testing.T) {
	env := newMixEnv(t, mixOpts{})
	env.signIn(t, "alice")
	startQuiet(t, env, 2)
	g := spawnGrain(t, env, "alice")

	r := askGrainPID(t, env, g, &removeTrack{reqID: "bad", position: 7})
	require.ErrorIs(t, r.err, mix.ErrInvalidPosition)
	var fe *mix.FieldError
	require.ErrorAs(t, r.err, &fe)
	require.Equal(t, "position", fe.Field)

	nobody := spawnGrain(t, env, "bob")
	r = askGrainPID(t, env, nobody, &getSession{reqID: "get"})
	require.NoError(t, r.err)
	require.Nil(t, r.sess)
	r = askGrainPID(t, env, nobody, &endSession{reqID: "end"})
	require.ErrorIs(t, r.err, ErrNoMix)
	require.ErrorIs(t, r.err, mix.ErrNotFound)
}

// TestIdleGrainStopsItself: a grain has no registry; once idle it stops,
// and its mix stays in the store.
func TestIdleGrainStopsItself(t *testing.T) {
	env := newMixEnv(t, mixOpts{idle: 50 * time.Millisecond})
	env.signIn(t, "alice")
	before := startQuiet(t, env, 2)
	g := spawnGrain(t, env, "alice")
	r := askGrainPID(t, env, g, &getSession{reqID: "get"})
	require.NoError(t, r.err)

	// Watch the process registry: a request would keep the grain busy.
	reg := env.ts.System.Actors().ProcessRegistry
	require.Eventually(t, func() bool {
		_, alive := reg.GetLocal(g.Id)
		return !alive
	}, 5*time.Second, 10*time.Millisecond, "the idle grain did not stop")
	require.Equal(t, uris(before.Queue), uris(env.stored(t, "alice").Queue))
	_, err := env.ts.System.Actors().Root.RequestFuture(g, &djproto.SessionRequest{Op: &djproto.SessionRequest_Get{Get: &djproto.GetSession{}}}, time.Second).Result()
	require.ErrorIs(t, err, actor.ErrDeadLetter, "a request to the stopped grain is a dead letter, which Mixes retries")
}
