package actors

import (
	"errors"
	"fmt"
	"strings"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream"
)

// Errors of the pass-through routes that mean more than the upstream
// kind alone. Each wraps the upstream error it came from, so logs keep
// the detail; the gateway maps them to problems before the generic
// upstream kinds.
var (
	// ErrPlaylistNotFound: the playlist does not exist or is not the
	// user's to read or change. Spotify says 404 for the first and 403 for
	// the second; both become this, so nobody learns whether another
	// user's private playlist exists.
	ErrPlaylistNotFound = errors.New("playlist not found")
	// ErrNoActiveDevice: Spotify has no active device to play on
	// (NO_ACTIVE_DEVICE).
	ErrNoActiveDevice = errors.New("no active Spotify device")
	// ErrPremiumRequired: controlling playback needs Spotify Premium
	// (PREMIUM_REQUIRED).
	ErrPremiumRequired = errors.New("Spotify Premium required")
	// ErrPlayerRestricted: the player refused the command in its current
	// state (pausing while paused, seeking with nothing loaded).
	ErrPlayerRestricted = errors.New("player command not allowed in the current state")
	// ErrDeviceNotFound: the device to transfer playback to is not one of
	// the user's.
	ErrDeviceNotFound = errors.New("Spotify device not found")
)

// InputError says Spotify refused a value the caller supplied (a track
// URI that names no track, a search filter it cannot parse). The gateway
// answers 400 naming Field, a JSON path in the request body.
type InputError struct {
	Field string
	Err   error
}

func (e *InputError) Error() string { return fmt.Sprintf("spotify rejected %s: %v", e.Field, e.Err) }

func (e *InputError) Unwrap() error { return e.Err }

// spotifyMessage is Spotify's own error message in err, lower-cased, or
// "". It is only matched against, never shown: the SDK keeps the message
// but drops the machine-readable reason, and Spotify's messages for the
// player reasons are fixed ("Player command failed: No active device
// found", "... Premium required", "... Restriction violated").
func spotifyMessage(err error) string {
	var se sp.Error
	if errors.As(err, &se) {
		return strings.ToLower(se.Message)
	}
	return ""
}

// playerError classifies a failed player command or queue add.
func playerError(err error) error {
	msg := spotifyMessage(err)
	switch {
	case err == nil:
		return nil
	case strings.Contains(msg, "premium required"):
		return fmt.Errorf("%w: %w", ErrPremiumRequired, err)
	case strings.Contains(msg, "no active device"):
		return fmt.Errorf("%w: %w", ErrNoActiveDevice, err)
	case errors.Is(err, upstream.ErrForbidden) && strings.Contains(msg, "restriction violated"):
		return fmt.Errorf("%w: %w", ErrPlayerRestricted, err)
	}
	return err
}

// playlistError turns Spotify's 403 and 404 for a playlist into
// ErrPlaylistNotFound. The upstream kind is kept out of the chain on
// purpose: the generic mapping would answer 403.
func playlistError(err error) error {
	if errors.Is(err, upstream.ErrForbidden) || errors.Is(err, upstream.ErrNotFound) {
		return fmt.Errorf("%w (%v)", ErrPlaylistNotFound, err)
	}
	return err
}

// inputError turns Spotify's 400 for a request built from the caller's
// values into an InputError naming field.
func inputError(err error, field string) error {
	if errors.Is(err, upstream.ErrBadRequest) {
		return &InputError{Field: field, Err: err}
	}
	return err
}
