package actors

import (
	"time"

	djproto "dj/proto"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
)

// sessionGrain is a user's session actor in cluster mode: a virtual
// actor of kind "session" whose identity is the user id, activated by
// the cluster on the member that owns the id and reached from any
// member's Mixes. It is a sessionActor (the same handling, write-through
// and replies) that receives and answers protobuf messages, re-reads the
// store before every request (see sessionActor.load) and stops itself
// when idle.
//
// Supervision: grains are children of protoactor's placement actor,
// whose default strategy restarts a failed grain (up to 10 times in 10 s,
// then stops it). A restarted or re-activated grain starts from the
// store, like a local session actor.
type sessionGrain struct {
	sessionActor
}

func newSessionGrain(m *Mixes) actor.Actor {
	return &sessionGrain{sessionActor{m: m, clustered: true}}
}

// Receive handles the grain's lifecycle and its requests; the rest is the
// session actor's.
func (g *sessionGrain) Receive(c actor.Context) {
	switch msg := c.Message().(type) {
	case *actor.Started:
		g.lastActive = time.Now()
		g.armIdle(c, g.m.cfg.idleTimeout)
	case *cluster.ClusterInit:
		// Delivered right after Started, before any request.
		g.userID = msg.Identity.GetIdentity()
	case *djproto.SessionRequest:
		g.lastActive = time.Now()
		req, err := sessionRequestFromProto(msg)
		if err != nil {
			g.m.log.Error("mix session grain got a request it cannot read",
				"actor", c.Self().Id, "request_id", msg.GetRequestId(), "err", err)
			c.Respond(sessionReplyToProto(&sessionReply{err: err}))
			return
		}
		g.handle(c, req)
	default:
		g.sessionActor.Receive(c)
	}
}
