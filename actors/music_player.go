package actors

import (
	"context"
	"errors"
	"fmt"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream"
	"dj/upstream/spotify"
)

// The player methods wait for Spotify's answer and report it: a command
// that returns has been applied. None of them leaves work running after
// it returns, so none needs a Tracker (queue add included: the caller
// wants to know whether the track is queued).

// PlayerState is the user's playback; with no active device it is the
// idle state (device and item null, not playing).
func (m *Music) PlayerState(ctx context.Context, userID string) (*PlaybackState, error) {
	var p *spotify.Playback
	err := m.call(m.request(ctx), userID, "player", func(ctx context.Context, c *spotify.UserClient) (err error) {
		p, err = c.Playback(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return playbackOf(p), nil
}

// Devices lists the user's Spotify Connect devices.
func (m *Music) Devices(ctx context.Context, userID string) ([]Device, error) {
	var ds []spotify.Device
	err := m.call(m.request(ctx), userID, "devices", func(ctx context.Context, c *spotify.UserClient) (err error) {
		ds, err = c.DeviceList(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return devicesOf(ds), nil
}

// Queue is what plays now and what Spotify will play next.
func (m *Music) Queue(ctx context.Context, userID string) (*PlayerQueue, error) {
	var q *sp.Queue
	err := m.call(m.request(ctx), userID, "queue", func(ctx context.Context, c *spotify.UserClient) (err error) {
		q, err = c.Queue(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return queueOf(q), nil
}

// PlayRequest says what to play. The zero value resumes what is loaded.
// ContextURI and URIs exclude each other; the offset (by position or by
// track URI) picks where in them to start.
type PlayRequest struct {
	ContextURI     string
	URIs           []string
	OffsetPosition *int
	OffsetURI      string
	PositionMs     int
}

func (r PlayRequest) options() *sp.PlayOptions {
	if r.ContextURI == "" && len(r.URIs) == 0 && r.PositionMs == 0 {
		return nil
	}
	opt := &sp.PlayOptions{PositionMs: sp.Numeric(r.PositionMs)}
	if r.ContextURI != "" {
		uri := sp.URI(r.ContextURI)
		opt.PlaybackContext = &uri
	}
	for _, u := range r.URIs {
		opt.URIs = append(opt.URIs, sp.URI(u))
	}
	if r.OffsetPosition != nil || r.OffsetURI != "" {
		opt.PlaybackOffset = &sp.PlaybackOffset{Position: r.OffsetPosition, URI: sp.URI(r.OffsetURI)}
	}
	return opt
}

// Play starts or resumes playback on the active device.
func (m *Music) Play(ctx context.Context, userID string, r PlayRequest) error {
	err := m.command(ctx, userID, "play", func(ctx context.Context, c *spotify.UserClient) error {
		return c.PlayWith(ctx, r.options())
	})
	if len(r.URIs) > 0 {
		return inputError(err, "uris")
	}
	if r.ContextURI != "" {
		return inputError(err, "context_uri")
	}
	return err
}

// Pause pauses playback; pausing while paused is ErrPlayerRestricted.
func (m *Music) Pause(ctx context.Context, userID string) error {
	return m.command(ctx, userID, "pause", func(ctx context.Context, c *spotify.UserClient) error {
		return c.Pause(ctx)
	})
}

// Next skips to the next track (the queue's head first).
func (m *Music) Next(ctx context.Context, userID string) error {
	return m.command(ctx, userID, "next", func(ctx context.Context, c *spotify.UserClient) error {
		return c.Next(ctx)
	})
}

// Previous goes back a track, or to the start of this one.
func (m *Music) Previous(ctx context.Context, userID string) error {
	return m.command(ctx, userID, "previous", func(ctx context.Context, c *spotify.UserClient) error {
		return c.Previous(ctx)
	})
}

// Seek moves to positionMs in the current track (past its end: the next
// track).
func (m *Music) Seek(ctx context.Context, userID string, positionMs int) error {
	return m.command(ctx, userID, "seek", func(ctx context.Context, c *spotify.UserClient) error {
		return c.Seek(ctx, positionMs)
	})
}

// SetVolume sets the active device's volume, 0–100.
func (m *Music) SetVolume(ctx context.Context, userID string, percent int) error {
	return m.command(ctx, userID, "volume", func(ctx context.Context, c *spotify.UserClient) error {
		return c.Volume(ctx, percent)
	})
}

// Transfer moves playback to deviceID, starting it when play is set. A
// device that is not the user's is ErrDeviceNotFound.
func (m *Music) Transfer(ctx context.Context, userID, deviceID string, play bool) error {
	err := m.command(ctx, userID, "transfer", func(ctx context.Context, c *spotify.UserClient) error {
		return c.Transfer(ctx, deviceID, play)
	})
	if errors.Is(err, upstream.ErrNotFound) && !errors.Is(err, ErrNoActiveDevice) {
		return fmt.Errorf("%w: %w", ErrDeviceNotFound, err)
	}
	return err
}

// AddToQueue puts a track or episode URI at the end of Spotify's queue
// and returns once Spotify has it. A well-formed URI that names nothing
// is upstream.ErrNotFound.
func (m *Music) AddToQueue(ctx context.Context, userID, uri string) error {
	err := m.command(ctx, userID, "queue-add", func(ctx context.Context, c *spotify.UserClient) error {
		return c.AddToQueue(ctx, uri)
	})
	return inputError(err, "uri")
}

// command runs one player command and classifies Spotify's refusals
// (no active device, Premium required, restriction violated).
func (m *Music) command(ctx context.Context, userID, op string, fn func(context.Context, *spotify.UserClient) error) error {
	return playerError(m.call(m.request(ctx), userID, op, fn))
}
