package actors

import (
	"context"
	"fmt"
	"strings"

	"dj/mix"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
)

// Steering model settings: a small, fast model reads the request (the
// reference used Haiku with 500 tokens).
const (
	steerModel     = sdk.ModelClaudeHaiku4_5
	steerMaxTokens = 500
	steerSystem    = "You turn a listener's request to a DJ into a change of the set's vibe. Reply with one JSON object only."
)

// VibeResult is the vibe after a change, what changed, and the queue
// rebuilt for it.
type VibeResult struct {
	Vibe    mix.Vibe
	Queue   []mix.QueuedTrack
	Changes []string
}

// Vibe is the user's current vibe; ErrNoMix when there is no mix.
func (m *Mixes) Vibe(ctx context.Context, userID string) (mix.Vibe, error) {
	s, err := m.existing(ctx, userID)
	if err != nil {
		return mix.Vibe{}, err
	}
	return s.Vibe, nil
}

// SetVibe replaces the given parts of the vibe (energy level and
// direction, BPM window: narrowing is allowed), takes the AI's picks for
// the old vibe off the queue, keeps the listener's, and refills the queue
// for the new vibe (bounded by the fill timeout). The new vibe is stored
// before the refill starts, whatever the refill finds.
func (m *Mixes) SetVibe(ctx context.Context, userID string, patch mix.VibePatch) (VibeResult, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	r, err := m.ask(ctx, userID, &setVibe{reqID: RequestID(ctx), patch: patch})
	if err != nil {
		return VibeResult{}, err
	}
	return m.refilled(ctx, t, userID, r.sess, nil), nil
}

// Steer changes the vibe the way the listener asked: by a preset when the
// request names one (no AI needed), otherwise by the model's reading of
// it (ErrAIUnavailable when there is no model or it did not answer;
// mix.ErrNoAdjustment when its answer held no usable change). The change
// is applied to the vibe as it is when it arrives at the session, then
// the queue is rebuilt as for SetVibe. intensity (1–10, 5 = as written)
// scales relative energy changes.
func (m *Mixes) Steer(ctx context.Context, userID, direction string, intensity int) (VibeResult, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	snap, err := m.existing(ctx, userID)
	if err != nil {
		return VibeResult{}, err
	}
	adj, err := m.InterpretSteer(ctx, snap.Vibe, direction, intensity)
	if err != nil {
		return VibeResult{}, err
	}
	r, err := m.ask(ctx, userID, &steerVibe{reqID: RequestID(ctx), adj: adj})
	if err != nil {
		return VibeResult{}, err
	}
	return m.refilled(ctx, t, userID, r.sess, mix.DescribeChanges(r.before, r.sess.Vibe)), nil
}

// InterpretSteer turns a steering request into a vibe adjustment against
// vibe (which the model sees): a matching preset, else the model's
// reading. It changes nothing; a streaming steer builds on it.
func (m *Mixes) InterpretSteer(ctx context.Context, vibe mix.Vibe, direction string, intensity int) (mix.Adjustment, error) {
	if p, ok := mix.FindPreset(direction); ok {
		return p.Adjustment.Scaled(intensity), nil
	}
	ai := m.deps.Upstreams.Anthropic
	if ai == nil {
		return mix.Adjustment{}, ErrAIUnavailable
	}
	params := sdk.MessageNewParams{
		Model:     steerModel,
		MaxTokens: steerMaxTokens,
		System:    []sdk.TextBlockParam{{Text: steerSystem}},
		Messages:  []sdk.MessageParam{sdk.NewUserMessage(sdk.NewTextBlock(mix.SteerPrompt(vibe, direction)))},
	}
	var msg *sdk.Message
	err := m.sys.Do(ctx, LaneAnthropic, "mix.steer", func(ctx context.Context) (err error) {
		msg, err = ai.Complete(ctx, params)
		return err
	})
	if err != nil {
		return mix.Adjustment{}, fmt.Errorf("%w: %w", ErrAIUnavailable, err)
	}
	adj, err := mix.ParseAdjustment(messageText(msg))
	if err != nil {
		return mix.Adjustment{}, fmt.Errorf("steer reply: %w", err)
	}
	return adj.Scaled(intensity), nil
}

// ApplySteer applies an adjustment (from InterpretSteer) to the user's
// vibe as it is now, takes the AI's picks off the queue, and returns the
// vibe before and the session after. It does not refill; Refill does.
func (m *Mixes) ApplySteer(ctx context.Context, userID string, adj mix.Adjustment) (before mix.Vibe, after *mix.Session, err error) {
	r, err := m.ask(ctx, userID, &steerVibe{reqID: RequestID(ctx), adj: adj})
	if err != nil {
		return mix.Vibe{}, nil, err
	}
	return r.before, r.sess, nil
}

// Refill tops the user's queue up for its current vibe, bounded by the
// fill timeout, and returns the session and the tracks added.
func (m *Mixes) Refill(ctx context.Context, userID string) (*mix.Session, []mix.QueuedTrack, error) {
	snap, err := m.existing(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	return m.fill(ctx, userID, snap, m.cfg.fillTimeout, m.cfg.enrichTimeout)
}

// refilled refills after a vibe change and shapes the result; the queue
// head goes to Spotify in the background.
func (m *Mixes) refilled(ctx context.Context, t *Tracker, userID string, changed *mix.Session, changes []string) VibeResult {
	sess := m.fillNow(ctx, userID, changed)
	if sess == nil {
		sess = changed
	}
	m.pushLater(t, userID, sess)
	if changes == nil {
		changes = []string{}
	}
	return VibeResult{Vibe: sess.Vibe, Queue: sess.Queue, Changes: changes}
}

// messageText joins the text blocks of a model reply.
func messageText(msg *sdk.Message) string {
	if msg == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range msg.Content {
		if c.Type == "text" {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}
