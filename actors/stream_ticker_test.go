package actors

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTickerSendsAtOnceThenEveryIntervalAndStopsWithTheStream(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{})
	st := openPipeStream(t, r, OpenOptions{Kind: "ticking", Framing: FramingNamed})
	st.client.start()
	var calls atomic.Int32
	start := time.Now()
	require.NoError(t, st.Tick(50*time.Millisecond, func(now time.Time) (Event, error) {
		n := calls.Add(1)
		return NewEvent("tick", map[string]any{"n": n})
	}))
	out := st.client.waitFor(t, "four ticks", func(out string, _ bool) bool {
		return strings.Count(out, "event: tick") >= 4
	})
	require.Contains(t, out, `data: {"n":1}`)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "ticks 2–4 come one interval apart")
	require.Equal(t, 1.0, ts.metric(t, "dj_actors_alive", "kind", "ticker"))

	st.ClientGone(nil)
	waitStreamClosed(t, st.Done(), 2*time.Second, "the ticker stops with its stream")
	require.Equal(t, 0.0, ts.metric(t, "dj_actors_alive", "kind", "ticker"))
	n := calls.Load()
	time.Sleep(150 * time.Millisecond)
	require.Equal(t, n, calls.Load(), "no tick after the stream closed")
}

func TestTickerFailureClosesTheStreamWithAnErrorEvent(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{})
	st := openPipeStream(t, r, OpenOptions{Kind: "ticking", Framing: FramingNamed})
	st.client.start()
	require.NoError(t, st.Tick(time.Second, func(time.Time) (Event, error) {
		return Event{}, errors.New("registry gone")
	}))
	out := st.client.untilEOF(t)
	require.Contains(t, out, "event: error")
	require.Contains(t, out, `"code":"unavailable"`)
	require.NotContains(t, out, "registry gone", "internal error text never reaches the client")
}

func TestTickRefusesANonPositiveInterval(t *testing.T) {
	ts := newTestSystem(t, Config{})
	r := newTestStreams(t, ts, StreamsConfig{})
	st := openPipeStream(t, r, OpenOptions{Kind: "ticking", Framing: FramingNamed})
	require.Error(t, st.Tick(0, func(time.Time) (Event, error) { return Event{}, nil }))
}
