package actors

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/asynkron/protoactor-go/actor"

	"dj/mix"
	"dj/upstream/anthropic"
)

// Steer is the streaming steer (anchor-api §7.4, anchor-domain §2.9 c):
// free text in, the model's reading of it as a vibe change, the change
// saved, the queue rebuilt for it, each step streamed. It differs from
// the reference where the reference was wrong: the new vibe is stored
// before any track is looked for, so it holds whether or not tracks are
// found (#10); the model's values are validated and clamped
// (mix.ParseAdjustment, #20); and the listener's playback is never
// replaced (#13): the rebuilt queue's head is fed to Spotify's queue as
// every other vibe change does. Safe for concurrent use.
type Steer struct {
	deps  Deps
	mixes *Mixes
	model chatModel // nil: presets only
	log   *slog.Logger
}

// Steering model settings (anchor-domain §3.2: Sonnet, 16 000 tokens,
// thinking budget 4 000).
const (
	steerStreamMaxTokens = 16000
	steerThinkBudget     = 4000
	steerPreviewRunes    = 500
)

// NewSteer builds the streaming steer on the mix service.
func NewSteer(d Deps, mixes *Mixes) *Steer {
	d.defaults()
	s := &Steer{deps: d, mixes: mixes, log: d.Log.With("component", "steer")}
	if d.Upstreams.Anthropic != nil {
		s.model = d.Upstreams.Anthropic
	}
	return s
}

// Start runs the steer on st as a child actor of the stream (so a client
// that leaves stops it) and returns.
func (s *Steer) Start(st *Stream, userID, direction string) error {
	job := &steerJob{s: s, st: st, userID: userID, direction: direction}
	a := &jobActor{name: "steer", job: func() any { job.run(); return nil }, log: s.log, reqID: RequestID(st.Context()),
		panicked: func() any { _ = st.Fail("failed", steerFailedText); return nil }}
	if _, err := st.Spawn("steer", s.deps.System.Props("steer", func() actor.Actor { return a })); err != nil {
		return fmt.Errorf("actors: start steer: %w", err)
	}
	return nil
}

// Client-safe texts of the steer stream's error event.
const (
	steerFailedText    = "The DJ could not steer the mix. Please try again."
	steerNoMixText     = "There is no active mix; start one first."
	steerNotUnderstood = "The DJ could not turn that into a vibe change; try other words, or a preset such as \"more energy\"."
	steerNoAIText      = "The AI is not available right now; presets such as \"more energy\" or \"go retro\" still work."
)

// steerJob is one steer request, run by its job actor.
type steerJob struct {
	s         *Steer
	st        *Stream
	userID    string
	direction string
	ctx       context.Context
}

func (j *steerJob) run() {
	ctx, cancel := streamWorkContext(j.st)
	defer cancel()
	j.ctx = ctx
	work := j.s.deps.System.NewTracker(context.WithoutCancel(ctx))
	defer work.Finish()
	if !j.send(SteerAck, SteerAckData{Direction: j.direction, Message: fmt.Sprintf("Got it! Steering towards %q...", j.direction)}) ||
		!j.send(SteerProgress, SteerProgressData{Stage: "analyzing", Message: steerLine(analyzingLines, j.direction)}) {
		return
	}
	changed, changes, ok := j.change()
	if !ok {
		return
	}
	if !j.send(SteerProgress, SteerProgressData{Stage: "adjusting", Message: steerLine(adjustingLines, j.direction)}) ||
		!j.send(SteerProgress, SteerProgressData{Stage: "building", Message: steerLine(buildingLines, j.direction)}) {
		return
	}
	after, added, ok := j.rebuild(changed)
	if !ok {
		return
	}
	j.s.mixes.pushLater(work, j.userID, after)
	if !j.send(SteerSuggestions, SteerSuggestionsData{Count: len(after.Queue)}) {
		return
	}
	done, err := NewEvent(SteerDone, SteerDoneData{
		Changes: changes, Vibe: after.Vibe, Queue: nonNilQueue(after.Queue),
		Message: fmt.Sprintf("Vibes adjusted! %d new tracks in your queue.", len(added)),
	})
	if err != nil {
		j.fail(err, "failed")
		return
	}
	_ = j.st.Close(&done)
	j.s.log.Info("steered", "request_id", RequestID(ctx), "user_id", j.userID, "changes", len(changes), "added", len(added))
}

// change reads the direction (thinking preview) and applies the change
// through the session actor, which stores it before answering (#10);
// vibe_update follows.
func (j *steerJob) change() (*mix.Session, []string, bool) {
	snap, err := j.s.mixes.Session(j.ctx, j.userID)
	if err != nil {
		j.fail(err, "failed")
		return nil, nil, false
	}
	adj, thinking, code, err := j.s.interpret(j.ctx, snap.Vibe, j.direction)
	if thinking != "" && !j.send(SteerThinking, SteerThinkingData{Preview: steerPreview(thinking)}) {
		return nil, nil, false
	}
	if err != nil {
		j.fail(err, code)
		return nil, nil, false
	}
	before, changed, err := j.s.mixes.ApplySteer(j.ctx, j.userID, adj)
	if err != nil {
		j.fail(err, "failed")
		return nil, nil, false
	}
	changes := mix.DescribeChanges(before, changed.Vibe)
	return changed, changes, j.send(SteerVibeUpdate, SteerVibeUpdateData{Changes: changes, Vibe: changed.Vibe})
}

