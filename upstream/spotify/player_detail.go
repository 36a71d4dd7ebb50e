package spotify

import (
	"context"
	"encoding/json"
	"net/http"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream"
)

// Device is a Connect device with every field Spotify sends. The SDK's
// PlayerDevice drops supports_volume and is_private_session and turns a
// null id or volume into "" and 0; the player routes pass these through.
type Device struct {
	ID               *string `json:"id"`
	IsActive         bool    `json:"is_active"`
	IsPrivateSession bool    `json:"is_private_session"`
	IsRestricted     bool    `json:"is_restricted"`
	Name             string  `json:"name"`
	Type             string  `json:"type"`
	VolumePercent    *int    `json:"volume_percent"`
	SupportsVolume   bool    `json:"supports_volume"`
}

// Playback is GET /me/player with the device in full and the kind of
// item playing, which the SDK's PlayerState leaves out.
type Playback struct {
	sp.PlayerState
	Device               *Device `json:"device"`
	ProgressMs           *int    `json:"progress_ms"`
	CurrentlyPlayingType string  `json:"currently_playing_type"`
}

// DeviceList lists the user's Connect devices in full.
//
// Written by hand: see Device.
func (u *UserClient) DeviceList(ctx context.Context) ([]Device, error) {
	var out struct {
		Devices []Device `json:"devices"`
	}
	if _, err := u.do(ctx, "devices", http.MethodGet, "me/player/devices", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Devices, nil
}

// Playback is the user's playback in full, or nil (and no error) when no
// device is active (Spotify answers 204).
//
// Written by hand: see Playback.
func (u *UserClient) Playback(ctx context.Context) (*Playback, error) {
	const op = "player"
	var raw json.RawMessage
	status, err := u.do(ctx, op, http.MethodGet, "me/player", nil, nil, &raw)
	if err != nil || status == http.StatusNoContent || len(raw) == 0 {
		return nil, err
	}
	var out Playback
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, upstream.DecodeError(apiName, op, status, err)
	}
	return &out, nil
}

// PlayWith starts playback as opt says: a context (with an offset by
// position or URI) or a list of track URIs, optionally from position_ms.
// A nil opt resumes. Play and PlayContext cover the common cases; this is
// the whole of PUT /me/player/play for callers that pass a request on.
func (u *UserClient) PlayWith(ctx context.Context, opt *sp.PlayOptions) error {
	return u.command(ctx, "play", func(ctx context.Context) error { return u.sdk.PlayOpt(ctx, opt) })
}
