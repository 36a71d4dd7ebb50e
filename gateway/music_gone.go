package gateway

import (
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
)

// goneDetail explains why the reference's token routes are gone.
const goneDetail = "dj keeps Spotify tokens on the server and never hands them to the browser: " +
	"sign in with GET /api/spotify/auth-url, then trade the auth_code for a dj session token with POST /api/auth/exchange"

// goneRoutes registers the reference's POST /api/spotify/token and
// POST /api/spotify/refresh as documented deviations (defects #28, #29):
// they handed Spotify access and refresh tokens to the browser. Each
// answers 410 Gone with a problem saying what to use instead, so a client
// written for the reference fails clearly rather than with a 404.
func (s *Server) goneRoutes() {
	s.gone("/api/spotify/token", "spotifyToken",
		"Removed: exchanged a code for Spotify tokens in the browser; dj keeps them server-side (410)")
	s.gone("/api/spotify/refresh", "spotifyRefresh",
		"Removed: refreshed a Spotify token for the browser; dj refreshes server-side (410)")
}

func (s *Server) gone(path, id, summary string) {
	handle(s, operation{Method: "POST", Path: path, ID: id, Tag: "auth", Status: http.StatusGone, Summary: summary},
		func(*Call, *struct{}) (*struct{}, error) { return nil, Problemf(http.StatusGone, goneDetail) })
	// The document: deprecated, and its only answer is a problem.
	op := s.doc.t.Paths.Value(path).Post
	op.Deprecated = true
	op.Description = goneDetail
	resp := openapi3.NewResponse().WithDescription(http.StatusText(http.StatusGone)).
		WithContent(openapi3.Content{problemContentType: &openapi3.MediaType{Schema: s.doc.problem}})
	op.Responses.Set("410", &openapi3.ResponseRef{Value: resp})
}
