package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"dj/actors"
	"dj/mix"
)

// mixRoutes registers /api/mix/* (except the streaming steer and the
// Spotify queue pass-through, registered with their own features). Each
// handler turns its validated input into one call of the Mixes service.
func (s *Server) mixRoutes() {
	const tag = "mix"
	nf, conflict, busy := http.StatusNotFound, http.StatusConflict, http.StatusServiceUnavailable
	handle(s, operation{Method: "POST", Path: "/api/mix/start", ID: "mixStart", Tag: tag, Auth: true,
		Errors:  []int{http.StatusForbidden, busy},
		Summary: "Start a mix seeded from a playlist (or your top and recent tracks); an existing mix is returned unless restart is set"}, s.mixStart)
	handle(s, operation{Method: "GET", Path: "/api/mix/current", ID: "mixCurrent", Tag: tag, Auth: true,
		Summary: "Your current mix, or null; a short queue is topped up in the background"}, s.mixCurrent)
	handle(s, operation{Method: "DELETE", Path: "/api/mix/end", ID: "mixEnd", Tag: tag, Auth: true, Errors: []int{nf},
		Summary: "End the mix: how long it ran and how many tracks it played"}, s.mixEnd)
	handle(s, operation{Method: "GET", Path: "/api/mix/queue", ID: "mixQueue", Tag: tag, Auth: true, Errors: []int{nf},
		Summary: "The mix's queue, next track first"}, s.mixQueue)
	handle(s, operation{Method: "POST", Path: "/api/mix/queue/add", ID: "mixQueueAdd", Tag: tag, Auth: true,
		Errors:  []int{nf, conflict, busy},
		Summary: "Queue a Spotify track at a position (default: at the end); 409 when the queue holds 10"}, s.mixQueueAdd)
	handle(s, operation{Method: "DELETE", Path: "/api/mix/queue/{position}", ID: "mixQueueRemove", Tag: tag, Auth: true,
		Errors:  []int{nf},
		Summary: "Remove the queued track at a position"}, s.mixQueueRemove)
	handle(s, operation{Method: "PUT", Path: "/api/mix/queue/reorder", ID: "mixQueueReorder", Tag: tag, Auth: true,
		Errors:  []int{nf},
		Summary: "Move a queued track from one position to another"}, s.mixQueueReorder)
	handle(s, operation{Method: "GET", Path: "/api/mix/vibe", ID: "mixVibe", Tag: tag, Auth: true, Errors: []int{nf},
		Summary: "The mix's vibe: energy, direction, BPM window, era, genres, mood"}, s.mixVibe)
	handle(s, operation{Method: "PUT", Path: "/api/mix/vibe", ID: "mixVibeUpdate", Tag: tag, Auth: true,
		Errors:  []int{nf, busy},
		Summary: "Set energy, direction or BPM window; the AI's queued picks are replaced for the new vibe"}, s.mixVibeUpdate)
	handle(s, operation{Method: "POST", Path: "/api/mix/vibe/steer", ID: "mixSteer", Tag: tag, Auth: true,
		Errors:  []int{nf, http.StatusUnprocessableEntity, busy},
		Summary: "Steer the vibe by a preset or in your own words (AI); the AI's queued picks are replaced"}, s.mixSteer)
	handle(s, operation{Method: "GET", Path: "/api/mix/suggestions", ID: "mixSuggestions", Tag: tag, Auth: true,
		Errors:  []int{nf, busy},
		Summary: "Scored track suggestions for the mix, best first (nothing is changed)"}, s.mixSuggestions)
	handle(s, operation{Method: "POST", Path: "/api/mix/save", ID: "mixSave", Tag: tag, Auth: true,
		Errors:  []int{http.StatusForbidden, nf, busy},
		Summary: "Save the mix (played tracks oldest first, then the queue) as a playlist in your Spotify account"}, s.mixSave)
	handle(s, operation{Method: "POST", Path: "/api/mix/playback/track-played", ID: "mixTrackPlayed", Tag: tag, Auth: true,
		Errors:  []int{nf, busy},
		Summary: "Record a played track once: out of the queue, into history and the vibe"}, s.mixTrackPlayed)
	handle(s, operation{Method: "PATCH", Path: "/api/mix/preferences", ID: "mixPreferences", Tag: tag, Auth: true,
		Errors:  []int{nf, busy},
		Summary: "Change auto-fill, avoided genres, favourite artists or the BPM lock"}, s.mixPreferences)
}

// mixCtx is the context for the service: the request ID travels into
// every actor message and log line.
func mixCtx(c *Call) context.Context { return actors.WithRequestID(c.Ctx, c.RequestID) }

