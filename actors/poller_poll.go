package actors

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"dj/upstream"
	"dj/upstream/spotify"
)

// pollDone is a poll's outcome, sent back by its goroutine.
type pollDone struct {
	seq    uint64
	state  *PlaybackState // nil on error
	err    error
	waited time.Duration // from asking the limiter to the call starting
	at     time.Time     // when the answer arrived
}

func (*pollDone) IgnoreDeadLetterLogging() {}

// maxSlow bounds the backoff exponent (Interval<<maxSlow is far beyond
// any MaxInterval in use; MaxInterval caps the result anyway).
const maxSlow = 8

// pollInterval is the cadence rule: the time between two ticks of one
// user's poller.
//
//	interval = max(min(Interval << slow, MaxInterval), pollers / PollShare)
//
// Interval (1 s) is the reference's cadence. slow counts up by one after
// a poll that waited longer than SlowWait for its Spotify permit and
// global grant (the lane or the global rate is queueing: Spotify is busy
// or the server is near its 40 requests/s) or that failed, and down by
// one after a poll that went straight through, so a saturated lane
// doubles the interval until it clears and it then comes back step by
// step. The fair share pollers/PollShare spaces all users' polls so they
// start at most PollShare per second together (default 20, half the
// global rate): 20 listeners poll every second, 100 every 5 s, and the
// other half of the rate is always left for interactive requests and
// enrichment. It wins over MaxInterval: the budget holds however many
// listen.
func pollInterval(cfg PlayerStreamConfig, pollers, slow int) time.Duration {
	d := min(cfg.Interval<<min(max(slow, 0), maxSlow), cfg.MaxInterval)
	fair := time.Duration(float64(max(pollers, 1)) / cfg.PollShare * float64(time.Second))
	return max(d, fair)
}

// interval is this poller's current cadence.
func (a *pollerActor) interval() time.Duration {
	return pollInterval(a.p.cfg, int(a.p.pollers.Load()), a.s.slow)
}

// jitter spreads d by ±10 %, so many pollers do not tick in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

// tick starts a poll unless one is still out (then the tick is skipped:
// polls never overlap, so answers are applied in the order they were
// asked for, unlike the reference's timer, defect #39) and schedules the
// next tick. Without streams, ticking stops.
func (a *pollerActor) tick(c actor.Context, m *pollTick) {
	s := a.s
	if m.gen != s.tickGen {
		return
	}
	s.tick = nil
	if len(s.subs) == 0 {
		return
	}
	if s.inFlight {
		a.p.m.skipped.Inc()
	} else {
		a.poll(c)
	}
	d := a.interval()
	a.p.m.interval.Observe(d.Seconds())
	a.armTick(c, d)
}

// poll asks Spotify for the user's playback in a goroutine, which reports
// back with pollDone.
func (a *pollerActor) poll(c actor.Context) {
	s, p := a.s, a.p
	if !p.track() {
		return // shutting down
	}
	s.seq++
	s.inFlight = true
	seq, ctx, userID := s.seq, s.ctx, s.userID
	root, self := p.sys.Actors().Root, c.Self()
	go func() {
		defer p.polls.Done()
		r := p.fetch(ctx, userID)
		r.seq = seq
		root.Send(self, r)
	}()
}

// track counts a goroutine of a poller for Close, unless Close has
// started.
func (p *Players) track() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return false
	}
	p.polls.Add(1)
	return true
}

// fetch is one poll: GET /me/player in the Spotify lane at background
// priority (a person waiting on a REST answer goes first; the wait that
// causes is what the cadence rule backs off on), bounded by PollTimeout.
func (p *Players) fetch(ctx context.Context, userID string) *pollDone {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.PollTimeout)
	defer cancel()
	ctx = WithPriority(WithRequestID(ctx, "poller/"+userID), PriorityBackground)
	r := &pollDone{}
	t0 := time.Now()
	c, err := p.deps.Login.SpotifyClient(ctx, userID)
	if err == nil {
		t0 = time.Now()
		var pb *spotify.Playback
		err = p.sys.Do(ctx, LaneSpotify, "player.poll", func(ctx context.Context) (err error) {
			r.waited = time.Since(t0)
			pb, err = c.Playback(ctx)
			return err
		})
		if err == nil {
			r.state = playbackOf(pb)
		}
	}
	if err != nil && r.waited == 0 {
		r.waited = time.Since(t0) // never got through: all of it was waiting
	}
	r.err, r.at = err, time.Now()
	return r
}

