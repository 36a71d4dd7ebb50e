package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dj/mix"

	"github.com/asynkron/protoactor-go/actor"
)

// errSessionCrashed is the reply to a request whose handling panicked;
// the actor is then restarted from the store.
var errSessionCrashed = errors.New("mix session actor failed while handling the request")

// sessionActor owns one user's mix. Every edit is a message to it, so
// edits from several tabs, the player stream and background fills are
// applied one at a time, each to the result of the one before (the
// reference's read-modify-write races lost edits). Its state lives in
// MIX_SESSIONS under "mix:<userID>": it is read when the actor starts and
// written before any change is acknowledged, which is what makes
// passivation and restarts safe.
type sessionActor struct {
	m      *Mixes
	userID string
	sess   *mix.Session // nil: the user has no mix
	loaded bool

	// clustered: the actor is a cluster grain (see sessionGrain). It then
	// replies with protobuf messages, passivates itself, and re-reads the
	// stored session before every request (see load).
	clustered bool

	lastActive time.Time   // when the last request arrived
	idleTimer  *time.Timer // sends idleCheck; stopped when the actor stops
}

// Receive handles lifecycle messages and session requests.
func (a *sessionActor) Receive(c actor.Context) {
	switch msg := c.Message().(type) {
	case *actor.Started:
		a.lastActive = time.Now()
		a.armIdle(c, a.m.cfg.idleTimeout)
		if err := a.load(""); err != nil {
			a.m.log.Warn("mix session not loaded at start; retried on the next request",
				"actor", c.Self().Id, "user_id", a.userID, "err", err)
		}
	case *idleCheck:
		a.checkIdle(c)
	case *actor.Stopping, *actor.Restarting:
		if a.idleTimer != nil {
			a.idleTimer.Stop()
		}
	case *injectedPanic:
		panic(msg.reason)
	case sessionRequest:
		a.lastActive = time.Now()
		a.handle(c, msg)
	}
}

// idleCheck is the session actor's own timer message.
type idleCheck struct{}

// IgnoreDeadLetterLogging: a check may reach an actor that just stopped.
func (*idleCheck) IgnoreDeadLetterLogging() {}

// armIdle schedules an idle check after d. protoactor's ReceiveTimeout
// is not used: its timer goroutine writes the actor context's fields while
// the actor runs (a data race the race detector reports); this timer only
// sends a message.
func (a *sessionActor) armIdle(c actor.Context, d time.Duration) {
	root, self := a.m.sys.Actors().Root, c.Self()
	a.idleTimer = time.AfterFunc(d, func() { root.Send(self, &idleCheck{}) })
}

// checkIdle asks the registry to stop the actor once it has had no request
// for the idle timeout (the registry decides, see sessionRegistry), and
// checks again later in case it does not. A grain has no registry: it
// stops itself, after the requests already in its mailbox; a request
// that arrives later finds it gone and is sent to a fresh activation
// (see clusterNode.request).
func (a *sessionActor) checkIdle(c actor.Context) {
	idle := a.m.cfg.idleTimeout
	if quiet := time.Since(a.lastActive); quiet < idle {
		a.armIdle(c, idle-quiet)
		return
	}
	if a.clustered {
		c.Poison(c.Self())
		a.m.log.Debug("mix session grain passivated", "user_id", a.userID)
		return
	}
	c.Send(c.Parent(), &sessionIdle{userID: a.userID, pid: c.Self()})
	a.armIdle(c, idle)
}

// handle answers one request. A panic is answered with an error first, so
// the caller does not wait for its timeout, and then re-raised for the
// supervisor, which restarts the actor from the store.
func (a *sessionActor) handle(c actor.Context, req sessionRequest) {
	defer func() {
		if r := recover(); r != nil {
			a.m.log.Error("mix session actor panicked; restarting it from the store",
				"actor", c.Self().Id, "request_id", req.requestID(), "message", messageName(req), "panic", fmt.Sprint(r))
			a.reply(c, &sessionReply{err: errSessionCrashed})
			panic(r)
		}
	}()
	if err := a.load(req.requestID()); err != nil {
		a.reply(c, &sessionReply{err: err})
		return
	}
	a.reply(c, a.dispatch(req))
}

// reply answers the request being handled: with the reply itself, or as
// a grain with its protobuf form.
func (a *sessionActor) reply(c actor.Context, r *sessionReply) {
	if a.clustered {
		c.Respond(sessionReplyToProto(r))
		return
	}
	c.Respond(r)
}

