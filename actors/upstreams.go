package actors

import (
	"dj/upstream/anthropic"
	"dj/upstream/deezer"
	"dj/upstream/lastfm"
	"dj/upstream/spotify"
)

// Upstreams are the four API clients, pointed at the real services or at
// the simulator. Actors reach them only through System.Do, so every call
// is inside its lane and the global rate.
type Upstreams struct {
	Spotify   *spotify.Client
	Lastfm    *lastfm.Client
	Deezer    *deezer.Client
	Anthropic *anthropic.Client
}
