package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages to a stream writer actor. They may race the actor's stop (a
// Send just as the client leaves), so none is worth a dead-letter log.
type (
	// streamOut is one counted frame from Send.
	streamOut struct{ b []byte }
	// streamShut closes the stream: final (may be nil) goes last, then
	// Run has grace to finish before the connection is cut.
	streamShut struct {
		final []byte
		grace time.Duration
	}
	// streamSpawn asks the writer to start a child actor.
	streamSpawn struct {
		name  string
		props *actor.Props
		reply chan<- streamSpawned
	}
	streamSpawned struct {
		pid *actor.PID
		err error
	}
)

func (*streamOut) IgnoreDeadLetterLogging()   {}
func (*streamShut) IgnoreDeadLetterLogging()  {}
func (*streamSpawn) IgnoreDeadLetterLogging() {}

// streamWriter is the writer actor: it orders what goes to the client,
// owns the stream's lifetime and parents the actors working for it. The
// bytes themselves are written by Run on fasthttp's body-stream
// goroutine, so a stalled client never blocks the actor's mailbox. Its
// state lives in the Stream, so a restart could not lose it.
type streamWriter struct{ s *Stream }

func (w *streamWriter) Receive(c actor.Context) {
	s := w.s
	switch m := c.Message().(type) {
	case *streamOut:
		w.forward(m.b)
	case *streamShut:
		w.shut(c, m.final, m.grace)
	case *streamSpawn:
		if s.framesClosed {
			m.reply <- streamSpawned{err: s.closedErr()}
			return
		}
		pid, err := c.SpawnNamed(m.props, m.name)
		if err != nil {
			err = fmt.Errorf("actors: stream %s: spawn %s: %w", s.id, m.name, err)
		}
		m.reply <- streamSpawned{pid: pid, err: err}
	case *actor.Stopping:
		// Work for the stream learns first; children stop after this.
		s.cancel()
		if !s.framesClosed { // stopped from outside the stream's API
			s.markClosing(ErrStreamClosed)
			w.shut(c, nil, s.cfg.CloseGrace)
		}
	case *actor.Stopped:
		w.stopped()
	}
}

// forward hands a counted frame to Run; Send reserved its slot, so the
// channel has room.
func (w *streamWriter) forward(b []byte) {
	s := w.s
	if s.framesClosed {
		s.release(1)
		s.drop(1)
		return
	}
	select {
	case s.frames <- streamFrame{b: b, counted: true}:
	default: // only if the slot accounting were wrong: fail safe, as slow
		s.release(1)
		s.drop(1)
		s.shut(ErrSlowConsumer, s.slowErr, s.cfg.CloseGrace)
	}
}

// shut queues the final frame behind everything already queued, closes
// the frame channel (Run drains it and returns), arms the cut, and stops
// the actor and with it the stream's children.
func (w *streamWriter) shut(c actor.Context, final []byte, grace time.Duration) {
	s := w.s
	if s.framesClosed {
		return
	}
	s.framesClosed = true
	if final != nil {
		select {
		case s.frames <- streamFrame{b: final}:
		default:
			s.r.log.Error("sse final event did not fit the buffer", "stream", s.id, "request_id", s.reqID)
		}
	}
	close(s.frames)
	s.armCut(grace)
	s.cancel()
	c.Stop(c.Self())
}

// stopped runs after the children have stopped: the stream is over for
// everyone but Run, which may still be delivering the last frames.
func (w *streamWriter) stopped() {
	s := w.s
	s.r.forget(s)
	cause := s.Err()
	reason := closeReason(cause)
	s.r.m.closed.WithLabelValues(s.kind, reason).Inc()
	s.r.log.Info("sse stream closed", "request_id", s.reqID, "stream", s.id, "reason", reason,
		"events", s.written.Load(), "dropped", s.dropped.Load(), "open_for", time.Since(s.opened).String())
	close(s.done)
}
