package gateway

import (
	"net/http"
)

// playerStreamRoutes registers GET /api/player/stream when the stream
// registry and the player service are both there.
func (s *Server) playerStreamRoutes() {
	if s.deps.Streams == nil || s.deps.Players == nil {
		return
	}
	handle(s, operation{Method: "GET", Path: "/api/player/stream", ID: "playerStream", Tag: "player", Auth: true, Stream: true,
		Errors: []int{http.StatusServiceUnavailable},
		Summary: "Live playback as named SSE events (connected, init, track, state, device, modes, volume, context, idle, tick, " +
			"queue_low, error, auth_expired, reconnect; payloads in docs/api.md), polled from Spotify once per user " +
			"however many streams are open; each stream ends with reconnect after 5 minutes"}, s.playerStream)
}

// playerStream is the reference's GET /api/player/stream (anchor-api
// §7.5). The handler only opens the stream and hands it to the user's
// poller actor, which sends every event after `connected`: all of a
// user's tabs share one poller, one poll per tick and one report of each
// track change to the mix.
func (s *Server) playerStream(c *Call, _ *struct{}) (*struct{}, error) {
	players := s.deps.Players
	st, err := s.openStream(c, players.OpenOptions())
	if err != nil {
		return nil, err
	}
	if err := players.Attach(c.Ctx, c.Identity.UserID, st); err != nil {
		s.log.WarnContext(c.Ctx, "player stream not attached to its poller", "request_id", c.RequestID, "err", err)
		_ = st.Fail("unavailable", "live playback is not available right now; reconnect shortly")
	}
	return nil, nil
}
