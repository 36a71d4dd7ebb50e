package actors

import (
	"bufio"
	"time"
)

// Run writes the stream to w until the stream closes or a write fails;
// the gateway passes it to fasthttp's SetBodyStreamWriter, whose
// goroutine is then the only one touching w. It writes frames in the
// order the writer actor queued them, flushing once per batch (a flush
// frees their buffer slots), and a heartbeat comment every Heartbeat. A
// failed write means the client is gone. Call it exactly once.
func (s *Stream) Run(w *bufio.Writer) {
	if !s.running.CompareAndSwap(false, true) {
		s.r.log.Error("sse stream: Run called twice; the second call does nothing", "stream", s.id)
		return
	}
	defer s.ranOut()
	tick := time.NewTicker(s.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return
			}
			open, err := s.writeBatch(w, f)
			if err != nil {
				s.ClientGone(err)
				return
			}
			if !open {
				return
			}
		case <-tick.C:
			_, err := w.WriteString(heartbeatFrame)
			if err == nil {
				err = w.Flush()
			}
			if err != nil {
				s.ClientGone(err)
				return
			}
			s.c.heartbeat.Inc()
		}
	}
}

// writeBatch writes f and every frame already queued behind it, then
// flushes once. open is false when the queue was closed (the stream's
// last frame is written).
func (s *Stream) writeBatch(w *bufio.Writer, f streamFrame) (open bool, err error) {
	counted := 0
	open = true
	for {
		if _, err = w.Write(f.b); err != nil {
			break
		}
		if f.counted {
			counted++
		}
		next, more := s.queued()
		if next == nil {
			open = more
			break
		}
		f = *next
	}
	if err == nil {
		err = w.Flush()
	}
	if counted > 0 {
		if err == nil {
			s.written.Add(int64(counted))
			s.c.data.Add(float64(counted))
		}
		s.release(counted)
	}
	return open, err
}

// queued returns the next frame if one is waiting (nil otherwise) and
// whether the queue is still open.
func (s *Stream) queued() (*streamFrame, bool) {
	select {
	case f, ok := <-s.frames:
		if !ok {
			return nil, false
		}
		return &f, true
	default:
		return nil, true
	}
}

// ranOut marks the connection free and disarms a pending cut.
func (s *Stream) ranOut() {
	close(s.finished)
	if t := s.cutTimer.Load(); t != nil {
		t.Stop()
	}
}
