package actors

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/asynkron/protoactor-go/actor"

	"dj/upstream/anthropic"
)

// chatActor coordinates one chat (stream/<id>/chat): it keeps the
// conversation and applies the loop's stopping rules (§3.3), and never
// blocks. Each model turn and each batch of tool calls runs in a worker
// child (turn-N, tools-N, finish) that sends its own events with
// SendWait, in order, and reports back; only one worker runs at a time,
// so events cannot interleave and tool_start/tool_end always pair. The
// stream's context ends the whole tree when the client leaves.
type chatActor struct {
	ch  *Chat
	st  *Stream
	req ChatRequest

	ctx    context.Context
	cancel context.CancelFunc
	work   *Tracker
	env    *toolEnv
	opened time.Time

	system    string
	messages  []sdk.MessageParam
	pending   *sdk.Message // assistant turn whose tools are running
	turns     int          // tool turns run
	sigs      []string     // call signature of each tool turn
	answered  bool         // assistant text reached the client
	used      []string     // tools run, in order
	seq       int
	finishing bool
}

func (a *chatActor) Receive(c actor.Context) {
	defer a.recoverPanic(c)
	switch m := c.Message().(type) {
	case *actor.Started:
		a.start(c)
	case *chatTurnDone:
		a.onTurn(c, m)
	case *chatToolsDone:
		a.onTools(c, m)
	case *chatWorkerFailed:
		a.finish(c, &chatFailure{msg: chatFailedText, cause: fmt.Errorf("worker %s panicked", m.worker)})
	case *actor.Stopping:
		if a.cancel != nil {
			a.cancel()
		}
	case *actor.Stopped:
		a.stopped()
	}
}

func (a *chatActor) start(c actor.Context) {
	a.opened = time.Now()
	a.ctx, a.cancel = streamWorkContext(a.st)
	// Queueing to Spotify is tracked work that may finish after the
	// chat: a track the model chose to queue is queued even if the
	// client has left.
	a.work = a.ch.deps.System.NewTracker(context.WithoutCancel(a.ctx))
	text, playlistID := splitPlaylistContext(a.req.Message)
	a.env = &toolEnv{ch: a.ch, userID: a.req.UserID, playlistID: playlistID, mode: a.req.Mode, work: a.work}
	a.messages = historyMessages(a.req.History, text)
	lead := []Event{chatThinking(chatStarting), chatThinking(chatAnalyzing)}
	a.spawnTurn(c, turnFirst, lead)
}

// onTurn applies the stopping rules to a finished model turn.
func (a *chatActor) onTurn(c actor.Context, m *chatTurnDone) {
	if a.gone(m.err) {
		return
	}
	if m.system != "" {
		a.system = m.system
	}
	if m.text != "" {
		a.answered = true
	}
	switch {
	case m.err != nil:
		a.finish(c, modelFailure(m.err, a.used))
	case m.kind == turnFinal:
		a.finish(c, nil)
	case len(m.calls) == 0 && m.text == "":
		a.forceFinal(c, nil) // the model said nothing: ask for words
	case len(m.calls) == 0:
		a.finish(c, nil)
	case a.turns >= a.ch.cfg.maxTurns:
		a.forceFinal(c, nil) // five tool turns: answer from what they found
	default:
		a.turns++
		a.sigs = append(a.sigs, callSignature(m.calls))
		if repetitive(a.sigs) {
			if m.text != "" {
				a.finish(c, nil, chatThinking(chatRepetitive))
				return
			}
			a.forceFinal(c, []Event{chatThinking(chatRepetitive)})
			return
		}
		a.pending = m.msg
		a.spawnTools(c, m.calls)
	}
}

// onTools appends the assistant turn and the results, then asks again.
func (a *chatActor) onTools(c actor.Context, m *chatToolsDone) {
	a.used = append(a.used, m.ran...)
	if a.gone(nil) {
		return
	}
	a.messages = append(a.messages, assistantTurn(a.pending), sdk.NewUserMessage(m.results...))
	a.pending = nil
	a.spawnTurn(c, turnFollow, nil)
}

// gone reports whether the stream is closing (client left, too slow,
// shutdown): then there is nobody to answer and the stream's close is
// already stopping this actor.
func (a *chatActor) gone(err error) bool {
	return a.ctx.Err() != nil || errors.Is(err, errStreamGone)
}

