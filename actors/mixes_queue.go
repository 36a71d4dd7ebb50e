package actors

import (
	"context"
	"fmt"

	"dj/mix"
)

// Queue is the user's app queue; ErrNoMix when there is no mix.
func (m *Mixes) Queue(ctx context.Context, userID string) ([]mix.QueuedTrack, error) {
	s, err := m.existing(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.Queue, nil
}

// AddToQueue looks the track up on Spotify and queues it as the
// listener's choice at position (nil: at the end; 0: next; past the end:
// at the end). Errors: ErrNoMix, mix.ErrQueueFull (checked before the
// lookup and again when the track is inserted), ErrUnknownTrack.
func (m *Mixes) AddToQueue(ctx context.Context, userID, trackURI string, position *int) ([]mix.QueuedTrack, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	id, ok := trackIDOf(trackURI)
	if !ok {
		return nil, fmt.Errorf("track uri: %w", ErrUnknownTrack)
	}
	snap, err := m.existing(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(snap.Queue) >= mix.MaxQueueSize {
		return nil, mix.ErrQueueFull
	}
	c, err := m.spotifyClient(ctx, userID)
	if err != nil {
		return nil, err
	}
	info, err := m.track(ctx, c, id)
	if err != nil {
		return nil, err
	}
	r, err := m.ask(ctx, userID, &insertTrack{
		reqID: RequestID(ctx), track: info.queued(mix.AddedByUser, mix.UserReason, mix.UserVibeScore), position: position,
	})
	if err != nil {
		return nil, err
	}
	return r.sess.Queue, nil
}

// RemoveFromQueue drops the track at position (mix.ErrInvalidPosition
// when there is none). Spotify's own queue is not touched.
func (m *Mixes) RemoveFromQueue(ctx context.Context, userID string, position int) ([]mix.QueuedTrack, error) {
	r, err := m.ask(ctx, userID, &removeTrack{reqID: RequestID(ctx), position: position})
	if err != nil {
		return nil, err
	}
	return r.sess.Queue, nil
}

// Reorder moves the track at from to to (mix.ErrInvalidPosition when
// either is outside the queue).
func (m *Mixes) Reorder(ctx context.Context, userID string, from, to int) ([]mix.QueuedTrack, error) {
	r, err := m.ask(ctx, userID, &moveTrack{reqID: RequestID(ctx), from: from, to: to})
	if err != nil {
		return nil, err
	}
	return r.sess.Queue, nil
}
