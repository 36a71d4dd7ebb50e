package sim

import (
	"net/http"
	"time"
)

// spPlayBody is the optional body of PUT /me/player/play.
type spPlayBody struct {
	ContextURI string   `json:"context_uri"`
	URIs       []string `json:"uris"`
	Offset     *struct {
		Position *int   `json:"position"`
		URI      string `json:"uri"`
	} `json:"offset"`
	PositionMs *int `json:"position_ms"`
}

// spPlay starts a context or a list of URIs, or resumes when the body
// names neither.
func (s *Server) spPlay(c *spCall) spResult {
	var body spPlayBody
	if !c.decodeBody(&body) {
		return spErr(http.StatusBadRequest, "Malformed json")
	}
	if body.ContextURI != "" && body.URIs != nil {
		return spErr(http.StatusBadRequest, "Only one of context_uri and uris may be given")
	}
	if body.PositionMs != nil && *body.PositionMs < 0 {
		return spErr(http.StatusBadRequest, "Invalid position_ms")
	}
	var ctx *spPlayContext
	switch {
	case body.URIs != nil:
		tracks, bad := c.resolveURIs(body.URIs)
		if bad != nil {
			return *bad
		}
		if len(tracks) == 0 {
			return spErr(http.StatusBadRequest, "No uris provided")
		}
		ctx = &spPlayContext{tracks: tracks}
	case body.ContextURI != "":
		var bad *spResult
		if ctx, bad = s.spContextFor(c, body.ContextURI); bad != nil {
			return *bad
		}
	}
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	if ctx == nil {
		return spResume(c, p, body.PositionMs)
	}
	pos, ok := spOffset(c.cat, ctx, body)
	if !ok {
		return spPlayerErr(http.StatusNotFound, "Player command failed: Track not found in context", "NO_SPECIFIC_TRACK")
	}
	p.ctx, p.pos, p.current, p.fromQueue = ctx, pos, ctx.tracks[pos], false
	p.progress = 0
	if body.PositionMs != nil {
		if d := time.Duration(*body.PositionMs) * time.Millisecond; d < p.duration(c.cat) {
			p.progress = d
		}
	}
	p.playing, p.anchor, p.changed = true, c.now, c.now
	return spNoContent()
}

// spResume continues what is loaded, optionally from position_ms.
func spResume(c *spCall, p *spPlayer, positionMs *int) spResult {
	if p.current < 0 {
		return spPlayerErr(http.StatusForbidden, "Player command failed: Restriction violated", "NO_SPECIFIC_TRACK")
	}
	if positionMs != nil {
		if d := time.Duration(*positionMs) * time.Millisecond; d < p.duration(c.cat) {
			p.progress = d
		}
	}
	p.playing, p.anchor, p.changed = true, c.now, c.now
	return spNoContent()
}

// spOffset resolves the body's offset (a position or a URI) in ctx.
func spOffset(cat *Catalog, ctx *spPlayContext, body spPlayBody) (int, bool) {
	if body.Offset == nil || body.Offset.Position == nil && body.Offset.URI == "" {
		return 0, true
	}
	if body.Offset.Position != nil {
		n := *body.Offset.Position
		return n, n >= 0 && n < len(ctx.tracks)
	}
	for i, t := range ctx.tracks {
		if "spotify:track:"+cat.Tracks[t].ID == body.Offset.URI {
			return i, true
		}
	}
	return 0, false
}

// spContextFor loads the tracks of a playlist, album or artist URI.
func (s *Server) spContextFor(c *spCall, uri string) (*spPlayContext, *spResult) {
	fail := func(r spResult) (*spPlayContext, *spResult) { return nil, &r }
	kind, id, ok := spParseURI(uri)
	if !ok {
		return fail(spErr(http.StatusBadRequest, "Invalid context uri: "+uri))
	}
	var tracks []int
	switch kind {
	case "playlist":
		pl, ok := s.spotify.playlists[id]
		if !ok {
			return fail(spErr(http.StatusNotFound, "Context not found"))
		}
		tracks = pl.trackIndices()
	case "album":
		al, ok := c.cat.AlbumByID(id)
		if !ok {
			return fail(spErr(http.StatusNotFound, "Context not found"))
		}
		tracks = append(tracks, al.Tracks...)
	case "artist":
		a, ok := c.cat.ArtistByID(id)
		if !ok {
			return fail(spErr(http.StatusNotFound, "Context not found"))
		}
		for _, ali := range a.Albums {
			tracks = append(tracks, c.cat.Albums[ali].Tracks...)
		}
	default:
		return fail(spErr(http.StatusBadRequest, "Unsupported context uri: "+uri))
	}
	if len(tracks) == 0 {
		return fail(spPlayerErr(http.StatusForbidden, "Player command failed: Restriction violated", "NO_SPECIFIC_TRACK"))
	}
	return &spPlayContext{uri: uri, kind: kind, tracks: tracks}, nil
}