// forceFinal asks for an answer from what the tools returned (§3.3 step
// 4); the turn that triggered it is dropped from the conversation.
func (a *chatActor) forceFinal(c actor.Context, lead []Event) {
	a.messages = append(a.messages, sdk.NewUserMessage(sdk.NewTextBlock(finalAsk)))
	a.spawnTurn(c, turnFinal, append(lead, chatThinking(chatPreparingFinal)))
}

func (a *chatActor) spawnTurn(c actor.Context, kind turnKind, lead []Event) {
	job := turnJob{ch: a.ch, st: a.st, kind: kind, lead: lead, params: a.params(kind)}
	if kind == turnFirst {
		job.prepare = func(ctx context.Context) string { return a.ch.systemPrompt(ctx, a.env) }
	}
	a.seq++
	a.spawn(c, fmt.Sprintf("turn-%d", a.seq), func() any { return job.run(a.ctx) })
}

func (a *chatActor) spawnTools(c actor.Context, calls []anthropic.ToolUse) {
	job := toolsJob{env: a.env, st: a.st, calls: calls, timeout: a.ch.cfg.toolTimeout,
		lead: []Event{chatThinking(chatUsingTools)}, tail: []Event{chatThinking(chatPreparing)}}
	a.seq++
	a.spawn(c, fmt.Sprintf("tools-%d", a.seq), func() any { return job.run(a.ctx) })
}

// finish ends the chat: a finish worker sends the failure (or, when the
// model said nothing at all, an apology) and then closes the stream with
// `done`, which stops this actor too.
func (a *chatActor) finish(c actor.Context, f *chatFailure, lead ...Event) {
	if a.finishing {
		return
	}
	a.finishing = true
	tail := lead
	switch {
	case f != nil:
		a.logFailure(f)
		tail = append(tail, chatError(f.msg))
	case !a.answered:
		tail = append(tail, chatContent(chatApology))
	}
	st := a.st
	a.spawn(c, "finish", func() any {
		for _, ev := range tail {
			if st.SendWait(a.ctx, ev) != nil {
				return nil
			}
		}
		done := chatDone()
		_ = st.Close(&done)
		return nil
	})
}

// spawn starts a worker child that runs job once and reports its result.
func (a *chatActor) spawn(c actor.Context, name string, job func() any) {
	w := &jobActor{name: name, job: job, log: a.ch.log, reqID: RequestID(a.ctx),
		panicked: func() any { return &chatWorkerFailed{worker: name} }}
	props := a.ch.deps.System.Props("chat-worker", func() actor.Actor { return w })
	if _, err := c.SpawnNamed(props, name); err != nil {
		a.ch.log.Error("chat worker did not start", "request_id", RequestID(a.ctx), "worker", name, "err", err)
		a.abort()
	}
}

// abort ends the chat without workers (a panic or a failed spawn): best
// effort error frame, then done.
func (a *chatActor) abort() {
	a.finishing = true
	_ = a.st.Send(chatError(chatFailedText))
	done := chatDone()
	_ = a.st.Close(&done)
}

func (a *chatActor) recoverPanic(c actor.Context) {
	if r := recover(); r != nil {
		a.ch.log.Error("chat actor panicked", "request_id", RequestID(a.st.Context()), "panic", fmt.Sprint(r),
			"message", messageName(c.Message()), "stack", string(debug.Stack()))
		if a.cancel != nil && !a.finishing {
			a.abort()
		}
	}
}

// stopped reports the chat and its tracked work (the request's end).
func (a *chatActor) stopped() {
	if a.work == nil {
		return
	}
	a.work.Finish()
	a.ch.log.Info("chat finished", "request_id", RequestID(a.ctx), "user_id", a.req.UserID, "mode", string(a.req.Mode),
		"tool_turns", a.turns, "tools", strings.Join(a.used, ","), "answered", a.answered,
		"took", time.Since(a.opened).String(), "stream_closed", fmt.Sprint(a.st.Err()))
}

func (a *chatActor) logFailure(f *chatFailure) {
	a.ch.log.Warn("chat failed", "request_id", RequestID(a.ctx), "user_id", a.req.UserID, "err", f.cause)
}

// params builds a turn's request (§3.2): the first turn may think, the
// others answer directly; every turn offers every tool.
func (a *chatActor) params(kind turnKind) sdk.MessageNewParams {
	p := sdk.MessageNewParams{
		MaxTokens: 5000,
		Tools:     a.ch.defs,
		Messages:  slices.Clone(a.messages),
	}
	if a.system != "" {
		p.System = systemBlocks(a.system)
	}
	if kind == turnFirst {
		p.MaxTokens = 10000
		p.Thinking = sdk.ThinkingConfigParamOfEnabled(5000)
	}
	return p
}
