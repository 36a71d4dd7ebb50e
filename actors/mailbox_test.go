package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
)

// gateActor blocks on its first *gateHold until the channel is closed,
// so the messages sent after it wait in the mailbox.
type gateActor struct{ entered chan struct{} }

type gateHold struct{ release chan struct{} }

type gatePanic struct{}

func (a *gateActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *gateHold:
		a.entered <- struct{}{}
		<-m.release
	case *gatePanic:
		panic("test panic")
	}
}

func TestMailboxDepthCountsWaitingMessagesByKind(t *testing.T) {
	ts := newTestSystem(t, Config{})
	root := ts.Actors().Root
	entered := make(chan struct{}, 1)
	props := ts.Props("probe", func() actor.Actor { return &gateActor{entered: entered} })
	pid, err := root.SpawnNamed(props, "probe/a")
	require.NoError(t, err)
	other, err := root.SpawnNamed(props, "probe/b")
	require.NoError(t, err)

	release := make(chan struct{})
	root.Send(pid, &gateHold{release: release})
	<-entered
	for range 5 {
		root.Send(pid, &gateHold{release: release})
	}
	root.Send(other, "idle")
	// "other" may still hold its one message for a moment; once it has
	// taken it, exactly the five behind probe/a's held message wait.
	require.Eventually(t, func() bool { return ts.metric(t, "dj_actor_mailbox_depth", "kind", "probe") == 5 },
		2*time.Second, 5*time.Millisecond,
		"the message being handled is not waiting; the five behind it are")

	close(release)
	for range 5 {
		<-entered
	}
	require.Eventually(t, func() bool { return ts.metric(t, "dj_actor_mailbox_depth", "kind", "probe") == 0 },
		2*time.Second, 5*time.Millisecond)

	probes := ts.m.meters.kind("probe")
	require.Equal(t, 2, probes.liveCount())
	require.NoError(t, root.StopFuture(pid).Wait())
	require.NoError(t, root.StopFuture(other).Wait())
	require.Eventually(t, func() bool { return probes.liveCount() == 0 }, 2*time.Second, 5*time.Millisecond,
		"a stopped actor's mailbox leaves its kind")
}

func TestMailboxProbeSurvivesRestartsAndIgnoresFailedSpawns(t *testing.T) {
	ts := newTestSystem(t, Config{})
	root := ts.Actors().Root
	props := ts.Props("probe2", func() actor.Actor { return &gateActor{entered: make(chan struct{}, 1)} })
	pid, err := root.SpawnNamed(props, "probe2")
	require.NoError(t, err)
	_, err = root.SpawnNamed(props, "probe2")
	require.ErrorIs(t, err, actor.ErrNameExists)
	probes := ts.m.meters.kind("probe2")
	require.Equal(t, 1, probes.liveCount(), "a spawn refused for its name never joins the kind")

	root.Send(pid, &gatePanic{})
	require.Eventually(t, func() bool { return ts.metric(t, "dj_actor_restarts_total", "kind", "probe2") == 1 },
		2*time.Second, 5*time.Millisecond)
	require.Equal(t, 1, probes.liveCount(), "a restart keeps the actor's mailbox")
	require.Equal(t, 1.0, ts.metric(t, "dj_actors_alive", "kind", "probe2"))

	require.NoError(t, root.StopFuture(pid).Wait())
	require.Eventually(t, func() bool { return probes.liveCount() == 0 }, 2*time.Second, 5*time.Millisecond)
	require.Equal(t, 0.0, ts.metric(t, "dj_actors_alive", "kind", "probe2"))
}
