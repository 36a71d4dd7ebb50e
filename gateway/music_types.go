package gateway

import "dj/actors"

// Request and response types of the Spotify pass-through and player
// routes. The Spotify objects themselves (playlists, tracks, devices)
// are actors' types: they are the JSON of anchor-api Appendix A.

// PlaylistsInput pages through the user's playlists.
type PlaylistsInput struct {
	Limit  int `query:"limit" minimum:"1" maximum:"50" default:"20" doc:"page size, 1-50"`
	Offset int `query:"offset" minimum:"0" maximum:"100000" default:"0" doc:"index of the first playlist"`
}

// PlaylistTracksInput names a playlist and a window of its items.
type PlaylistTracksInput struct {
	ID     string `path:"id" pattern:"^[0-9A-Za-z]{1,64}$" doc:"Spotify playlist id (base-62)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"items to return, 1-100"`
	Offset int    `query:"offset" minimum:"0" maximum:"100000" default:"0" doc:"index of the first item"`
}

// PlaylistTracksResponse is a window of a playlist's items. The
// reference returns only items; total is added so a client can page.
type PlaylistTracksResponse struct {
	Items []actors.PlaylistTrack `json:"items"`
	Total int                    `json:"total" doc:"number of items in the playlist"`
}

// SearchRequest is a catalogue search.
type SearchRequest struct {
	Query string `json:"query" minLength:"1" maxLength:"250" pattern:"\\S" doc:"free text and Spotify field filters (artist:, track:, year:1990-1999, ...)"`
	Type  string `json:"type,omitempty" enum:"track,album,artist" doc:"what to search for; default track"`
	Limit int    `json:"limit,omitempty" minimum:"1" maximum:"10" doc:"results to return; default and maximum 10 (Spotify development mode, 2026)"`
}

// SearchInput is the body of POST /api/spotify/search.
type SearchInput struct{ Body SearchRequest }

// CreatePlaylistRequest describes a playlist to create.
type CreatePlaylistRequest struct {
	Name        string `json:"name" minLength:"1" maxLength:"100" pattern:"\\S"`
	Description string `json:"description,omitempty" maxLength:"300"`
	Public      bool   `json:"public,omitempty" doc:"default false: new playlists are private"`
}

// CreatePlaylistInput is the body of POST /api/spotify/playlists.
type CreatePlaylistInput struct{ Body CreatePlaylistRequest }

// ModifyPlaylistRequest adds tracks to, or removes them from, a playlist.
type ModifyPlaylistRequest struct {
	Action     string   `json:"action" enum:"add,remove" doc:"add appends; remove drops every occurrence"`
	PlaylistID string   `json:"playlistId" pattern:"^[0-9A-Za-z]{1,64}$" doc:"Spotify playlist id (base-62)"`
	TrackURIs  []string `json:"trackUris" minItems:"1" maxItems:"100" doc:"spotify:track:<id> URIs"`
}

// ModifyPlaylistInput is the body of POST /api/spotify/playlists/modify.
type ModifyPlaylistInput struct{ Body ModifyPlaylistRequest }

// ModifyPlaylistResponse is the playlist's new version.
type ModifyPlaylistResponse struct {
	Action     string `json:"action" enum:"added,removed"`
	SnapshotID string `json:"snapshot_id"`
	Success    bool   `json:"success"`
}

// DevicesResponse lists the user's Spotify Connect devices.
type DevicesResponse struct {
	Devices []actors.Device `json:"devices"`
}

// PlayOffset says where in a context or URI list to start: by position
// or by track URI, not both.
type PlayOffset struct {
	Position *int   `json:"position,omitempty" minimum:"0" maximum:"10000"`
	URI      string `json:"uri,omitempty" pattern:"^spotify:track:[0-9A-Za-z]{22}$"`
}

// PlayRequest is Spotify's play body. Empty (or absent) resumes what is
// loaded; context_uri and uris exclude each other.
type PlayRequest struct {
	ContextURI string      `json:"context_uri,omitempty" pattern:"^spotify:(album|artist|playlist|show):[0-9A-Za-z]{22}$" doc:"album, artist, playlist or show to play"`
	URIs       []string    `json:"uris,omitempty" minItems:"1" maxItems:"100" doc:"spotify:track:<id> or spotify:episode:<id> URIs to play"`
	Offset     *PlayOffset `json:"offset,omitempty"`
	PositionMs int         `json:"position_ms,omitempty" minimum:"0" maximum:"86400000" doc:"where in the first track to start"`
}

// PlayInput is the optional body of POST /api/player/play.
type PlayInput struct{ Body PlayRequest }

// SeekRequest is a position in the current track.
type SeekRequest struct {
	PositionMs int `json:"position_ms" minimum:"0" maximum:"86400000"`
}

// SeekInput is the body of POST /api/player/seek.
type SeekInput struct{ Body SeekRequest }

// DeviceRequest moves playback to a device.
type DeviceRequest struct {
	DeviceID string `json:"device_id" minLength:"1" maxLength:"128" pattern:"^[0-9A-Za-z_-]+$"`
	Play     bool   `json:"play,omitempty" doc:"start playing there; default false keeps the current state"`
}

// DeviceInput is the body of PUT /api/player/device.
type DeviceInput struct{ Body DeviceRequest }

// VolumeRequest sets the active device's volume.
type VolumeRequest struct {
	VolumePercent float64 `json:"volume_percent" minimum:"0" maximum:"100" doc:"rounded to a whole percent for Spotify"`
}

// VolumeInput is the body of PUT /api/player/volume.
type VolumeInput struct{ Body VolumeRequest }

// VolumeResponse echoes the volume as sent, as the reference does.
type VolumeResponse struct {
	Success       bool    `json:"success"`
	VolumePercent float64 `json:"volume_percent"`
}

// QueueAddRequest is a track or episode for Spotify's queue.
type QueueAddRequest struct {
	URI string `json:"uri" pattern:"^spotify:(track|episode):[0-9A-Za-z]{22}$"`
}

// QueueAddInput is the body of POST /api/player/queue/add.
type QueueAddInput struct{ Body QueueAddRequest }

// QueueAddResponse confirms what was queued.
type QueueAddResponse struct {
	Success bool   `json:"success"`
	URI     string `json:"uri"`
}

// MixQueueSpotifyRequest is a track to push to Spotify's queue.
type MixQueueSpotifyRequest struct {
	TrackURI string `json:"trackUri" pattern:"^spotify:track:[0-9A-Za-z]{22}$"`
}

// MixQueueSpotifyInput is the body of POST /api/mix/queue/spotify.
type MixQueueSpotifyInput struct{ Body MixQueueSpotifyRequest }

// MixQueueSpotifyResponse confirms the track is in Spotify's queue.
type MixQueueSpotifyResponse struct {
	Queued  bool `json:"queued"`
	Success bool `json:"success"`
}