// dispatch runs a request against the loaded state.
func (a *sessionActor) dispatch(req sessionRequest) *sessionReply {
	switch r := req.(type) {
	case *getSession:
		return &sessionReply{sess: a.sess.Clone()}
	case *createSession:
		return a.create(r)
	case *endSession:
		return a.end(r)
	case sessionMutation:
		return a.mutate(r)
	default:
		return &sessionReply{err: fmt.Errorf("mix session: unknown request %T", req)}
	}
}

// create starts a mix unless one exists and no restart was asked for.
func (a *sessionActor) create(r *createSession) *sessionReply {
	if a.sess != nil && !r.restart {
		return &sessionReply{sess: a.sess.Clone()}
	}
	s, err := mix.NewSession(r.id, a.userID, r.prefs, a.m.deps.Now())
	if err != nil {
		return &sessionReply{err: fmt.Errorf("new mix session: %w", err)}
	}
	if r.vibe.Validate() == nil {
		s.Vibe = r.vibe.Clone()
	}
	s.FallbackPool = append([]string{}, r.pool...)
	if err := a.save(r.reqID, s); err != nil {
		return &sessionReply{err: err}
	}
	a.sess = s
	a.m.log.Info("mix session started", "request_id", r.reqID, "user_id", a.userID,
		"session_id", s.ID, "restart", r.restart)
	return &sessionReply{sess: s.Clone(), created: true}
}

// end deletes the mix and reports its figures.
func (a *sessionActor) end(r *endSession) *sessionReply {
	if a.sess == nil {
		return &sessionReply{err: ErrNoMix}
	}
	stats := a.sess.Stats(a.m.deps.Now())
	ctx, cancel := a.storeCtx(r.reqID)
	defer cancel()
	if err := a.m.table.Delete(ctx, sessionKey(a.userID)); err != nil {
		return &sessionReply{err: fmt.Errorf("delete mix session: %w", err)}
	}
	a.m.log.Info("mix session ended", "request_id", r.reqID, "user_id", a.userID, "session_id", a.sess.ID,
		"tracks_played", stats.TracksPlayed, "duration_s", stats.SessionDuration)
	a.sess = nil
	return &sessionReply{stats: stats}
}

// mutate applies a change to a copy, stores the copy, and only then makes
// it the actor's state and replies.
func (a *sessionActor) mutate(m sessionMutation) *sessionReply {
	if a.sess == nil {
		return &sessionReply{err: ErrNoMix}
	}
	now := a.m.deps.Now()
	next := a.sess.Clone()
	out, changed, err := m.apply(next, now)
	if err != nil {
		return &sessionReply{err: err}
	}
	if changed {
		next.Touch(now)
		if err := a.save(m.requestID(), next); err != nil {
			return &sessionReply{err: err}
		}
		a.sess = next
	}
	out.sess = a.sess.Clone()
	return &out
}

// load reads the stored session once per incarnation. A store error is
// returned (the request fails) and the read is tried again next time.
//
// A grain reads it again before every request. While the cluster's
// membership changes, one user can briefly have two activations (a
// member that has not yet seen the change still routes to the old owner,
// which re-activates the grain there). Each write goes through to the
// shared store before it is acknowledged, so reading the store first
// makes every edit apply to the newest acknowledged state: a stale
// activation cannot overwrite an edit made elsewhere with its old copy.
// The read costs about 0.1 ms on Redis. What it does not close is two
// activations applying edits in the same instant (read, read, write,
// write): that window is one store round trip while membership settles,
// and only a conditional write in the store (a version check) would shut
// it.
func (a *sessionActor) load(reqID string) error {
	if a.loaded && !a.clustered {
		return nil
	}
	ctx, cancel := a.storeCtx(reqID)
	defer cancel()
	s, found, err := a.m.table.Get(ctx, sessionKey(a.userID))
	if err != nil {
		return fmt.Errorf("load mix session: %w", err)
	}
	a.loaded = true
	a.sess = nil
	if found && s.UserID == a.userID {
		a.sess = s
	}
	return nil
}

// save writes s through to the store.
func (a *sessionActor) save(reqID string, s *mix.Session) error {
	ctx, cancel := a.storeCtx(reqID)
	defer cancel()
	if err := a.m.table.Put(ctx, sessionKey(a.userID), s); err != nil {
		a.m.log.LogAttrs(ctx, slog.LevelError, "mix session not saved; edit refused",
			slog.String("request_id", reqID), slog.String("user_id", a.userID), slog.Any("err", err))
		return fmt.Errorf("save mix session: %w", err)
	}
	return nil
}

// storeCtx bounds one store operation.
func (a *sessionActor) storeCtx(reqID string) (context.Context, context.CancelFunc) {
	return context.WithTimeout(WithRequestID(context.Background(), reqID), a.m.cfg.storeTimeout)
}

// sessionKey is the MIX_SESSIONS key of a user's mix.
func sessionKey(userID string) string { return "mix:" + userID }
