package gateway

import "net/http"

// upstreamProblems are the problem statuses a route that calls Spotify
// adds to the ones every route has: Spotify answering late or not at all
// (503, with Retry-After) or answering nonsense (502), plus extra.
func upstreamProblems(extra ...int) []int {
	return append([]int{http.StatusBadGateway, http.StatusServiceUnavailable}, extra...)
}

// musicRoutes registers the Spotify pass-through and player REST routes
// of the reference (anchor-api §5–§6) with its paths and JSON shapes, plus
// POST /api/mix/queue/spotify. Every one needs a dj session; the user's
// Spotify token stays on the server.
func (s *Server) musicRoutes() {
	s.spotifyRoutes()
	s.playlistRoutes()
	s.playerRoutes()
	s.goneRoutes()
}

func (s *Server) spotifyRoutes() {
	handle(s, operation{Method: "GET", Path: "/api/spotify/me", ID: "spotifyMe", Tag: "spotify", Auth: true, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "The signed-in user's Spotify profile (id, display name; country, email and product when Spotify shares them)"}, s.spotifyMe)
	handle(s, operation{Method: "GET", Path: "/api/spotify/debug/scopes", ID: "spotifyScopes", Tag: "spotify", Auth: true, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "Which Spotify scopes dj needs, which were granted at sign-in, and whose account it is"}, s.spotifyScopes)
	handle(s, operation{Method: "POST", Path: "/api/spotify/search", ID: "spotifySearch", Tag: "spotify", Auth: true, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "Search Spotify's catalogue for tracks (default), albums or artists; at most 10 results"}, s.spotifySearch)
}

func (s *Server) playlistRoutes() {
	handle(s, operation{Method: "GET", Path: "/api/spotify/playlists", ID: "spotifyPlaylists", Tag: "spotify", Auth: true, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "A page of the user's playlists, owned and followed (Spotify's paging object)"}, s.spotifyPlaylists)
	handle(s, operation{Method: "GET", Path: "/api/spotify/playlists/{id}/tracks", ID: "spotifyPlaylistTracks", Tag: "spotify", Auth: true, Errors: upstreamProblems(http.StatusNotFound),
		Summary: "Items of a playlist the user owns or collaborates on; any other playlist is 404"}, s.spotifyPlaylistTracks)
	handle(s, operation{Method: "POST", Path: "/api/spotify/playlists", ID: "spotifyCreatePlaylist", Tag: "spotify", Auth: true, Status: http.StatusCreated, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "Create a playlist owned by the user (private unless public is true)"}, s.spotifyCreatePlaylist)
	handle(s, operation{Method: "POST", Path: "/api/spotify/playlists/modify", ID: "spotifyModifyPlaylist", Tag: "spotify", Auth: true, Errors: upstreamProblems(http.StatusNotFound),
		Summary: "Add tracks to the end of one of the user's playlists, or remove every occurrence of them"}, s.spotifyModifyPlaylist)
}

func (s *Server) playerRoutes() {
	handle(s, operation{Method: "GET", Path: "/api/player/state", ID: "playerState", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "Current playback: device, track, progress; idle (device and item null) when no device is active"}, s.playerState)
	handle(s, operation{Method: "GET", Path: "/api/player/devices", ID: "playerDevices", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "The user's Spotify Connect devices"}, s.playerDevices)
	handle(s, operation{Method: "GET", Path: "/api/player/queue", ID: "playerQueue", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden),
		Summary: "What plays now and what Spotify plays next"}, s.playerQueue)
	handle(s, operation{Method: "POST", Path: "/api/player/play", ID: "playerPlay", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusConflict),
		Summary: "Resume, or play a context (album, artist, playlist) or a list of tracks, on the active device"}, s.playerPlay)
	handle(s, operation{Method: "POST", Path: "/api/player/pause", ID: "playerPause", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusConflict),
		Summary: "Pause playback (409 when already paused)"}, s.playerPause)
	handle(s, operation{Method: "POST", Path: "/api/player/next", ID: "playerNext", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusConflict),
		Summary: "Skip to the next track (the queue's head first)"}, s.playerNext)
	handle(s, operation{Method: "POST", Path: "/api/player/previous", ID: "playerPrevious", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusConflict),
		Summary: "Go back a track, or to the start of this one"}, s.playerPrevious)
	handle(s, operation{Method: "POST", Path: "/api/player/seek", ID: "playerSeek", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusConflict),
		Summary: "Move to a position in the current track"}, s.playerSeek)
	handle(s, operation{Method: "PUT", Path: "/api/player/device", ID: "playerTransfer", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusNotFound, http.StatusConflict),
		Summary: "Move playback to another of the user's devices, optionally starting it"}, s.playerTransfer)
	handle(s, operation{Method: "PUT", Path: "/api/player/volume", ID: "playerVolume", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusConflict),
		Summary: "Set the active device's volume (0-100)"}, s.playerVolume)
	handle(s, operation{Method: "POST", Path: "/api/player/queue/add", ID: "playerQueueAdd", Tag: "player", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusNotFound, http.StatusConflict),
		Summary: "Add a track or episode to the end of Spotify's queue; answers once Spotify has it"}, s.playerQueueAdd)
	handle(s, operation{Method: "POST", Path: "/api/mix/queue/spotify", ID: "mixQueueSpotify", Tag: "mix", Auth: true, Errors: upstreamProblems(http.StatusForbidden, http.StatusNotFound, http.StatusConflict),
		Summary: "Push one track to Spotify's playback queue (the mix itself is not changed)"}, s.mixQueueSpotify)
}
