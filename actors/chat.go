package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/asynkron/protoactor-go/actor"

	"dj/upstream/anthropic"
)

// ErrChatUnavailable: the chat needs the model and none is configured.
var ErrChatUnavailable = errors.New("the AI DJ is not configured")

// chatModel is what the chat needs of the model: a streamed answer
// delivered as events while it arrives (anthropic.Client.Stream). Tests
// put scripted models behind it.
type chatModel interface {
	Stream(ctx context.Context, params sdk.MessageNewParams, onEvent func(anthropic.Event)) (*sdk.Message, error)
}

// ChatMode selects the system prompt (anchor-domain §3.6): "dj" is the
// live-DJ prompt with the player's state; the others are the standard
// prompt, which differs only in wording the reference never acted on.
type ChatMode string

// The modes the route accepts.
const (
	ChatAnalyze ChatMode = "analyze"
	ChatCreate  ChatMode = "create"
	ChatDJ      ChatMode = "dj"
	ChatEdit    ChatMode = "edit"
)

// ChatTurn is one earlier message of the conversation.
type ChatTurn struct {
	Role    string // "user" or "assistant"
	Content string
}

// ChatRequest is one chat message to answer.
type ChatRequest struct {
	UserID  string
	Message string
	History []ChatTurn
	Mode    ChatMode
}

// chatConfig holds the chat's tunables; ChatOption sets them.
type chatConfig struct {
	maxTurns       int           // tool turns before a forced answer (5)
	toolTimeout    time.Duration // bound on one tool call
	contextTimeout time.Duration // bound on reading the player for dj mode
	model          chatModel     // nil: Upstreams.Anthropic
}

// ChatOption changes a default of the chat service.
type ChatOption func(*chatConfig)

// WithChatToolTimeout bounds each tool call (default 15 s: a queue add
// may wait for its lane and the global rate before its own 10 s call).
func WithChatToolTimeout(d time.Duration) ChatOption {
	return func(c *chatConfig) { c.toolTimeout = d }
}

// withChatModel replaces the model (tests).
func withChatModel(m chatModel) ChatOption {
	return func(c *chatConfig) { c.model = m }
}

// Chat is the AI DJ of anchor-domain §3: a message in, the agentic loop
// of at most five tool turns on the model, the answer streamed out. Each
// chat runs as actors under its SSE stream (see chatActor), so a client
// that leaves stops the model call and every tool within a second. It
// makes upstream calls only through System.Do, and changes a user's mix
// only through the mix session actor. Safe for concurrent use.
type Chat struct {
	deps  Deps
	music *Music
	mixes *Mixes
	cfg   chatConfig
	tools map[string]*toolSpec
	defs  []sdk.ToolUnionParam
	log   *slog.Logger
}

// NewChat builds the chat service. mixes may be nil (then add_to_queue
// only feeds Spotify's queue).
func NewChat(d Deps, music *Music, mixes *Mixes, opts ...ChatOption) *Chat {
	d.defaults()
	cfg := chatConfig{maxTurns: 5, toolTimeout: 15 * time.Second, contextTimeout: 2 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.model == nil && d.Upstreams.Anthropic != nil {
		cfg.model = d.Upstreams.Anthropic
	}
	c := &Chat{deps: d, music: music, mixes: mixes, cfg: cfg, log: d.Log.With("component", "chat")}
	c.tools, c.defs = chatTools()
	return c
}

// Available reports whether a model is configured; without one the
// route answers 503 before opening a stream.
func (c *Chat) Available() bool { return c.cfg.model != nil }

// Start runs the chat for req on st: it spawns the chat actor as a child
// of the stream and returns. Everything after goes to the client as
// events; the stream ends with `done` (or the writer's own final event
// when the client is slow or the server stops).
func (c *Chat) Start(st *Stream, req ChatRequest) error {
	if !c.Available() {
		return ErrChatUnavailable
	}
	a := &chatActor{ch: c, st: st, req: req}
	props := c.deps.System.Props("chat", func() actor.Actor { return a })
	if _, err := st.Spawn("chat", props); err != nil {
		return fmt.Errorf("actors: start chat: %w", err)
	}
	return nil
}

// streamWorkContext prepares the context of one chat: the stream's (its
// request ID; cancelled when the stream closes), interactive priority
// and one upstream budget for the whole conversation.
func streamWorkContext(st *Stream) (context.Context, context.CancelFunc) {
	ctx := WithPriority(st.Context(), PriorityInteractive)
	if BudgetOf(ctx) == nil {
		ctx = WithBudget(ctx, NewBudget(DefaultBudgetLimit, DefaultBudgetReserve))
	}
	return context.WithCancel(ctx)
}