// polled applies a poll's answer: the track change is recorded, the
// deltas (or init, for streams still waiting for one) go to every
// stream, and the mix queue is checked when due.
func (a *pollerActor) polled(c actor.Context, r *pollDone) {
	s, p := a.s, a.p
	s.inFlight = false
	if r.err != nil {
		a.pollFailed(c, r)
		return
	}
	p.m.ok.Inc()
	s.errors = 0
	switch {
	case r.waited > p.cfg.SlowWait:
		s.slow = min(s.slow+1, maxSlow)
	case s.slow > 0:
		s.slow--
	}
	v := viewOf(r.state, r.at)
	prev := s.last
	if ended := endedTrack(prev, v); ended != nil {
		a.recordMove(c, trackMove{track: *ended, listened: s.clock.stop(v, ended.Duration), at: v.at, seq: r.seq})
	}
	s.clock.observe(v)
	evs := playerDeltas(prev, v, r.seq)
	s.last, s.lastSeq = v, r.seq
	a.broadcast(c, evs)
	if !v.idle() && len(s.subs) > 0 && time.Since(s.lastCheck) >= p.cfg.QueueCheckEvery {
		a.checkQueue(c)
	}
}

// pollFailed turns a failed poll into events. Spotify refusing the user's
// sign-in ends the user's streams with auth_expired; anything else is a
// recoverable error event (with retriesRemaining) until MaxErrors in a
// row, which ends them with a final error. Messages are dj's own; the
// upstream's text only goes to the log.
func (a *pollerActor) pollFailed(c actor.Context, r *pollDone) {
	s, p := a.s, a.p
	if s.ctx.Err() != nil {
		return // stopping
	}
	p.m.failed.Inc()
	if authExpired(r.err) {
		p.log.Info("player stream: Spotify sign-in no longer valid; closing the user's streams",
			"user_id", s.userID, "seq", r.seq, "streams", len(s.subs), "err", r.err)
		s.errors = 0
		a.closeAll(c, playerAuthExpired())
		return
	}
	s.errors++
	s.slow = min(s.slow+1, maxSlow)
	code, message := pollProblem(r.err)
	p.log.Warn("player poll failed", "user_id", s.userID, "seq", r.seq, "consecutive", s.errors, "code", code, "err", r.err)
	if s.errors >= p.cfg.MaxErrors {
		s.errors = 0
		a.closeAll(c, playerEvent(PlayerEventError, PlayerError{Code: code, Message: "Too many errors, closing stream"}))
		return
	}
	left := p.cfg.MaxErrors - s.errors
	ev := playerEvent(PlayerEventError, PlayerError{Code: code, Message: message, RetriesRemaining: &left})
	for id, sub := range s.subs {
		a.send(c, id, sub, ev)
	}
}

// authExpired: the user has to sign in to Spotify again (dj refreshes
// tokens itself, so a 401 or a refused refresh means the grant is gone).
func authExpired(err error) bool {
	return errors.Is(err, ErrNoSession) || errors.Is(err, upstream.ErrUnauthorized)
}

// pollProblem is the client-safe code and message for a failed poll.
func pollProblem(err error) (code, message string) {
	switch {
	case errors.Is(err, upstream.ErrRateLimited):
		return "rate_limited", "Spotify asked dj to slow down; retrying"
	case errors.Is(err, ErrBreakerOpen), errors.Is(err, upstream.ErrUnavailable),
		errors.Is(err, ErrCallTimeout), errors.Is(err, context.DeadlineExceeded):
		return "spotify_unavailable", "Spotify is not answering; retrying"
	case errors.Is(err, upstream.ErrBadResponse):
		return "spotify_bad_response", "Spotify sent an answer dj could not read; retrying"
	case errors.Is(err, upstream.ErrForbidden):
		return "spotify_forbidden", "Spotify refused to share the playback; retrying"
	case errors.Is(err, ErrQueueFull), errors.Is(err, ErrWaitTimeout), errors.Is(err, ErrBudgetExhausted):
		return "busy", "dj is busy; retrying"
	case errors.Is(err, ErrLimiterDown), errors.Is(err, ErrShuttingDown):
		return "unavailable", "dj cannot reach Spotify right now; retrying"
	default:
		return "spotify_error", "Could not read the playback from Spotify; retrying"
	}
}
