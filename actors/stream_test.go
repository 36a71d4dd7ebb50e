package actors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
)

func numEvent(i int) Event { return Event{Name: "n", Data: []byte(fmt.Sprint(i))} }

func TestStreamSlowConsumerAfterTenBufferedEvents(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: time.Hour, CloseGrace: 5 * time.Second})
	st := openPipeStream(t, r, OpenOptions{Kind: "test"})

	// The first event goes to Run, which blocks writing it: the client
	// reads nothing. It still holds a slot until it is flushed.
	require.NoError(t, st.Send(numEvent(1)))
	<-st.entered
	for i := 2; i <= 10; i++ {
		require.NoError(t, st.Send(numEvent(i)), "event %d fits the buffer of 10", i)
	}
	err := st.Send(numEvent(11))
	require.ErrorIs(t, err, ErrSlowConsumer)
	require.ErrorIs(t, st.Err(), ErrSlowConsumer)
	err = st.Send(numEvent(12))
	require.ErrorIs(t, err, ErrStreamClosed)
	require.ErrorIs(t, err, ErrSlowConsumer)
	waitStreamClosed(t, st.Context().Done(), time.Second, "stream context cancelled")
	waitStreamClosed(t, st.Done(), time.Second, "writer actor stopped")

	// A client that catches up within the grace gets the ten events and
	// then the final slow_consumer error; nothing else was kept.
	st.client.start()
	out := st.client.untilEOF(t)
	fs := sseFrames(out)
	require.Len(t, fs, 11, "output %q", out)
	for i := 1; i <= 10; i++ {
		require.Equal(t, fmt.Sprintf("event: n\ndata: %d", i), fs[i-1])
	}
	require.Equal(t, `event: error`+"\n"+`data: {"code":"slow_consumer","message":"the connection fell too far behind; reconnect"}`, fs[10])
	require.Equal(t, float64(10), ts.metric(t, "dj_sse_events_total", "stream", "test", "kind", "data"))
	require.Equal(t, float64(2), ts.metric(t, "dj_sse_events_total", "stream", "test", "kind", "dropped"))
	require.Equal(t, float64(1), ts.metric(t, "dj_sse_streams_closed_total", "stream", "test", "reason", "slow_consumer"))
	require.Equal(t, float64(0), ts.metric(t, "dj_sse_streams_open", "stream", "test"))
}

func TestStreamCutsAClientThatNeverReads(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: time.Hour, CloseGrace: 50 * time.Millisecond})
	st := openPipeStream(t, r, OpenOptions{Kind: "test"})
	require.NoError(t, st.Send(numEvent(1)))
	<-st.entered
	var err error
	for i := 2; err == nil; i++ {
		err = st.Send(numEvent(i))
	}
	require.ErrorIs(t, err, ErrSlowConsumer)
	// Run is stuck on the client; after the grace the connection is cut
	// and the writer lets go of it.
	waitStreamClosed(t, st.cuts, 2*time.Second, "connection cut")
	waitStreamClosed(t, st.Finished(), 2*time.Second, "writer finished")
	waitStreamClosed(t, st.Done(), time.Second, "writer actor stopped")
}

func TestStreamCloseSendsFinalAfterQueuedAndStopsChildren(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: time.Hour})
	st := openPipeStream(t, r, OpenOptions{Kind: "test", Framing: FramingEnvelope})
	st.client.start()
	stopped := make(chan string, 4)
	for _, name := range []string{"a", "b"} {
		pid, err := st.Spawn(name, ts.Props("test-child", func() actor.Actor { return &streamChild{stopped: stopped} }))
		require.NoError(t, err)
		require.Equal(t, "stream/"+st.ID()+"/"+name, pid.Id)
	}
	require.Equal(t, 3, liveActorsPrefixed(ts.Actors(), "stream/"+st.ID()))
	for i := range 3 {
		require.NoError(t, st.Send(Event{Name: "content", Data: []byte(fmt.Sprintf(`"part %d"`, i))}))
	}
	require.NoError(t, st.Close(&Event{Name: "done"}))
	out := st.client.untilEOF(t)
	require.Equal(t, `data: {"type":"content","data":"part 0"}`+"\n\n"+
		`data: {"type":"content","data":"part 1"}`+"\n\n"+
		`data: {"type":"content","data":"part 2"}`+"\n\n"+
		`data: {"type":"done","data":null}`+"\n\n", out)
	waitStreamClosed(t, st.Done(), time.Second, "writer and children stopped")
	require.Len(t, stopped, 2)
	require.Zero(t, liveActorsPrefixed(ts.Actors(), "stream/"))
	require.ErrorIs(t, st.Err(), ErrStreamClosed)
	require.ErrorIs(t, st.Send(numEvent(1)), ErrStreamClosed)
	_, err := st.Spawn("late", ts.Props("test-child", func() actor.Actor { return &streamChild{stopped: stopped} }))
	require.ErrorIs(t, err, ErrStreamClosed)
	require.Equal(t, float64(1), ts.metric(t, "dj_sse_streams_closed_total", "stream", "test", "reason", "done"))
}

