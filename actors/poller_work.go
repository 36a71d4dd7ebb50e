package actors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"dj/mix"
)

// What a poller does to the user's mix: it records each track change
// (the previous track moves to history, with a listening signal) and
// watches the queue for queue_low. Writes run as tracked work (shutdown
// waits for them), one track change at a time and in order; reads run in
// the poller's own goroutines.

type (
	// trackMove is a track change waiting to be recorded.
	trackMove struct {
		track    PlayerTrack
		listened time.Duration
		at       time.Time
		seq      uint64
	}
	// trackMoved: the oldest waiting change has been recorded (or failed).
	trackMoved struct{}
	// queueChecked is the mix queue as a periodic check, or a recorded
	// track change, found it.
	queueChecked struct {
		periodic bool
		found    bool // the user has a mix
		depth    int
		autoFill bool
	}
)

func (*trackMoved) IgnoreDeadLetterLogging()   {}
func (*queueChecked) IgnoreDeadLetterLogging() {}

// recordMove queues a track change for the mix. Changes are recorded
// one at a time, so history keeps their order.
func (a *pollerActor) recordMove(c actor.Context, mv trackMove) {
	if a.p.mixes == nil || mv.track.ID == "" {
		return
	}
	a.s.moves = append(a.s.moves, mv)
	a.nextMove(c)
}

// nextMove starts recording the oldest waiting change unless one is
// being recorded.
func (a *pollerActor) nextMove(c actor.Context) {
	s, p := a.s, a.p
	if s.moving || len(s.moves) == 0 {
		return
	}
	mv := s.moves[0]
	s.moves = s.moves[1:]
	s.moving = true
	userID := s.userID
	root, self := p.sys.Actors().Root, c.Self()
	t := p.sys.NewTracker(WithRequestID(context.Background(), fmt.Sprintf("poller/%s/%d", userID, mv.seq)))
	t.Go("player.track-change", func(ctx context.Context) error {
		defer root.Send(self, &trackMoved{})
		q, err := p.recordMove(ctx, userID, mv)
		if q != nil {
			root.Send(self, q)
		}
		return err
	})
	t.Finish()
}

// moved continues with the next waiting change.
func (a *pollerActor) moved(c actor.Context) {
	a.s.moving = false
	a.nextMove(c)
}

// recordMove tells the mix that mv's track was played (Mixes.TrackPlayed:
// out of the queue, into history once) and how long it was heard, and
// returns the queue as it is afterwards. A user without a mix has
// nothing to record.
func (p *Players) recordMove(ctx context.Context, userID string, mv trackMove) (*queueChecked, error) {
	ctx = WithPriority(ctx, PriorityBackground)
	res, err := p.mixes.TrackPlayed(ctx, userID, mv.track.ID, mv.track.URI)
	if errors.Is(err, ErrNoMix) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("record play of %s: %w", mv.track.ID, err)
	}
	listened, duration := mv.listened.Milliseconds(), int64(mv.track.Duration)
	sig := mix.ListenerSignal{
		ListenDuration: listened, Timestamp: mv.at.UnixMilli(), TrackDuration: duration,
		TrackID: mv.track.ID, Type: mix.ClassifySignal(listened, duration),
	}
	sess := res.Session
	after, err := p.mixes.recordListen(ctx, userID, sig, mv.track.Artist)
	switch {
	case errors.Is(err, ErrNoMix):
		return nil, nil
	case err != nil:
		err = fmt.Errorf("record listening signal for %s: %w", mv.track.ID, err)
	default:
		sess = after
	}
	return queueStateOf(sess, false), err
}

// queueStateOf is what a queue check found in sess (nil: no mix).
func queueStateOf(sess *mix.Session, periodic bool) *queueChecked {
	if sess == nil {
		return &queueChecked{periodic: periodic}
	}
	return &queueChecked{periodic: periodic, found: true, depth: len(sess.Queue), autoFill: sess.Preferences.AutoFill}
}

// queueCheckTimeout bounds one queue check.
const queueCheckTimeout = 5 * time.Second

// checkQueue reads the mix queue in a goroutine (the session actor
// answers from memory: no upstream call, unlike the reference's /v1/me
// per check, defect #35).
func (a *pollerActor) checkQueue(c actor.Context) {
	s, p := a.s, a.p
	if p.mixes == nil || s.checking || !p.track() {
		return
	}
	s.checking = true
	s.lastCheck = time.Now()
	userID := s.userID
	root, self := p.sys.Actors().Root, c.Self()
	go func() {
		defer p.polls.Done()
		// Not cancelled when the poller stops: the ask is answered from
		// memory at once, and an ask given up on would leave its future
		// waiting out the ask timeout after the mix service is gone.
		ctx, cancel := context.WithTimeout(WithRequestID(context.Background(), "poller/"+userID), queueCheckTimeout)
		defer cancel()
		sess, err := p.mixes.Session(ctx, userID)
		if err != nil && !errors.Is(err, ErrNoMix) {
			p.log.Debug("player stream: queue check failed", "user_id", userID, "err", err)
		}
		root.Send(self, queueStateOf(sess, true))
	}()
}

// queueChecked sends queue_low when the queue is below QueueLowDepth with
// auto-fill on, and asks for a background refill (Mixes runs at most one
// fill per user at a time and pauses after one that found nothing, so a
// refill already running, e.g. the one TrackPlayed started, is not
// doubled).
func (a *pollerActor) queueChecked(c actor.Context, m *queueChecked) {
	s, p := a.s, a.p
	if m.periodic {
		s.checking = false
	}
	if !m.found || !m.autoFill || m.depth >= p.cfg.QueueLowDepth {
		return
	}
	if s.last != nil && !s.last.idle() {
		a.broadcast(c, []Event{playerEvent(PlayerEventQueueLow, PlayerQueueLow{Depth: m.depth, Seq: s.lastSeq})})
	}
	t := p.sys.NewTracker(WithRequestID(context.Background(), "poller/"+s.userID+"/refill"))
	p.mixes.fillLater(t, s.userID, m.depth == 0)
	t.Finish()
}

// recordListen appends a listening signal to the user's mix and updates
// the taste model (mix.Session.RecordSignal; three skips in a row clear
// the queue, which the next queue check then reports low and refills).
// The player stream is its only caller: only it knows when a track
// started and stopped.
func (m *Mixes) recordListen(ctx context.Context, userID string, sig mix.ListenerSignal, artist string) (*mix.Session, error) {
	r, err := m.ask(ctx, userID, &recordSignal{reqID: RequestID(ctx), sig: sig, artist: artist})
	if err != nil {
		return nil, err
	}
	return r.sess, nil
}

// recordSignal is the session mutation behind recordListen.
type recordSignal struct {
	reqID  string
	sig    mix.ListenerSignal
	artist string
}

func (m *recordSignal) requestID() string { return m.reqID }

func (m *recordSignal) apply(s *mix.Session, now time.Time) (sessionReply, bool, error) {
	if _, err := s.RecordSignal(m.sig, m.artist, now); err != nil {
		return sessionReply{}, false, err
	}
	return sessionReply{}, true, nil
}