// mixProblem turns the service's errors into problems; what it does not
// know goes on to the gateway's general mapping.
func mixProblem(err error) error {
	switch {
	case errors.Is(err, actors.ErrNoMix):
		return Problemf(http.StatusNotFound, "no active mix; start one with POST /api/mix/start")
	case errors.Is(err, mix.ErrQueueFull):
		return Problemf(http.StatusConflict, "the queue is full (at most 10 tracks)")
	case errors.Is(err, actors.ErrAIUnavailable):
		return Problemf(http.StatusServiceUnavailable, `AI steering is not available right now; presets such as "more energy" still work`)
	case errors.Is(err, mix.ErrNoAdjustment):
		return Problemf(http.StatusUnprocessableEntity, "the DJ could not turn that into a vibe change; try other words")
	case errors.Is(err, actors.ErrNothingToSave):
		return Problemf(http.StatusBadRequest, "the mix has no tracks to save yet")
	}
	return err
}

// positionProblem names the field of an out-of-range queue index.
func positionProblem(err error, location string) error {
	var fe *mix.FieldError
	if errors.Is(err, mix.ErrInvalidPosition) && errors.As(err, &fe) {
		return InvalidField(location, fe.Field, "no track at that position")
	}
	return mixProblem(err)
}

// queueOf never lets a queue marshal as null.
func queueOf(q []mix.QueuedTrack) []mix.QueuedTrack {
	if q == nil {
		return []mix.QueuedTrack{}
	}
	return q
}

func (s *Server) mixStart(c *Call, in *MixStartInput) (*MixSessionResponse, error) {
	req := actors.StartRequest{SeedPlaylistID: in.Body.SeedPlaylistID, Restart: in.Body.Restart}
	if p := in.Body.Preferences; p != nil {
		prefs, err := startPreferences(p)
		if err != nil {
			return nil, err
		}
		req.Preferences = &prefs
	}
	sess, err := s.deps.Mixes.Start(mixCtx(c), c.Identity.UserID, req)
	switch {
	// Someone else's private playlist answers as a missing one does:
	// a different answer would tell that it exists.
	case errors.Is(err, actors.ErrUpstreamNotFound), errors.Is(err, actors.ErrUpstreamForbidden):
		return nil, InvalidField("body", "seedPlaylistId", "no such playlist")
	case err != nil:
		return nil, mixProblem(err)
	}
	return &MixSessionResponse{Session: sess}, nil
}

func (s *Server) mixCurrent(c *Call, _ *struct{}) (*MixSessionResponse, error) {
	sess, err := s.deps.Mixes.Current(mixCtx(c), c.Identity.UserID)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixSessionResponse{Session: sess}, nil
}

func (s *Server) mixEnd(c *Call, _ *struct{}) (*MixEndResponse, error) {
	st, err := s.deps.Mixes.End(mixCtx(c), c.Identity.UserID)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixEndResponse{Success: true, SessionDuration: st.SessionDuration, TracksPlayed: st.TracksPlayed}, nil
}

func (s *Server) mixQueue(c *Call, _ *struct{}) (*MixQueueResponse, error) {
	q, err := s.deps.Mixes.Queue(mixCtx(c), c.Identity.UserID)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixQueueResponse{Queue: queueOf(q)}, nil
}

func (s *Server) mixQueueAdd(c *Call, in *MixQueueAddInput) (*MixQueueEditResponse, error) {
	q, err := s.deps.Mixes.AddToQueue(mixCtx(c), c.Identity.UserID, in.Body.TrackURI, in.Body.Position)
	if errors.Is(err, actors.ErrUnknownTrack) {
		return nil, InvalidField("body", "trackUri", "Spotify has no such track")
	}
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixQueueEditResponse{Queue: queueOf(q), Success: true}, nil
}

func (s *Server) mixQueueRemove(c *Call, in *MixQueueRemoveInput) (*MixQueueEditResponse, error) {
	q, err := s.deps.Mixes.RemoveFromQueue(mixCtx(c), c.Identity.UserID, in.Position)
	if err != nil {
		return nil, positionProblem(err, "path")
	}
	return &MixQueueEditResponse{Queue: queueOf(q), Success: true}, nil
}

func (s *Server) mixQueueReorder(c *Call, in *MixReorderInput) (*MixQueueEditResponse, error) {
	q, err := s.deps.Mixes.Reorder(mixCtx(c), c.Identity.UserID, in.Body.From, in.Body.To)
	if err != nil {
		return nil, positionProblem(err, "body")
	}
	return &MixQueueEditResponse{Queue: queueOf(q), Success: true}, nil
}

