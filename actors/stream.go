package actors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Stream is the handle to one SSE stream's writer actor. The actor is the
// only writer to the response: routes, session actors and the stream's
// children hand it Events and never touch the connection. It keeps at
// most StreamsConfig.Buffer events waiting for the client; one more and
// the client is a slow consumer and is closed. All methods are safe for
// concurrent use.
type Stream struct {
	r        *Streams
	id       string
	kind     string
	reqID    string
	framing  Framing
	farewell []byte // frame CloseAll sends
	slowErr  []byte // frame a slow consumer gets last
	cut      func()
	cfg      StreamsConfig
	c        streamCounters
	root     *actor.RootContext
	pid      *actor.PID
	opened   time.Time

	ctx    context.Context
	cancel context.CancelFunc

	// frames carries frames from the writer actor to Run. Its capacity is
	// Buffer+1: at most Buffer counted frames (Send reserves a slot
	// first) plus one final frame, so the actor never blocks on it.
	frames  chan streamFrame
	pending atomic.Int32 // frames reserved by Send and not yet flushed by Run
	closing atomic.Bool

	mu    sync.Mutex
	cause error         // why the stream closed; set once, with closing
	room  chan struct{} // closed when Run frees buffer slots (SendWait)

	done     chan struct{} // writer actor and its children have stopped
	finished chan struct{} // Run has returned: the connection is free
	running  atomic.Bool
	cutTimer atomic.Pointer[time.Timer]
	written  atomic.Int64
	dropped  atomic.Int64

	framesClosed bool // owned by the writer actor
}

// streamFrame is one encoded frame on its way to the connection.
type streamFrame struct {
	b       []byte
	counted bool // holds a buffer slot that Run frees once flushed
}

func newStream(ctx context.Context, r *Streams, o OpenOptions, id string, farewell []byte) *Stream {
	s := &Stream{
		r: r, id: id, kind: o.Kind, reqID: RequestID(ctx), framing: o.Framing, farewell: farewell,
		cut: o.Cut, cfg: r.cfg, c: r.m.counters(o.Kind), root: r.sys.sys.Root, opened: time.Now(),
		frames:   make(chan streamFrame, r.cfg.Buffer+1),
		done:     make(chan struct{}),
		finished: make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	// The writer's own error event is built from fixed, valid parts.
	s.slowErr, _ = s.framing.encode(s.ErrorEvent("slow_consumer", "the connection fell too far behind; reconnect"), 0)
	return s
}

// ID names the stream ("chat-17"); its writer actor is stream/<ID>.
func (s *Stream) ID() string { return s.id }

// Kind is the stream's kind as given to Open.
func (s *Stream) Kind() string { return s.kind }

// Context is cancelled as soon as the stream closes for any reason
// (Close, slow or departed client, shutdown). Work done for the stream
// watches it; it carries the opening request's ID.
func (s *Stream) Context() context.Context { return s.ctx }

// Done is closed once the writer actor and every actor spawned with
// Spawn have stopped.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Finished is closed once Run has returned, i.e. the writer is done with
// the connection (final event flushed, or the connection cut).
func (s *Stream) Finished() <-chan struct{} { return s.finished }

// Err is nil while the stream is open, then why it closed: ErrStreamClosed
// (Close), ErrSlowConsumer, ErrClientGone or ErrShuttingDown.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cause
}

// ErrorEvent is an `error` event with a machine-readable code and a
// client-safe message, framed for this stream. Send it for a recoverable
// problem; close with it (Fail) for a fatal one.
func (s *Stream) ErrorEvent(code, message string) Event {
	return Event{Name: "error", Data: errorData(code, message)}
}

func errorData(code, message string) []byte {
	b, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message}) // strings always marshal
	return b
}

// Send queues ev without blocking. It fails with ErrInvalidEvent when ev
// cannot be framed, with ErrStreamClosed once the stream is closing, and
// with ErrSlowConsumer when Buffer events are already waiting: the stream
// then closes with a final slow_consumer error event. Events sent while
// another goroutine closes the stream may be dropped.
func (s *Stream) Send(ev Event) error {
	f, err := s.framing.encode(ev, s.cfg.MaxEventBytes)
	if err != nil {
		return fmt.Errorf("actors: stream %s: %w", s.id, err)
	}
	return s.post(f)
}

// SendWait is Send for a producer that may burst (a model streaming
// deltas faster than one flush): while the buffer is full it waits for
// the writer to make room, for at most StreamsConfig.StallTimeout (a
// client that stays that far behind is slow, as with Send) or until ctx
// ends. It blocks, so never call it from an actor's Receive.
func (s *Stream) SendWait(ctx context.Context, ev Event) error {
	f, err := s.framing.encode(ev, s.cfg.MaxEventBytes)
	if err != nil {
		return fmt.Errorf("actors: stream %s: %w", s.id, err)
	}
	var stall *time.Timer
	for {
		if s.closing.Load() {
			return s.post(f) // refused: ErrStreamClosed
		}
		if s.reserve() {
			break
		}
		room := s.roomSignal()
		if s.reserve() { // room freed before we were listening
			break
		}
		if stall == nil {
			stall = time.NewTimer(s.cfg.StallTimeout)
			defer stall.Stop()
		}
		select {
		case <-room: // room freed, or the stream is closing
		case <-stall.C:
			return s.post(f) // still full: Send's verdict, a slow consumer
		case <-ctx.Done():
			return fmt.Errorf("actors: stream %s: %w", s.id, ctx.Err())
		}
	}
	s.root.Send(s.pid, &streamOut{b: f}) // the slot is reserved
	return nil
}

