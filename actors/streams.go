package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// Errors of the SSE streams; Stream.Err and failed sends wrap them.
var (
	// ErrSlowConsumer: the client fell Buffer events behind. The stream
	// is being closed with a final slow_consumer error event.
	ErrSlowConsumer = errors.New("stream client too slow")
	// ErrStreamClosed: the stream has been closed; nothing more goes out.
	ErrStreamClosed = errors.New("stream closed")
	// ErrClientGone: the client disconnected (or a write to it failed).
	ErrClientGone = errors.New("stream client disconnected")
	// ErrInvalidEvent: the event cannot be framed (bad name, data that
	// is not JSON or is over the size limit). Nothing was sent.
	ErrInvalidEvent = errors.New("invalid stream event")
)

// StreamsConfig sets up the SSE stream writers. Zero fields take the
// defaults noted, which are the product's contract.
type StreamsConfig struct {
	// Heartbeat is the interval of ": heartbeat" comments (default 15 s;
	// DJ_SSE_HEARTBEAT). Proxies and the SPA's staleness check rely on it.
	Heartbeat time.Duration
	// Buffer is how many events may wait for a client (default 10). One
	// more makes the client a slow consumer, so a stalled reader never
	// costs more than Buffer×MaxEventBytes.
	Buffer int
	// MaxEventBytes caps one event's JSON data (default 256 KiB).
	MaxEventBytes int
	// StallTimeout is how long SendWait waits for room in a full buffer
	// before it declares the client slow (default 1 s).
	StallTimeout time.Duration
	// CloseGrace is how long a closing stream may take to get its queued
	// and final events to the client before the connection is cut
	// (default 2 s; at once when the client is already gone).
	CloseGrace time.Duration
	// Registerer receives dj_sse_* metrics (nil: not registered).
	Registerer prometheus.Registerer
}

func (c *StreamsConfig) defaults() {
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.Buffer <= 0 {
		c.Buffer = 10
	}
	if c.MaxEventBytes <= 0 {
		c.MaxEventBytes = 256 << 10
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = time.Second
	}
	if c.CloseGrace <= 0 {
		c.CloseGrace = 2 * time.Second
	}
}

// OpenOptions describe one stream.
type OpenOptions struct {
	// Kind names the route's stream ("chat", "steer", "player", …): the
	// metrics label and part of the writer actor's name. Same alphabet as
	// event names.
	Kind string
	// Framing is how events (the writer's own included) look on the wire.
	Framing Framing
	// Farewell is the last event CloseAll sends at shutdown (nil: an
	// error event with code "shutting_down").
	Farewell *Event
	// Cut makes a write that is stuck on the client fail, so a closing
	// stream ends within CloseGrace even when the client stopped reading
	// (the gateway sets a past write deadline on the connection). Nil
	// means the writer relies on its writes failing by themselves.
	Cut func()
}

// Streams is the registry of open SSE streams: it spawns one writer actor
// per stream and, at shutdown, closes them all with a final event before
// the HTTP server stops (fasthttp's own shutdown would wait on them).
type Streams struct {
	sys *System
	cfg StreamsConfig
	log *slog.Logger
	m   *streamMetrics

	mu     sync.Mutex
	open   map[*Stream]struct{}
	seq    uint64
	closed bool
}

// NewStreams builds the registry on sys.
func NewStreams(sys *System, cfg StreamsConfig) (*Streams, error) {
	cfg.defaults()
	m, err := newStreamMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	return &Streams{sys: sys, cfg: cfg, log: sys.log.With("component", "sse"), m: m, open: map[*Stream]struct{}{}}, nil
}

// Config is the effective configuration (defaults filled in).
func (r *Streams) Config() StreamsConfig { return r.cfg }

// Open starts the writer actor of a new stream. The caller must then run
// Stream.Run with the response's writer exactly once. ctx lends the
// stream its values (request ID) only: the stream outlives the handler
// and ends by Close, a slow or departed client, or CloseAll. After
// CloseAll, Open fails with ErrShuttingDown.
func (r *Streams) Open(ctx context.Context, o OpenOptions) (*Stream, error) {
	if err := checkEventName(o.Kind, true); err != nil {
		return nil, fmt.Errorf("actors: stream kind: %w", err)
	}
	farewell := Event{Name: "error", Data: errorData("shutting_down", "the server is restarting; reconnect shortly")}
	if o.Farewell != nil {
		farewell = *o.Farewell
	}
	fw, err := o.Framing.encode(farewell, r.cfg.MaxEventBytes)
	if err != nil {
		return nil, fmt.Errorf("actors: stream farewell: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, fmt.Errorf("actors: open %s stream: %w", o.Kind, ErrShuttingDown)
	}
	r.seq++
	s := newStream(ctx, r, o, fmt.Sprintf("%s-%d", o.Kind, r.seq), fw)
	props := r.sys.Props("stream", func() actor.Actor { return &streamWriter{s: s} })
	pid, err := r.sys.sys.Root.SpawnNamed(props, ActorName("stream", s.id))
	if err != nil {
		return nil, fmt.Errorf("actors: spawn stream writer %s: %w", s.id, err)
	}
	s.pid = pid
	r.open[s] = struct{}{}
	r.m.open(o.Kind).Inc()
	return s, nil
}

// forget drops a stream whose writer actor has stopped.
func (r *Streams) forget(s *Stream) {
	r.mu.Lock()
	delete(r.open, s)
	r.mu.Unlock()
	r.m.open(s.kind).Dec()
}

// Len is the number of streams whose writer actor is alive.
func (r *Streams) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.open)
}

// CloseAll is the shutdown step before the HTTP server stops: it refuses
// new streams, gives every open one its farewell event and closes it,
// then waits (bounded by ctx) until each writer has finished with its
// connection and its actors have stopped. A client that does not take
// the farewell within CloseGrace is cut off, so this ends within about
// CloseGrace.
func (r *Streams) CloseAll(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	list := make([]*Stream, 0, len(r.open))
	for s := range r.open {
		list = append(list, s)
	}
	r.mu.Unlock()
	t0 := time.Now()
	for _, s := range list {
		s.shut(ErrShuttingDown, s.farewell, r.cfg.CloseGrace)
	}
	left := 0
	for _, s := range list {
		select {
		case <-s.Finished():
		case <-ctx.Done():
		}
		select {
		case <-s.Done():
		case <-ctx.Done():
		}
		if !isClosed(s.Finished()) || !isClosed(s.Done()) {
			left++
		}
	}
	r.log.Info("shutdown: SSE streams closed", "streams", len(list), "unfinished", left, "took", time.Since(t0).String())
	if left > 0 {
		return fmt.Errorf("actors: %d of %d SSE streams did not finish: %w", left, len(list), ctx.Err())
	}
	return nil
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
