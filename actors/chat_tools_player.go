package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// The player tools: queue a track, what is playing, what is queued,
// play/pause/skip. add_to_queue is the chat's one mix edit: with an
// active mix the track goes through the user's session actor first.

func addToQueueTool() *toolSpec {
	return &toolSpec{
		name:        "add_to_queue",
		description: "Queue a track to play next: it goes into the listener's Spotify queue (and to the front of the mix's queue when a mix is running). Search first to get the URI.",
		properties: map[string]any{
			"uri": strProp("spotify:track: URI"),
		},
		required: []string{"uri"},
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				URI string `json:"uri"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			uri := strings.TrimSpace(args.URI)
			if _, ok := trackIDOf(uri); !ok {
				return nil, "", &toolInputError{field: "uri", problem: "is not a spotify:track: URI"}
			}
			return env.addToQueue(ctx, uri)
		},
	}
}

// addToQueue puts the track first in the mix (when there is one) and in
// Spotify's queue. The Spotify call is tracked work: the tool waits for
// it within its bound, and if the bound passes first the call still
// completes (or fails) on its own and the request's tracker reports it.
func (env *toolEnv) addToQueue(ctx context.Context, uri string) (any, string, error) {
	inMix := false
	if env.ch.mixes != nil {
		var err error
		if inMix, err = env.ch.mixes.queueNext(ctx, env.userID, uri); err != nil {
			return nil, "", err
		}
	}
	done := make(chan error, 1)
	env.work.Go("chat.queue.spotify", func(wctx context.Context) error {
		err := env.ch.music.AddToQueue(wctx, env.userID, uri)
		if err == nil && inMix {
			env.ch.mixes.markFed(env.userID, uri)
		}
		done <- err
		return err
	})
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("queue %s on Spotify: %w", uri, ctx.Err())
	}
	switch {
	case err == nil:
		res := map[string]any{"success": true, "message": "Track added to queue", "uri": uri, "in_mix": inMix}
		return res, "Added to the queue", nil
	case inMix:
		// The mix has it and feeds Spotify when it comes up.
		res := map[string]any{"success": true, "uri": uri, "in_mix": true,
			"message": "Added to the mix queue; Spotify's queue did not take it now: " + toolErrorText(err)}
		return res, "Added to the mix queue", nil
	}
	return nil, "", err
}

func nowPlayingTool() *toolSpec {
	return &toolSpec{
		name:        "get_now_playing",
		description: "What is playing on the listener's Spotify right now.",
		properties:  map[string]any{},
		run: func(ctx context.Context, env *toolEnv, _ json.RawMessage) (any, string, error) {
			p, err := env.ch.music.PlayerState(ctx, env.userID)
			if err != nil {
				return nil, "", err
			}
			if p.Item == nil {
				return map[string]any{"is_playing": false, "message": "Nothing is playing right now"}, "Nothing is playing", nil
			}
			t := toolTrackOf(*p.Item)
			progress := 0
			if p.ProgressMs != nil {
				progress = *p.ProgressMs
			}
			res := map[string]any{"track_name": t.Name, "artists": t.Artists, "album": t.Album, "duration_ms": t.DurationMs,
				"progress_ms": progress, "is_playing": p.IsPlaying, "uri": t.URI}
			return res, fmt.Sprintf("Now playing: %s by %s", t.Name, t.Artists), nil
		},
	}
}

// queueEntry is a track in get_queue's result.
type queueEntry struct {
	Name    string `json:"name"`
	Artists string `json:"artists"`
	URI     string `json:"uri"`
}

func queueTool() *toolSpec {
	return &toolSpec{
		name:        "get_queue",
		description: "What plays now and the next tracks in the listener's Spotify queue (first 10).",
		properties:  map[string]any{},
		run: func(ctx context.Context, env *toolEnv, _ json.RawMessage) (any, string, error) {
			q, err := env.ch.music.Queue(ctx, env.userID)
			if err != nil {
				return nil, "", err
			}
			entry := func(t Track) queueEntry {
				tt := toolTrackOf(t)
				return queueEntry{Name: tt.Name, Artists: tt.Artists, URI: tt.URI}
			}
			var current *queueEntry
			if q.CurrentlyPlaying != nil {
				e := entry(*q.CurrentlyPlaying)
				current = &e
			}
			next := []queueEntry{}
			for _, t := range q.Queue[:min(len(q.Queue), 10)] {
				next = append(next, entry(t))
			}
			res := map[string]any{"currently_playing": current, "queue": next, "queue_length": len(q.Queue)}
			return res, fmt.Sprintf("Queue has %d tracks", len(q.Queue)), nil
		},
	}
}

// playbackActions are control_playback's actions and what each says.
var playbackActions = map[string]string{
	"play": "Playback resumed", "pause": "Playback paused", "next": "Skipped to the next track", "previous": "Back to the previous track",
}

func playbackTool() *toolSpec {
	return &toolSpec{
		name:        "control_playback",
		description: "Control the listener's Spotify player: play, pause, next (skip) or previous.",
		properties: map[string]any{
			"action": map[string]any{"type": "string", "enum": []string{"play", "pause", "next", "previous"}},
		},
		required: []string{"action"},
		run: func(ctx context.Context, env *toolEnv, input json.RawMessage) (any, string, error) {
			var args struct {
				Action string `json:"action"`
			}
			if err := decodeInput(input, &args); err != nil {
				return nil, "", err
			}
			msg, ok := playbackActions[args.Action]
			if !ok {
				return nil, "", &toolInputError{field: "action", problem: "must be play, pause, next or previous"}
			}
			m := env.ch.music
			var err error
			switch args.Action {
			case "play":
				err = m.Play(ctx, env.userID, PlayRequest{})
			case "pause":
				err = m.Pause(ctx, env.userID)
			case "next":
				err = m.Next(ctx, env.userID)
			case "previous":
				err = m.Previous(ctx, env.userID)
			}
			if err != nil {
				return nil, "", err
			}
			return map[string]any{"success": true, "action": args.Action, "message": msg}, msg, nil
		},
	}
}
