package sim

import (
	"net/http"
)

// mountSpotify registers the Web API in its 2026 development-mode form:
// the endpoints dj uses, the removed ones answering 403, and Spotify's
// error shapes for everything else.
func (s *Server) mountSpotify() {
	s.initSpotify()
	s.onFault("spotify", spRenderFault)
	get := func(pattern string, h func(*spCall) spResult, scopes ...string) {
		s.route("spotify", pattern, s.spHandle(h, scopes...))
	}
	get("GET /v1/me", s.spMe)
	get("GET /v1/tracks/{id}", s.spTrack)
	get("GET /v1/artists/{id}", s.spArtist)
	get("GET /v1/albums/{id}", s.spAlbum)
	get("GET /v1/search", s.spSearch)
	s.mountSpotifyPlaylists(get)
	s.mountSpotifyPlayer(get)
	get("GET /v1/me/player/recently-played", s.spRecentlyPlayed, spScopeRecentlyPlayed)
	get("GET /v1/me/top/{type}", s.spTop, spScopeTopRead)

	// Endpoints development mode removed in 2024 and 2026 (§4): they
	// exist, so the answer is 403 rather than 404.
	for _, p := range []string{
		"GET /v1/tracks", "GET /v1/artists", "GET /v1/albums",
		"GET /v1/users/{id}", "GET /v1/users/{id}/playlists", "POST /v1/users/{id}/playlists",
		"GET /v1/artists/{id}/top-tracks", "GET /v1/artists/{id}/related-artists",
		"GET /v1/audio-features", "GET /v1/audio-features/{id}", "GET /v1/audio-analysis/{id}",
		"GET /v1/recommendations", "GET /v1/browse/", "GET /v1/markets",
		"/v1/playlists/{id}/tracks",
	} {
		get(p, spForbidden)
	}
	s.route("spotify", "/", func(w http.ResponseWriter, r *http.Request) {
		spWrite(w, spErr(http.StatusNotFound, "Service not found"))
	})
	s.mountSpotifyControl()
}

// spForbidden is the plain 403 of a removed development-mode endpoint.
func spForbidden(*spCall) spResult { return spErr(http.StatusForbidden, "Forbidden") }

func (s *Server) spMe(c *spCall) spResult {
	return spJSON(http.StatusOK, c.privateUser(c.user, c.tok.scopes))
}

func (s *Server) spTrack(c *spCall) spResult {
	id := c.r.PathValue("id")
	if !spValidID(id) {
		return spErr(http.StatusBadRequest, "Invalid base62 id")
	}
	t, ok := c.cat.TrackByID(id)
	if !ok {
		return spErr(http.StatusNotFound, "Resource not found")
	}
	return spJSON(http.StatusOK, c.track(t.Index))
}

func (s *Server) spArtist(c *spCall) spResult {
	id := c.r.PathValue("id")
	if !spValidID(id) {
		return spErr(http.StatusBadRequest, "Invalid base62 id")
	}
	a, ok := c.cat.ArtistByID(id)
	if !ok {
		return spErr(http.StatusNotFound, "Resource not found")
	}
	return spJSON(http.StatusOK, c.artist(a.Index))
}

func (s *Server) spAlbum(c *spCall) spResult {
	id := c.r.PathValue("id")
	if !spValidID(id) {
		return spErr(http.StatusBadRequest, "Invalid base62 id")
	}
	a, ok := c.cat.AlbumByID(id)
	if !ok {
		return spErr(http.StatusNotFound, "Resource not found")
	}
	return spJSON(http.StatusOK, c.album(a.Index))
}

// spValidID checks the 22-character base-62 form of Spotify ids.
func spValidID(id string) bool {
	if len(id) != 22 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// spParseURI splits "spotify:kind:id" and checks the id's form.
func spParseURI(uri string) (kind, id string, ok bool) {
	const p = "spotify:"
	if len(uri) <= len(p) || uri[:len(p)] != p {
		return "", "", false
	}
	rest := uri[len(p):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == ':' {
			kind, id = rest[:i], rest[i+1:]
			return kind, id, kind != "" && (kind == "user" || spValidID(id))
		}
	}
	return "", "", false
}

// trackURI resolves a track URI to a catalog index.
func (c *spCall) trackURI(uri string) (int, bool) {
	kind, id, ok := spParseURI(uri)
	if !ok || kind != "track" {
		return 0, false
	}
	t, ok := c.cat.TrackByID(id)
	if !ok {
		return 0, false
	}
	return t.Index, true
}
