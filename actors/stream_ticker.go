package actors

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// TickFunc builds the event a ticking stream sends at now. It runs on the
// ticker actor's goroutine, one call at a time, so it may keep state
// between calls (the previous sample, to turn counters into rates).
type TickFunc func(now time.Time) (Event, error)

// Tick starts an actor that works only for this stream (a child of its
// writer, kind "ticker", so it stops with the stream within the stream's
// own bound): it sends fn's event at once, then one every interval, on a
// schedule that does not drift with fn's running time. A tick that would
// fall behind (fn slower than every) is skipped rather than queued. When
// fn fails, the stream is closed with an "unavailable" error event; when a
// Send is refused (the client left or fell Buffer events behind) the
// stream is already closing and the ticker just waits to be stopped.
func (s *Stream) Tick(every time.Duration, fn TickFunc) error {
	if every <= 0 {
		return fmt.Errorf("actors: stream %s: tick interval %s: want > 0", s.id, every)
	}
	props := s.r.sys.Props("ticker", func() actor.Actor { return &tickerActor{s: s, every: every, fn: fn} })
	_, err := s.Spawn("ticker", props)
	return err
}

// streamTick is the ticker actor's own wake-up.
type streamTick struct{}

// tickerActor calls its TickFunc on a timer and sends the result to its
// stream. The timer only sends a message; all state stays on the actor.
type tickerActor struct {
	s     *Stream
	every time.Duration
	fn    TickFunc

	next    time.Time
	timer   *time.Timer
	stopped *atomic.Bool // shared with the timer callback
}

func (a *tickerActor) Receive(c actor.Context) {
	switch c.Message().(type) {
	case *actor.Started:
		a.stopped = &atomic.Bool{}
		a.tick(c, time.Now())
	case *streamTick:
		a.tick(c, time.Now())
	case *actor.Stopping, *actor.Restarting:
		a.stop()
	}
}

func (a *tickerActor) tick(c actor.Context, now time.Time) {
	if a.s.closing.Load() {
		return
	}
	ev, err := a.fn(now)
	if err != nil {
		a.s.r.log.Warn("ticking stream failed; closing it", "stream", a.s.id, "request_id", a.s.reqID, "err", err)
		_ = a.s.Fail("unavailable", "live data is not available right now; reconnect shortly")
		return
	}
	if err := a.s.Send(ev); err != nil {
		return
	}
	a.next = a.next.Add(a.every)
	if a.next.Before(now) { // first tick, or fn ran past a whole interval
		a.next = now.Add(a.every)
	}
	self, root, stopped := c.Self(), c.ActorSystem().Root, a.stopped
	a.timer = time.AfterFunc(time.Until(a.next), func() {
		if !stopped.Load() {
			root.Send(self, &streamTick{})
		}
	})
}

func (a *tickerActor) stop() {
	if a.stopped != nil {
		a.stopped.Store(true)
	}
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
}
