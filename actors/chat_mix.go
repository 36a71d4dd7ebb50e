package actors

import (
	"context"
	"errors"

	"dj/mix"
)

// What the chat needs of the mix service, kept here so the mix files stay
// the mix team's: a queue edit that puts the listener's (or the DJ's)
// pick next, and a note that Spotify already has a track.

// queueNext puts a track first in the user's mix queue as the listener's
// choice, through the session actor. inMix is false, without error, when
// there is no mix or its queue is full: the track then goes to Spotify's
// queue only.
func (m *Mixes) queueNext(ctx context.Context, userID, uri string) (inMix bool, err error) {
	pos := 0
	_, err = m.AddToQueue(ctx, userID, uri, &pos)
	switch {
	case errors.Is(err, ErrNoMix), errors.Is(err, mix.ErrQueueFull):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// markFed records that uri, now the queue head, is in Spotify's queue, so
// the mix does not feed it a second time (see pushHead).
func (m *Mixes) markFed(userID, uri string) { m.pushed.Store(userID, uri) }