// post reserves a buffer slot for frame f and hands it to the writer.
func (s *Stream) post(f []byte) error {
	if s.closing.Load() {
		s.drop(1)
		return s.closedErr()
	}
	if !s.reserve() {
		s.drop(1)
		s.shut(ErrSlowConsumer, s.slowErr, s.cfg.CloseGrace)
		return fmt.Errorf("actors: stream %s: %d events waiting: %w", s.id, s.cfg.Buffer, ErrSlowConsumer)
	}
	s.root.Send(s.pid, &streamOut{b: f})
	return nil
}

// reserve takes one of the Buffer slots, or reports that none is free.
func (s *Stream) reserve() bool {
	limit := int32(s.cfg.Buffer)
	for {
		n := s.pending.Load()
		if n >= limit {
			return false
		}
		if s.pending.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release frees n slots and wakes SendWait callers.
func (s *Stream) release(n int) {
	s.pending.Add(-int32(n))
	s.wake()
}

func (s *Stream) drop(n int) {
	s.dropped.Add(int64(n))
	s.c.dropped.Add(float64(n))
}

func (s *Stream) roomSignal() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.room == nil {
		s.room = make(chan struct{})
	}
	return s.room
}

func (s *Stream) wake() {
	s.mu.Lock()
	if s.room != nil {
		close(s.room)
		s.room = nil
	}
	s.mu.Unlock()
}

func (s *Stream) closedErr() error {
	cause := s.Err()
	if cause == nil || errors.Is(cause, ErrStreamClosed) {
		return fmt.Errorf("actors: stream %s: %w", s.id, ErrStreamClosed)
	}
	return fmt.Errorf("actors: stream %s: %w: %w", s.id, ErrStreamClosed, cause)
}

// Close sends final (if not nil) after every event already queued, then
// closes the stream: its context is cancelled and its actors stop at
// once; the writer gets the queued events and final to the client within
// CloseGrace or cuts the connection. Closing a closed stream does
// nothing (and reports ErrStreamClosed if final could not go out).
func (s *Stream) Close(final *Event) error {
	var f []byte
	var err error
	if final != nil {
		if f, err = s.framing.encode(*final, s.cfg.MaxEventBytes); err != nil {
			err = fmt.Errorf("actors: stream %s: final event: %w", s.id, err)
		}
	}
	if !s.shut(ErrStreamClosed, f, s.cfg.CloseGrace) && final != nil && err == nil {
		return s.closedErr()
	}
	return err
}

// Fail ends the stream on a fatal problem: a last error event with code
// and a client-safe message, then Close.
func (s *Stream) Fail(code, message string) error {
	ev := s.ErrorEvent(code, message)
	return s.Close(&ev)
}

// ClientGone tells the writer that the client disconnected (the gateway
// watches the connection; a failed write says the same): the stream
// closes at once, without a final event.
func (s *Stream) ClientGone(cause error) {
	err := ErrClientGone
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrClientGone, cause)
	}
	s.shut(err, nil, 0)
}

// shut starts closing the stream; the first caller's cause wins. The
// writer actor then queues final, lets Run drain, arms the cut after
// grace and stops with its children.
func (s *Stream) shut(cause error, final []byte, grace time.Duration) bool {
	if !s.markClosing(cause) {
		return false
	}
	s.root.Send(s.pid, &streamShut{final: final, grace: grace})
	return true
}

func (s *Stream) markClosing(cause error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.cause = cause
	s.closing.Store(true)
	if s.room != nil { // SendWait callers re-check and see the close
		close(s.room)
		s.room = nil
	}
	return true
}

// Spawn starts an actor that works only for this stream, as a child of
// the writer actor: it is stopped with the stream (after Context is
// cancelled). name is relative to the writer (stream/<ID>/<name>).
// It fails with ErrStreamClosed once the stream is closing.
func (s *Stream) Spawn(name string, props *actor.Props) (*actor.PID, error) {
	if s.closing.Load() {
		return nil, s.closedErr()
	}
	reply := make(chan streamSpawned, 1)
	s.root.Send(s.pid, &streamSpawn{name: name, props: props, reply: reply})
	select {
	case r := <-reply:
		return r.pid, r.err
	case <-s.done:
		return nil, s.closedErr()
	}
}

// armCut makes sure Run ends within grace: if it has not finished by
// then, the connection is cut so a stuck write fails.
func (s *Stream) armCut(grace time.Duration) {
	if s.cut == nil || isClosed(s.finished) {
		return
	}
	s.cutTimer.Store(time.AfterFunc(grace, func() {
		if !isClosed(s.finished) {
			s.cut()
		}
	}))
}