// rebuild refills the queue for the new vibe and streams each track
// added. A failed refill is no failure of the steer: the vibe is stored
// and the queue stays as the change left it.
func (j *steerJob) rebuild(changed *mix.Session) (*mix.Session, []mix.QueuedTrack, bool) {
	after, added, err := j.s.mixes.Refill(j.ctx, j.userID)
	if err != nil || after == nil {
		j.s.log.Warn("steer: queue rebuild failed", "request_id", RequestID(j.ctx), "user_id", j.userID, "err", err)
		after, added = changed, nil
	}
	base := len(after.Queue) - len(added)
	for i, t := range added {
		if !j.send(SteerQueueUpdate, SteerQueueUpdateData{QueueSize: base + i + 1, Track: t}) {
			return nil, nil, false
		}
	}
	return after, added, true
}

// send marshals and sends one event; false means the stream is gone.
func (j *steerJob) send(name string, v any) bool {
	ev, err := NewEvent(name, v)
	if err == nil {
		err = j.st.SendWait(j.ctx, ev)
	}
	if err != nil && !errors.Is(err, ErrStreamClosed) && j.ctx.Err() == nil {
		j.s.log.Error("steer event not sent", "request_id", RequestID(j.ctx), "event", name, "err", err)
	}
	return err == nil
}

// fail ends the stream with an error event whose message is fixed by
// its code; the cause is only logged.
func (j *steerJob) fail(cause error, code string) {
	if j.ctx.Err() != nil {
		return // the stream is closing: nobody to tell
	}
	if errors.Is(cause, ErrNoMix) {
		code = "no_mix"
	}
	j.s.log.Warn("steer failed", "request_id", RequestID(j.ctx), "user_id", j.userID, "code", code, "err", cause)
	_ = j.st.Fail(code, steerErrorText(code))
}

// steerErrorText is the client-safe message of an error code.
func steerErrorText(code string) string {
	switch code {
	case "no_mix":
		return steerNoMixText
	case "not_understood":
		return steerNotUnderstood
	case "ai_unavailable":
		return steerNoAIText
	}
	return steerFailedText
}

// interpret asks the model for the change (thinking on, its reasoning
// shown as a preview), validated by mix.ParseAdjustment. When the model
// is missing, fails or answers nothing usable, a matching preset is used
// instead. code names the failure when neither gives a change.
func (s *Steer) interpret(ctx context.Context, vibe mix.Vibe, direction string) (adj mix.Adjustment, thinking, code string, err error) {
	err, code = ErrAIUnavailable, "ai_unavailable"
	if s.model != nil {
		var msg *sdk.Message
		params := sdk.MessageNewParams{
			MaxTokens: steerStreamMaxTokens,
			Thinking:  sdk.ThinkingConfigParamOfEnabled(steerThinkBudget),
			System:    []sdk.TextBlockParam{{Text: steerSystem}},
			Messages:  []sdk.MessageParam{sdk.NewUserMessage(sdk.NewTextBlock(mix.SteerPrompt(vibe, direction)))},
		}
		err = s.deps.System.Do(ctx, LaneAnthropic, "steer.vibe", func(ctx context.Context) (err error) {
			msg, err = s.model.Stream(ctx, params, func(anthropic.Event) {})
			return err
		})
		if err == nil {
			thinking = thinkingText(msg)
			if adj, err = mix.ParseAdjustment(messageText(msg)); err == nil {
				return adj, thinking, "", nil
			}
			code = "not_understood"
		}
		s.log.Info("steer: no change from the model; trying presets", "request_id", RequestID(ctx), "err", err)
	}
	if p, ok := mix.FindPreset(direction); ok {
		return p.Adjustment, thinking, "", nil
	}
	return mix.Adjustment{}, thinking, code, err
}

// thinkingText joins the thinking blocks of a reply.
func thinkingText(msg *sdk.Message) string {
	var b strings.Builder
	for _, c := range msg.Content {
		if c.Type == "thinking" {
			b.WriteString(c.Thinking)
		}
	}
	return strings.TrimSpace(b.String())
}

// steerPreview is the first 500 characters of the reasoning, "..." if cut.
func steerPreview(s string) string {
	r := []rune(s)
	if len(r) <= steerPreviewRunes {
		return s
	}
	return string(r[:steerPreviewRunes]) + "..."
}

func nonNilQueue(q []mix.QueuedTrack) []mix.QueuedTrack {
	if q == nil {
		return []mix.QueuedTrack{}
	}
	return q
}

// Progress lines. The reference asked a small model for the adjusting and
// building lines (two extra Anthropic calls per steer, in a lane of two);
// fixed lines, picked by the direction's hash, say the same for free.
var (
	analyzingLines = []string{"Reading the room...", "Listening to what you want...", "Figuring out the new direction..."}
	adjustingLines = []string{"Shifting the vibe...", "Turning the dials...", "Finding the new groove..."}
	buildingLines  = []string{"Digging through the crates...", "Lining up the next tracks...", "Building your new queue..."}
)

func steerLine(lines []string, key string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(key)))
	return lines[h.Sum32()%uint32(len(lines))]
}
