package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// sessionRegistry ("sessions") is the parent and supervisor of the session
// actors: it spawns a user's actor ("sessions/session/<userID>") on the
// first message for that user, routes every request to it with the
// caller's reply address, and stops it when it reports itself idle.
//
// Passivation without losing a message: an idle actor only asks to be
// stopped; the registry then poisons it, so requests routed before the
// poison are still handled. Requests for the user that arrive while it
// stops are held and handed to a fresh actor once the old one has
// terminated (two actors of one user never exist at once).
type sessionRegistry struct {
	m    *Mixes
	live map[string]*sessionEntry
	// users maps a live actor's PID id to its user, so a termination is
	// found at once (a scan of live made stopping 100,000 idle actors
	// take minutes, the registry deaf meanwhile).
	users map[string]string
}

// sessionEntry is the registry's view of one user's actor.
type sessionEntry struct {
	pid      *actor.PID
	stopping bool
	held     []heldRequest // requests waiting for a fresh actor
}

// heldRequest is a routed request and who to answer.
type heldRequest struct {
	req    sessionRequest
	sender *actor.PID
}

// Receive routes requests and manages the children's lifecycle.
func (r *sessionRegistry) Receive(c actor.Context) {
	switch msg := c.Message().(type) {
	case *actor.Started:
		r.live = map[string]*sessionEntry{}
		r.users = map[string]string{}
	case *toSession:
		r.route(c, msg.userID, heldRequest{req: msg.req, sender: c.Sender()})
	case *sessionIdle:
		r.passivate(c, msg)
	case *actor.Terminated:
		r.terminated(c, msg.Who)
	case *sessionCount:
		c.Respond(len(r.live))
	}
}

// route hands a request to the user's actor, spawning it if needed.
func (r *sessionRegistry) route(c actor.Context, userID string, h heldRequest) {
	e := r.live[userID]
	if e != nil && e.stopping {
		e.held = append(e.held, h)
		return
	}
	if e == nil {
		pid, err := r.spawn(c, userID)
		if err != nil {
			r.m.log.Error("mix session actor not started", "user_id", userID, "request_id", h.req.requestID(), "err", err)
			if h.sender != nil {
				c.Send(h.sender, &sessionReply{err: fmt.Errorf("start mix session actor: %w", err)})
			}
			return
		}
		e = &sessionEntry{pid: pid}
		r.live[userID] = e
		r.users[pid.Id] = userID
	}
	c.RequestWithCustomSender(e.pid, h.req, h.sender)
}

// spawn starts a user's session actor under the registry's supervision.
func (r *sessionRegistry) spawn(c actor.Context, userID string) (*actor.PID, error) {
	m := r.m
	props := m.sys.Props("session", func() actor.Actor { return &sessionActor{m: m, userID: userID} })
	return c.SpawnNamed(props, ActorName("session", userID))
}

// passivate stops an actor that reported itself idle, unless it is no
// longer the user's current actor.
func (r *sessionRegistry) passivate(c actor.Context, msg *sessionIdle) {
	e := r.live[msg.userID]
	if e == nil || e.stopping || !e.pid.Equal(msg.pid) {
		return
	}
	e.stopping = true
	c.Poison(e.pid)
	r.m.log.Debug("mix session actor passivated", "user_id", msg.userID)
}

// terminated forgets a stopped actor, or replaces it when requests came in
// while it stopped.
func (r *sessionRegistry) terminated(c actor.Context, who *actor.PID) {
	userID, ok := r.users[who.Id]
	if e := r.live[userID]; ok && e != nil && e.pid.Equal(who) {
		delete(r.users, who.Id)
		held := e.held
		delete(r.live, userID)
		if !e.stopping {
			r.m.log.Warn("mix session actor stopped by supervision; the next request starts it again", "user_id", userID)
		}
		for _, h := range held {
			r.route(c, userID, h)
		}
	}
}

// sessionCount asks the registry how many session actors are alive (for
// tests and diagnostics). Reply: int.
type sessionCount struct{}

// sessionStrategy supervises the session actors: a failed actor is
// restarted (it reloads its mix from the store, so nothing acknowledged
// is lost), at most restarts times within window; after that it is
// stopped and the next request starts a fresh one.
type sessionStrategy struct {
	m        *Mixes
	restarts int
	window   time.Duration
}

// HandleFailure restarts or stops the failed child.
func (st *sessionStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, msg any) {
	log := st.m.log.With("actor", child.Id, "reason", fmt.Sprint(reason), "message", messageName(msg))
	rs.Fail()
	if n := rs.NumberOfFailures(st.window); n > st.restarts {
		rs.Reset()
		log.Error("mix session actor failed too often; stopping it", "failures", n, "within", st.window.String())
		sup.StopChildren(child)
		return
	}
	log.Warn("mix session actor failed; restarting it from the store")
	sup.RestartChildren(child)
}
