package spotify

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	sp "github.com/zmb3/spotify/v2"
)

// PlayerState is the user's playback, or nil (and no error) when nothing
// is active: Spotify answers 204 then, which the SDK turns into an empty
// state that is easy to mistake for a real one.
func (u *UserClient) PlayerState(ctx context.Context) (*sp.PlayerState, error) {
	var out *sp.PlayerState
	status, err := u.call(ctx, "player", func(ctx context.Context) (err error) {
		out, err = u.sdk.PlayerState(ctx)
		return err
	})
	if err != nil || status == http.StatusNoContent {
		return nil, err
	}
	return out, nil
}

// CurrentlyPlaying is the current track and progress, or nil (and no
// error) when nothing is playing (204).
func (u *UserClient) CurrentlyPlaying(ctx context.Context) (*sp.CurrentlyPlaying, error) {
	var out *sp.CurrentlyPlaying
	status, err := u.call(ctx, "currently-playing", func(ctx context.Context) (err error) {
		out, err = u.sdk.PlayerCurrentlyPlaying(ctx)
		return err
	})
	if err != nil || status == http.StatusNoContent {
		return nil, err
	}
	return out, nil
}

// Devices lists the user's Connect devices.
func (u *UserClient) Devices(ctx context.Context) ([]sp.PlayerDevice, error) {
	var out []sp.PlayerDevice
	_, err := u.call(ctx, "devices", func(ctx context.Context) (err error) {
		out, err = u.sdk.PlayerDevices(ctx)
		return err
	})
	return out, err
}

// Queue is the current track and what plays after it.
func (u *UserClient) Queue(ctx context.Context) (*sp.Queue, error) {
	var out *sp.Queue
	_, err := u.call(ctx, "queue", func(ctx context.Context) (err error) {
		out, err = u.sdk.GetQueue(ctx)
		return err
	})
	return out, err
}

// AddToQueue queues a track or episode URI. It is not idempotent: a
// retry after a lost answer queues the item twice.
func (u *UserClient) AddToQueue(ctx context.Context, uri string) error {
	if id, ok := strings.CutPrefix(uri, "spotify:track:"); ok {
		_, err := u.call(ctx, "queue-add", func(ctx context.Context) error {
			return u.sdk.QueueSong(ctx, sp.ID(id))
		})
		return err
	}
	// The SDK only queues track ids; other URIs (episodes) go by hand.
	_, err := u.do(ctx, "queue-add", http.MethodPost, "me/player/queue", url.Values{"uri": {uri}}, nil, nil)
	return err
}

// Play starts the given track URIs, or resumes playback when none are
// given.
func (u *UserClient) Play(ctx context.Context, uris ...string) error {
	var opt *sp.PlayOptions
	if len(uris) > 0 {
		opt = &sp.PlayOptions{URIs: make([]sp.URI, len(uris))}
		for i, uri := range uris {
			opt.URIs[i] = sp.URI(uri)
		}
	}
	return u.command(ctx, "play", func(ctx context.Context) error { return u.sdk.PlayOpt(ctx, opt) })
}

// PlayContext starts a playlist, album or artist URI at the given
// position.
func (u *UserClient) PlayContext(ctx context.Context, contextURI string, position int) error {
	uri := sp.URI(contextURI)
	opt := &sp.PlayOptions{PlaybackContext: &uri, PlaybackOffset: &sp.PlaybackOffset{Position: &position}}
	return u.command(ctx, "play", func(ctx context.Context) error { return u.sdk.PlayOpt(ctx, opt) })
}

// Pause pauses playback; pausing twice is a 403 (upstream.ErrForbidden).
func (u *UserClient) Pause(ctx context.Context) error {
	return u.command(ctx, "pause", u.sdk.Pause)
}

// Next skips to the next track (the queue's head first).
func (u *UserClient) Next(ctx context.Context) error {
	return u.command(ctx, "next", u.sdk.Next)
}

// Previous goes back a track, or to the start of this one.
func (u *UserClient) Previous(ctx context.Context) error {
	return u.command(ctx, "previous", u.sdk.Previous)
}

// Seek moves to positionMs within the current track.
func (u *UserClient) Seek(ctx context.Context, positionMs int) error {
	return u.command(ctx, "seek", func(ctx context.Context) error { return u.sdk.Seek(ctx, positionMs) })
}

// Volume sets the active device's volume, 0–100.
func (u *UserClient) Volume(ctx context.Context, percent int) error {
	return u.command(ctx, "volume", func(ctx context.Context) error { return u.sdk.Volume(ctx, percent) })
}

// Repeat sets the repeat mode: "track", "context" or "off".
func (u *UserClient) Repeat(ctx context.Context, state string) error {
	return u.command(ctx, "repeat", func(ctx context.Context) error { return u.sdk.Repeat(ctx, state) })
}

// Shuffle turns shuffle on or off.
func (u *UserClient) Shuffle(ctx context.Context, on bool) error {
	return u.command(ctx, "shuffle", func(ctx context.Context) error { return u.sdk.Shuffle(ctx, on) })
}

// Transfer moves playback to deviceID; play true also starts it.
func (u *UserClient) Transfer(ctx context.Context, deviceID string, play bool) error {
	return u.command(ctx, "transfer", func(ctx context.Context) error {
		return u.sdk.TransferPlayback(ctx, sp.ID(deviceID), play)
	})
}

// command runs a player command, which answers 204 (or 202) on success.
func (u *UserClient) command(ctx context.Context, op string, f func(context.Context) error) error {
	_, err := u.call(ctx, op, f)
	return err
}