func TestStreamClientGoneCancelsContextAndStopsChildrenAtOnce(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: time.Hour})
	st := openPipeStream(t, r, OpenOptions{Kind: "test"})
	st.client.start()
	stopped := make(chan string, 1)
	_, err := st.Spawn("work", ts.Props("test-child", func() actor.Actor { return &streamChild{stopped: stopped} }))
	require.NoError(t, err)
	require.Equal(t, 1, r.Len())

	t0 := time.Now()
	st.ClientGone(errors.New("EOF"))
	waitStreamClosed(t, st.Context().Done(), time.Second, "context cancelled")
	waitStreamClosed(t, st.Done(), time.Second, "writer and child stopped")
	waitStreamClosed(t, st.Finished(), time.Second, "writer let go of the connection")
	require.Less(t, time.Since(t0), time.Second)
	require.Len(t, stopped, 1)
	require.Zero(t, liveActorsPrefixed(ts.Actors(), "stream/"))
	require.Zero(t, r.Len())
	require.ErrorIs(t, st.Err(), ErrClientGone)
	require.Equal(t, float64(1), ts.metric(t, "dj_sse_streams_closed_total", "stream", "test", "reason", "client_gone"))
}

func TestStreamHeartbeats(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: 10 * time.Millisecond})
	st := openPipeStream(t, r, OpenOptions{Kind: "test"})
	st.client.start()
	require.NoError(t, st.Send(numEvent(7)))
	out := st.client.waitFor(t, "three heartbeats", func(out string, _ bool) bool {
		return strings.Count(out, ": heartbeat\n\n") >= 3
	})
	require.Contains(t, out, "event: n\ndata: 7\n\n")
	// Counted once the flush returned, which may be just after the client saw it.
	require.Eventually(t, func() bool {
		return ts.metric(t, "dj_sse_events_total", "stream", "test", "kind", "heartbeat") >= 3
	}, 5*time.Second, 5*time.Millisecond)
}

func TestSendWaitRidesOutBursts(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: time.Hour})
	st := openPipeStream(t, r, OpenOptions{Kind: "test"})
	st.client.start()
	const n = 500
	for i := range n {
		require.NoError(t, st.SendWait(t.Context(), numEvent(i)), "event %d", i)
	}
	out := st.client.waitFor(t, "every event", func(out string, _ bool) bool { return len(sseDataFrames(out)) == n })
	for i, f := range sseDataFrames(out) {
		require.Equal(t, fmt.Sprintf("event: n\ndata: %d", i), f)
	}
	require.NoError(t, st.Err())
}

func TestSendWaitGivesUpOnAStalledClient(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: time.Hour, StallTimeout: 30 * time.Millisecond})
	st := openPipeStream(t, r, OpenOptions{Kind: "test"})
	var err error
	for i := 0; err == nil && i < 100; i++ {
		err = st.SendWait(t.Context(), numEvent(i))
	}
	require.ErrorIs(t, err, ErrSlowConsumer)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	st2 := openPipeStream(t, r, OpenOptions{Kind: "test"})
	require.NoError(t, st2.Send(numEvent(0)))
	<-st2.entered
	for i := 1; i < 10; i++ {
		require.NoError(t, st2.Send(numEvent(i)))
	}
	require.ErrorIs(t, st2.SendWait(ctx, numEvent(10)), context.Canceled, "a cancelled caller is not a slow client")
	require.NoError(t, st2.Err())
}

func TestCloseAllSendsFarewellAndRefusesNewStreams(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{Heartbeat: time.Hour, CloseGrace: 100 * time.Millisecond})
	bye := Event{Name: "reconnect", Data: []byte(`{"message":"server restarting"}`)}
	named := openPipeStream(t, r, OpenOptions{Kind: "player", Farewell: &bye})
	env := openPipeStream(t, r, OpenOptions{Kind: "chat", Framing: FramingEnvelope})
	stalled := openPipeStream(t, r, OpenOptions{Kind: "chat", Framing: FramingEnvelope})
	named.client.start()
	env.client.start()
	require.NoError(t, named.Send(numEvent(1)))
	require.NoError(t, stalled.Send(Event{Name: "content", Data: []byte(`"x"`)}))
	<-stalled.entered
	require.Equal(t, float64(1), ts.metric(t, "dj_sse_streams_open", "stream", "player"))
	require.Equal(t, float64(2), ts.metric(t, "dj_sse_streams_open", "stream", "chat"))

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	t0 := time.Now()
	require.NoError(t, r.CloseAll(ctx))
	require.Less(t, time.Since(t0), 2*time.Second, "a stalled client is cut after the grace")
	require.Equal(t, "event: n\ndata: 1\n\nevent: reconnect\ndata: {\"message\":\"server restarting\"}\n\n", named.client.untilEOF(t))
	require.Equal(t, `data: {"type":"error","data":{"code":"shutting_down","message":"the server is restarting; reconnect shortly"}}`+"\n\n", env.client.untilEOF(t))
	waitStreamClosed(t, stalled.cuts, time.Second, "stalled client cut")
	require.Zero(t, r.Len())
	require.Zero(t, liveActorsPrefixed(ts.Actors(), "stream/"))
	require.ErrorIs(t, named.Err(), ErrShuttingDown)

	_, err := r.Open(t.Context(), OpenOptions{Kind: "chat"})
	require.ErrorIs(t, err, ErrShuttingDown)
	require.Equal(t, float64(0), ts.metric(t, "dj_sse_streams_open", "stream", "chat"))
	require.Equal(t, float64(1), ts.metric(t, "dj_sse_streams_closed_total", "stream", "player", "reason", "shutdown"))
	require.Equal(t, float64(2), ts.metric(t, "dj_sse_streams_closed_total", "stream", "chat", "reason", "shutdown"))
}

func TestOpenRejectsBadOptions(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{})
	_, err := r.Open(t.Context(), OpenOptions{Kind: "has space"})
	require.ErrorIs(t, err, ErrInvalidEvent)
	_, err = r.Open(t.Context(), OpenOptions{Kind: "chat", Framing: FramingEnvelope, Farewell: &Event{}})
	require.ErrorIs(t, err, ErrInvalidEvent)
	require.Zero(t, r.Len())
}
