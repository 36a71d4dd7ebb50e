package gateway

import (
	"net/http"

	"dj/actors"
)

// Stream kinds (the dj_sse_* metrics label) of the chat and steer routes.
const (
	streamChat  = "chat"
	streamSteer = "steer"
)

// ChatHistoryTurn is one earlier message of the conversation.
type ChatHistoryTurn struct {
	Role    string `json:"role" enum:"user,assistant"`
	Content string `json:"content" maxLength:"20000"`
}

// ChatMessageRequest is the body of POST /api/chat-stream/message (the
// reference route's own schema, anchor-api §7.2).
type ChatMessageRequest struct {
	Message             string            `json:"message" minLength:"1" maxLength:"2000" doc:"the listener's message; \"[Playlist ID: <id>] <text>\" names the playlist it is about"`
	ConversationHistory []ChatHistoryTurn `json:"conversationHistory,omitempty" maxItems:"20" doc:"earlier turns, oldest first"`
	Mode                string            `json:"mode,omitempty" enum:"analyze,create,dj,edit" doc:"dj: live-DJ prompt with the player's state; default analyze"`
}

// ChatMessageInput is POST /api/chat-stream/message's input.
type ChatMessageInput struct{ Body ChatMessageRequest }

// chatRoutes registers the chat stream. Auth and the body are checked
// before the stream opens, so a bad request is a 400/401 problem rather
// than the reference's 200 stream with an error inside (#22, #23).
func (s *Server) chatRoutes() {
	handle(s, operation{Method: "POST", Path: "/api/chat-stream/message", ID: "chatStream", Tag: "chat", Auth: true, Stream: true,
		Errors: []int{http.StatusServiceUnavailable},
		Summary: "Chat with the AI DJ: data-only SSE frames {\"type\",\"data\"}: thinking, content, tool_start/tool_end " +
			"(always paired), error, and done last (see docs/api.md)"}, s.chatStream)
}

func (s *Server) chatStream(c *Call, in *ChatMessageInput) (*struct{}, error) {
	if !s.deps.Chat.Available() {
		return nil, Problemf(http.StatusServiceUnavailable, "the AI DJ is not available right now")
	}
	b := in.Body
	req := actors.ChatRequest{UserID: c.Identity.UserID, Message: b.Message, Mode: actors.ChatMode(b.Mode)}
	if req.Mode == "" {
		req.Mode = actors.ChatAnalyze
	}
	for _, t := range b.ConversationHistory {
		req.History = append(req.History, actors.ChatTurn{Role: t.Role, Content: t.Content})
	}
	farewell := actors.Event{Name: "error", Data: []byte(`"The server is restarting. Please try again shortly."`)}
	st, err := s.openStream(c, actors.OpenOptions{Kind: streamChat, Framing: actors.FramingEnvelope, Farewell: &farewell})
	if err != nil {
		return nil, err
	}
	if err := s.deps.Chat.Start(st, req); err != nil {
		// The headers are out: say so in the stream and end it.
		s.log.ErrorContext(c.Ctx, "chat did not start", "request_id", c.RequestID, "err", err)
		_ = st.Send(actors.Event{Name: "error", Data: []byte(`"The AI DJ could not start. Please try again."`)})
		_ = st.Close(&actors.Event{Name: "done"})
	}
	return nil, nil
}
