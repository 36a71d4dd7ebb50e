package gateway

import (
	"dj/actors"
)

func (s *Server) spotifyMe(c *Call, _ *struct{}) (*actors.Profile, error) {
	p, err := s.deps.Music.Profile(c.Ctx, c.Identity.UserID)
	return p, s.musicError(c, err)
}

func (s *Server) spotifyScopes(c *Call, _ *struct{}) (*actors.ScopeReport, error) {
	r, err := s.deps.Music.Scopes(c.Ctx, c.Identity.UserID)
	return r, s.musicError(c, err)
}

func (s *Server) spotifySearch(c *Call, in *SearchInput) (*actors.SearchResult, error) {
	q := actors.SearchQuery{Query: in.Body.Query, Type: in.Body.Type, Limit: in.Body.Limit}
	r, err := s.deps.Music.Search(c.Ctx, c.Identity.UserID, q)
	return r, s.musicError(c, err)
}

func (s *Server) spotifyPlaylists(c *Call, in *PlaylistsInput) (*actors.PlaylistPage, error) {
	p, err := s.deps.Music.Playlists(c.Ctx, c.Identity.UserID, in.Limit, in.Offset)
	return p, s.musicError(c, err)
}

func (s *Server) spotifyPlaylistTracks(c *Call, in *PlaylistTracksInput) (*PlaylistTracksResponse, error) {
	items, err := s.deps.Music.PlaylistTracks(c.Ctx, c.Identity.UserID, in.ID, in.Limit, in.Offset)
	if err != nil {
		return nil, s.musicError(c, err)
	}
	return &PlaylistTracksResponse{Items: items.Items, Total: items.Total}, nil
}

func (s *Server) spotifyCreatePlaylist(c *Call, in *CreatePlaylistInput) (*actors.FullPlaylist, error) {
	b := in.Body
	p, err := s.deps.Music.CreatePlaylist(c.Ctx, c.Identity.UserID, actors.NewPlaylist{Name: b.Name, Description: b.Description, Public: b.Public})
	return p, s.musicError(c, err)
}

func (s *Server) spotifyModifyPlaylist(c *Call, in *ModifyPlaylistInput) (*ModifyPlaylistResponse, error) {
	b := in.Body
	if err := checkURIs("trackUris", b.TrackURIs, trackURI); err != nil {
		return nil, err
	}
	add := b.Action == "add"
	snapshot, err := s.deps.Music.ModifyPlaylist(c.Ctx, c.Identity.UserID, b.PlaylistID, add, b.TrackURIs)
	if err != nil {
		return nil, s.musicError(c, err)
	}
	action := "removed"
	if add {
		action = "added"
	}
	return &ModifyPlaylistResponse{Action: action, SnapshotID: snapshot, Success: true}, nil
}
