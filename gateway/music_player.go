package gateway

import (
	"math"

	"dj/actors"
)

func (s *Server) playerState(c *Call, _ *struct{}) (*actors.PlaybackState, error) {
	st, err := s.deps.Music.PlayerState(c.Ctx, c.Identity.UserID)
	return st, s.musicError(c, err)
}

func (s *Server) playerDevices(c *Call, _ *struct{}) (*DevicesResponse, error) {
	ds, err := s.deps.Music.Devices(c.Ctx, c.Identity.UserID)
	if err != nil {
		return nil, s.musicError(c, err)
	}
	return &DevicesResponse{Devices: ds}, nil
}

func (s *Server) playerQueue(c *Call, _ *struct{}) (*actors.PlayerQueue, error) {
	q, err := s.deps.Music.Queue(c.Ctx, c.Identity.UserID)
	return q, s.musicError(c, err)
}

func (s *Server) playerPlay(c *Call, in *PlayInput) (*SuccessResponse, error) {
	b := in.Body
	if b.ContextURI != "" && len(b.URIs) > 0 {
		return nil, InvalidField("body", "uris", "give either context_uri or uris, not both")
	}
	if err := checkURIs("uris", b.URIs, playableURI); err != nil {
		return nil, err
	}
	r := actors.PlayRequest{ContextURI: b.ContextURI, URIs: b.URIs, PositionMs: b.PositionMs}
	if o := b.Offset; o != nil {
		if o.Position != nil && o.URI != "" {
			return nil, InvalidField("body", "offset", "give either position or uri, not both")
		}
		if b.ContextURI == "" && len(b.URIs) == 0 {
			return nil, InvalidField("body", "offset", "needs context_uri or uris")
		}
		r.OffsetPosition, r.OffsetURI = o.Position, o.URI
	}
	return s.done(c, s.deps.Music.Play(c.Ctx, c.Identity.UserID, r))
}

func (s *Server) playerPause(c *Call, _ *struct{}) (*SuccessResponse, error) {
	return s.done(c, s.deps.Music.Pause(c.Ctx, c.Identity.UserID))
}

func (s *Server) playerNext(c *Call, _ *struct{}) (*SuccessResponse, error) {
	return s.done(c, s.deps.Music.Next(c.Ctx, c.Identity.UserID))
}

func (s *Server) playerPrevious(c *Call, _ *struct{}) (*SuccessResponse, error) {
	return s.done(c, s.deps.Music.Previous(c.Ctx, c.Identity.UserID))
}

func (s *Server) playerSeek(c *Call, in *SeekInput) (*SuccessResponse, error) {
	return s.done(c, s.deps.Music.Seek(c.Ctx, c.Identity.UserID, in.Body.PositionMs))
}

func (s *Server) playerTransfer(c *Call, in *DeviceInput) (*SuccessResponse, error) {
	return s.done(c, s.deps.Music.Transfer(c.Ctx, c.Identity.UserID, in.Body.DeviceID, in.Body.Play))
}

func (s *Server) playerVolume(c *Call, in *VolumeInput) (*VolumeResponse, error) {
	v := in.Body.VolumePercent
	if err := s.deps.Music.SetVolume(c.Ctx, c.Identity.UserID, int(math.Round(v))); err != nil {
		return nil, s.musicError(c, err)
	}
	return &VolumeResponse{Success: true, VolumePercent: v}, nil
}

func (s *Server) playerQueueAdd(c *Call, in *QueueAddInput) (*QueueAddResponse, error) {
	if err := s.deps.Music.AddToQueue(c.Ctx, c.Identity.UserID, in.Body.URI); err != nil {
		return nil, s.musicError(c, err)
	}
	return &QueueAddResponse{Success: true, URI: in.Body.URI}, nil
}

func (s *Server) mixQueueSpotify(c *Call, in *MixQueueSpotifyInput) (*MixQueueSpotifyResponse, error) {
	err := s.deps.Music.AddToQueue(c.Ctx, c.Identity.UserID, in.Body.TrackURI)
	if err != nil {
		return nil, s.musicError(c, renameField(err, "trackUri"))
	}
	return &MixQueueSpotifyResponse{Queued: true, Success: true}, nil
}

// done answers a player command: {"success":true}, or its problem.
func (s *Server) done(c *Call, err error) (*SuccessResponse, error) {
	if err != nil {
		return nil, s.musicError(c, err)
	}
	return &SuccessResponse{Success: true}, nil
}
