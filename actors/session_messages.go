package actors

import (
	"time"

	"dj/mix"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages of the session actors. Every one a request causes carries its
// request ID, so the actor's log lines name the request. They are pure
// state changes: whatever needed an upstream call (a track's details, the
// suggestions, the model's reading of a steer) was resolved by the caller
// before the message was sent, so no message makes the actor wait on I/O
// beyond its own write to the store.

// sessionRequest is a message the registry routes to a user's actor.
// Reply: *sessionReply.
type sessionRequest interface {
	requestID() string
}

// toSession is the envelope the Mixes service sends to the registry: it
// names the user whose actor must handle req.
type toSession struct {
	userID string
	req    sessionRequest
}

// sessionReply is the one reply type of the session actors. sess is a
// copy the receiver may keep; the other fields are set by the messages
// that produce them.
type sessionReply struct {
	sess    *mix.Session
	err     error
	created bool              // createSession made a new session
	added   []mix.QueuedTrack // applyFill's additions
	advance mix.AdvanceResult // recordPlay's outcome
	before  mix.Vibe          // steerVibe's vibe before the change
	stats   mix.SessionStats  // endSession's figures
	uris    []string          // takeFallback's URIs
}

// sessionMutation is a request that changes the session. apply works on
// a copy; when it reports changed, the actor stores the copy (and only
// then adopts it and replies), so an acknowledged edit is persisted.
type sessionMutation interface {
	sessionRequest
	apply(s *mix.Session, now time.Time) (out sessionReply, changed bool, err error)
}

// getSession reads the session (sess nil when the user has no mix).
type getSession struct{ reqID string }

// createSession starts a mix with an already derived seed vibe and
// fallback pool. With a session present it replies with that one
// (created false) unless restart is set.
type createSession struct {
	reqID   string
	id      string
	prefs   *mix.Preferences
	vibe    mix.Vibe
	pool    []string
	restart bool
}

// endSession deletes the mix and replies with its figures.
type endSession struct{ reqID string }

// insertTrack puts a resolved track into the queue at position (nil:
// append).
type insertTrack struct {
	reqID    string
	track    mix.QueuedTrack
	position *int
}

// removeTrack drops the queue entry at position.
type removeTrack struct {
	reqID    string
	position int
}

// moveTrack moves the queue entry at from to to.
type moveTrack struct {
	reqID    string
	from, to int
}

// setVibe blends a partial vibe in (weight 1: the given fields replace
// the current ones) and takes the AI-picked tracks off the queue, which
// were chosen for the old vibe.
type setVibe struct {
	reqID string
	patch mix.VibePatch
}

// steerVibe applies a steering adjustment to the vibe as it is when the
// message arrives (not as it was when the caller read it, so a concurrent
// edit is not lost) and takes the AI-picked tracks off the queue.
type steerVibe struct {
	reqID string
	adj   mix.Adjustment
}

// applyFill adds suggestions to the queue if the session is still the
// one they were computed for and the queue still has room: the need is
// re-checked here, so concurrent fills never overfill.
type applyFill struct {
	reqID       string
	sessionID   string
	suggestions []mix.Suggestion
}

// takeFallback removes up to n URIs from the fallback pool and replies
// with those not yet queued or played.
type takeFallback struct {
	reqID     string
	sessionID string
	n         int
}

// recordPlay records a played track (once: a repeated report is a no-op).
type recordPlay struct {
	reqID  string
	played mix.PlayedTrack
}

// setPreferences replaces the fields of the preferences that are set.
type setPreferences struct {
	reqID string
	patch PreferencesPatch
}

// sessionIdle is what a session actor tells the registry when it has had
// no message for the idle timeout; the registry then stops it.
type sessionIdle struct {
	userID string
	pid    *actor.PID
}

func (m *getSession) requestID() string     { return m.reqID }
func (m *createSession) requestID() string  { return m.reqID }
func (m *endSession) requestID() string     { return m.reqID }
func (m *insertTrack) requestID() string    { return m.reqID }
func (m *removeTrack) requestID() string    { return m.reqID }
func (m *moveTrack) requestID() string      { return m.reqID }
func (m *setVibe) requestID() string        { return m.reqID }
func (m *steerVibe) requestID() string      { return m.reqID }
func (m *applyFill) requestID() string      { return m.reqID }
func (m *takeFallback) requestID() string   { return m.reqID }
func (m *recordPlay) requestID() string     { return m.reqID }
func (m *setPreferences) requestID() string { return m.reqID }

// After shutdown a late message to a stopped actor is expected; the
// caller's future reports it, so protoactor need not log it.
func (*toSession) IgnoreDeadLetterLogging()    {}
func (*sessionReply) IgnoreDeadLetterLogging() {}
func (*sessionIdle) IgnoreDeadLetterLogging()  {}
