package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/asynkron/protoactor-go/actor"

	"dj/upstream/anthropic"
)

// jobActor runs one blocking job for a stream (a chat's model turn or
// batch of tools, a steer), sends the job's result (if any) to its parent
// and stops. It blocks only its own mailbox; the job watches the
// stream's context, so the actor ends promptly when the stream closes. A
// panic is recovered and handed to panicked, never restarted: a restart
// would run the job, and its side effects such as a queue add, again.
type jobActor struct {
	name     string
	job      func() any
	panicked func() any // the result to report after a panic
	log      *slog.Logger
	reqID    string
}

func (w *jobActor) Receive(c actor.Context) {
	if _, ok := c.Message().(*actor.Started); !ok {
		return
	}
	if out := w.run(); out != nil {
		c.Send(c.Parent(), out)
	}
	c.Stop(c.Self())
}

func (w *jobActor) run() (out any) {
	defer func() {
		if r := recover(); r != nil {
			w.log.Error("stream job panicked", "request_id", w.reqID, "job", w.name,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			out = w.panicked()
		}
	}()
	return w.job()
}

// errStreamGone: the stream refused an event (the client left or was
// too slow); the chat is over.
var errStreamGone = errors.New("chat stream closed")

// sendEvents sends events in order, waiting for room as the model does.
func sendEvents(ctx context.Context, st *Stream, evs []Event) error {
	for _, ev := range evs {
		if err := st.SendWait(ctx, ev); err != nil {
			return fmt.Errorf("%w: %w", errStreamGone, err)
		}
	}
	return nil
}

// turnJob is one model turn: lead events, then the model's answer
// streamed through the Anthropic lane, each text delta sent as `content`
// the moment it arrives.
type turnJob struct {
	ch      *Chat
	st      *Stream
	kind    turnKind
	lead    []Event
	params  sdk.MessageNewParams
	prepare func(context.Context) string // first turn: builds the system prompt
}

func (j turnJob) run(ctx context.Context) *chatTurnDone {
	out := &chatTurnDone{kind: j.kind}
	if out.err = sendEvents(ctx, j.st, j.lead); out.err != nil {
		return out
	}
	if j.prepare != nil {
		out.system = j.prepare(ctx)
		j.params.System = systemBlocks(out.system)
	}
	// A refused event ends the call at once instead of streaming on.
	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var text strings.Builder
	var sendErr error
	onEvent := func(ev anthropic.Event) {
		switch ev.Kind {
		case anthropic.EventText:
			if sendErr != nil {
				return
			}
			text.WriteString(ev.Text)
			if err := j.st.SendWait(callCtx, chatContent(ev.Text)); err != nil {
				sendErr = fmt.Errorf("%w: %w", errStreamGone, err)
				cancel()
			}
		case anthropic.EventToolUse:
			out.calls = append(out.calls, ev.ToolUse)
		}
	}
	err := j.ch.deps.System.Do(callCtx, LaneAnthropic, "chat.turn", func(ctx context.Context) error {
		text.Reset()
		out.calls = out.calls[:0]
		var err error
		out.msg, err = j.ch.cfg.model.Stream(ctx, j.params, onEvent)
		return err
	})
	out.text = text.String()
	switch {
	case sendErr != nil:
		out.err = sendErr
	case err != nil:
		out.err = fmt.Errorf("chat turn: %w", err)
	case out.msg == nil:
		out.err = errors.New("chat turn: the model returned no message")
	}
	if j.kind == turnFinal {
		out.calls = nil // a forced answer's tool calls are ignored
	}
	return out
}

// toolsJob runs one turn's tool calls in order (§3.3 step 3.4), each
// announced by tool_start and always closed by tool_end, each bounded by
// timeout.
type toolsJob struct {
	env     *toolEnv
	st      *Stream
	calls   []anthropic.ToolUse
	timeout time.Duration
	lead    []Event
	tail    []Event
}

func (j toolsJob) run(ctx context.Context) *chatToolsDone {
	out := &chatToolsDone{}
	if sendEvents(ctx, j.st, j.lead) != nil {
		return out
	}
	for _, call := range j.calls {
		if ctx.Err() != nil {
			return out
		}
		spec := j.env.ch.tools[call.Name]
		if sendEvents(ctx, j.st, []Event{chatToolStart(call.Name, spec.display(call.Input, j.env))}) != nil {
			return out
		}
		res := j.env.run(ctx, spec, call, j.timeout)
		out.ran = append(out.ran, call.Name)
		out.results = append(out.results, sdk.NewToolResultBlock(call.ID, res.content, res.failed))
		if sendEvents(ctx, j.st, []Event{chatToolEnd(call.Name, res.summary, res.failed)}) != nil {
			return out
		}
	}
	_ = sendEvents(ctx, j.st, j.tail)
	return out
}
