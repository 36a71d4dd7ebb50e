package gateway

import (
	"errors"
	"net/http"
	"strings"

	"dj/actors"
)

// SteerStreamRequest is the body of POST /api/mix/vibe/steer-stream.
type SteerStreamRequest struct {
	Direction string `json:"direction" minLength:"1" maxLength:"500" doc:"free text (\"more energy but keep it 90s\"); the AI reads it, presets are the fallback"`
}

// SteerStreamInput is POST /api/mix/vibe/steer-stream's input.
type SteerStreamInput struct{ Body SteerStreamRequest }

// steerRoutes registers the streaming steer.
func (s *Server) steerRoutes() {
	handle(s, operation{Method: "POST", Path: "/api/mix/vibe/steer-stream", ID: "mixSteerStream", Tag: "mix", Auth: true, Stream: true,
		Errors: []int{http.StatusNotFound, http.StatusServiceUnavailable},
		Summary: "Steer the vibe in your own words, streamed as data-only SSE frames {\"type\",\"data\"}: ack, progress, " +
			"thinking, vibe_update (stored), queue_update per new track, suggestions, done; or error last (see docs/api.md)"}, s.steerStream)
}

// steerStream checks what can be checked before streaming (auth, body,
// an active mix: 401/400/404 problems), then streams the steer.
func (s *Server) steerStream(c *Call, in *SteerStreamInput) (*struct{}, error) {
	direction := strings.TrimSpace(in.Body.Direction)
	if direction == "" {
		return nil, InvalidField("body", "direction", "must not be blank")
	}
	if _, err := s.deps.Mixes.Session(mixCtx(c), c.Identity.UserID); err != nil {
		if errors.Is(err, actors.ErrNoMix) {
			return nil, mixProblem(err)
		}
		return nil, err
	}
	st, err := s.openStream(c, actors.OpenOptions{Kind: streamSteer, Framing: actors.FramingEnvelope})
	if err != nil {
		return nil, err
	}
	if err := s.deps.Steer.Start(st, c.Identity.UserID, direction); err != nil {
		s.log.ErrorContext(c.Ctx, "steer did not start", "request_id", c.RequestID, "err", err)
		_ = st.Fail("failed", "The DJ could not steer the mix. Please try again.")
	}
	return nil, nil
}