func (s *Server) mixVibe(c *Call, _ *struct{}) (*MixVibeResponse, error) {
	v, err := s.deps.Mixes.Vibe(mixCtx(c), c.Identity.UserID)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixVibeResponse{Vibe: v}, nil
}

func (s *Server) mixVibeUpdate(c *Call, in *MixVibeUpdateInput) (*MixVibeUpdateResponse, error) {
	b := in.Body
	if b.EnergyLevel == nil && b.EnergyDirection == "" && b.BPMRange == nil {
		return nil, InvalidField("body", "", "set at least one of energyLevel, energyDirection, bpmRange")
	}
	patch := mix.VibePatch{EnergyLevel: b.EnergyLevel}
	if b.EnergyDirection != "" {
		d := mix.EnergyDirection(b.EnergyDirection)
		patch.EnergyDirection = &d
	}
	if b.BPMRange != nil {
		r, err := bpmRange(b.BPMRange, "bpmRange")
		if err != nil {
			return nil, err
		}
		patch.BPMRange = &r
	}
	res, err := s.deps.Mixes.SetVibe(mixCtx(c), c.Identity.UserID, patch)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixVibeUpdateResponse{Queue: queueOf(res.Queue), Vibe: res.Vibe}, nil
}

func (s *Server) mixSteer(c *Call, in *MixSteerInput) (*MixSteerResponse, error) {
	direction := strings.TrimSpace(in.Body.Direction)
	if direction == "" {
		return nil, InvalidField("body", "direction", "must not be blank")
	}
	intensity := in.Body.Intensity
	if intensity == 0 {
		intensity = mix.DefaultIntensity
	}
	res, err := s.deps.Mixes.Steer(mixCtx(c), c.Identity.UserID, direction, intensity)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixSteerResponse{Changes: res.Changes, Queue: queueOf(res.Queue), Vibe: res.Vibe}, nil
}

func (s *Server) mixSuggestions(c *Call, in *MixSuggestionsInput) (*MixSuggestionsResponse, error) {
	res, err := s.deps.Mixes.Suggestions(mixCtx(c), c.Identity.UserID, in.Count)
	if err != nil {
		return nil, mixProblem(err)
	}
	sugs := res.Suggestions
	if sugs == nil {
		sugs = []mix.Suggestion{}
	}
	return &MixSuggestionsResponse{
		BasedOn:     MixBasedOn{CurrentTrack: res.CurrentTrack, VibeProfile: res.VibeProfile},
		Suggestions: sugs,
	}, nil
}

func (s *Server) mixSave(c *Call, in *MixSaveInput) (*MixSaveResponse, error) {
	name := strings.TrimSpace(in.Body.Name)
	if name == "" {
		return nil, InvalidField("body", "name", "must not be blank")
	}
	req := actors.SaveRequest{
		Name: name, Description: strings.TrimSpace(in.Body.Description),
		IncludeQueue: in.Body.IncludeQueue == nil || *in.Body.IncludeQueue, Public: in.Body.Public,
	}
	res, err := s.deps.Mixes.Save(mixCtx(c), c.Identity.UserID, req)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixSaveResponse{
		PlaylistID: res.PlaylistID, PlaylistURL: res.PlaylistURL,
		Success: res.TrackCount == res.Requested, TrackCount: res.TrackCount,
	}, nil
}

func (s *Server) mixTrackPlayed(c *Call, in *MixTrackPlayedInput) (*MixTrackPlayedResponse, error) {
	if in.Body.TrackURI != "spotify:track:"+in.Body.TrackID {
		return nil, InvalidField("body", "trackId", "does not match trackUri")
	}
	res, err := s.deps.Mixes.TrackPlayed(mixCtx(c), c.Identity.UserID, in.Body.TrackID, in.Body.TrackURI)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixTrackPlayedResponse{MovedToHistory: res.Moved, Session: res.Session, Success: true}, nil
}

func (s *Server) mixPreferences(c *Call, in *MixPreferencesInput) (*MixPreferencesResponse, error) {
	patch, err := preferencesPatch(&in.Body)
	if err != nil {
		return nil, err
	}
	sess, err := s.deps.Mixes.SetPreferences(mixCtx(c), c.Identity.UserID, patch)
	if err != nil {
		return nil, mixProblem(err)
	}
	return &MixPreferencesResponse{Preferences: sess.Preferences, Session: sess, Success: true}, nil
}
