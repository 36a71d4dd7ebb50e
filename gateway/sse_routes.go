package gateway

import (
	"net/http"

	"dj/actors"
)

// Stream kinds (the dj_sse_* metrics label) of the routes in this file.
const streamChatEvents = "chat-events"

// streamRoutes registers the SSE routes that need only the stream
// registry. The chat, steer and player streams live with their features.
func (s *Server) streamRoutes() {
	if s.deps.Streams == nil {
		return
	}
	handle(s, operation{Method: "GET", Path: "/api/chat-stream/events", ID: "chatEvents", Tag: "chat", Auth: true, Stream: true,
		Errors:  []int{http.StatusServiceUnavailable},
		Summary: `Idle chat event stream: one {"type":"connected","data":{"requestId"}} frame, then a heartbeat comment every 15 s until the client leaves`}, s.chatEvents)
}

// connectedData is the payload of the chat events stream's first frame.
type connectedData struct {
	RequestID string `json:"requestId"`
}

// chatEvents is the reference's GET /api/chat-stream/events, minus its
// defects: the session token comes in the Authorization header (the
// reference took it in the query string, where it lands in logs and
// history, and never checked it), and the stream ends when the client
// leaves instead of heartbeating into a dead connection forever.
func (s *Server) chatEvents(c *Call, _ *struct{}) (*struct{}, error) {
	st, err := s.openStream(c, actors.OpenOptions{Kind: streamChatEvents, Framing: actors.FramingEnvelope})
	if err != nil {
		return nil, err
	}
	ev, err := actors.NewEvent("connected", connectedData{RequestID: c.RequestID})
	if err == nil {
		err = st.Send(ev)
	}
	if err != nil {
		s.log.WarnContext(c.Ctx, "chat events: connected frame not sent", "request_id", c.RequestID, "err", err)
	}
	return nil, nil
}
