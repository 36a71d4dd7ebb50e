package sim

import (
	"net/http"
	"strconv"
	"time"
)

type spDeviceJSON struct {
	ID               *string `json:"id"`
	IsActive         bool    `json:"is_active"`
	IsPrivateSession bool    `json:"is_private_session"`
	IsRestricted     bool    `json:"is_restricted"`
	Name             string  `json:"name"`
	SupportsVolume   bool    `json:"supports_volume"`
	Type             string  `json:"type"`
	VolumePercent    *int    `json:"volume_percent"`
}

type spContextJSON struct {
	ExternalURLs spExternalURLs `json:"external_urls"`
	Href         string         `json:"href"`
	Type         string         `json:"type"`
	URI          string         `json:"uri"`
}

type spActions struct {
	Disallows map[string]bool `json:"disallows"`
}

// spPlayback is GET /me/player; currently-playing is the same object
// without device, repeat_state and shuffle_state.
type spPlayback struct {
	Device               *spDeviceJSON  `json:"device,omitempty"`
	RepeatState          string         `json:"repeat_state,omitempty"`
	ShuffleState         *bool          `json:"shuffle_state,omitempty"`
	Context              *spContextJSON `json:"context"`
	Timestamp            int64          `json:"timestamp"`
	ProgressMs           *int           `json:"progress_ms"`
	IsPlaying            bool           `json:"is_playing"`
	Item                 *spTrack       `json:"item"`
	CurrentlyPlayingType string         `json:"currently_playing_type"`
	Actions              spActions      `json:"actions"`
}

type spQueueJSON struct {
	CurrentlyPlaying *spTrack  `json:"currently_playing"`
	Queue            []spTrack `json:"queue"`
}

func (s *Server) mountSpotifyPlayer(h func(string, func(*spCall) spResult, ...string)) {
	read, modify := spScopePlaybackRead, spScopePlaybackModify
	h("GET /v1/me/player", s.spPlayerState, read)
	h("PUT /v1/me/player", s.spTransfer, modify)
	h("GET /v1/me/player/currently-playing", s.spCurrentlyPlaying, spScopeCurrentlyRead, read)
	h("GET /v1/me/player/devices", s.spDevices, read)
	h("GET /v1/me/player/queue", s.spGetQueue, spScopeCurrentlyRead, read)
	h("POST /v1/me/player/queue", s.spAddToQueue, modify)
	h("PUT /v1/me/player/play", s.spPlay, modify)
	h("PUT /v1/me/player/pause", s.spPause, modify)
	h("POST /v1/me/player/next", s.spNext, modify)
	h("POST /v1/me/player/previous", s.spPrevious, modify)
	h("PUT /v1/me/player/seek", s.spSeek, modify)
	h("PUT /v1/me/player/volume", s.spVolume, modify)
	h("PUT /v1/me/player/repeat", s.spRepeat, modify)
	h("PUT /v1/me/player/shuffle", s.spShuffle, modify)
}

func (v spView) device(p *spPlayer, i int) spDeviceJSON {
	d := p.devices[i]
	return spDeviceJSON{
		ID: &d.id, IsActive: i == p.active, Name: d.name, SupportsVolume: true,
		Type: d.kind, VolumePercent: spIntPtr(d.volume),
	}
}

func (v spView) playContext(ctx *spPlayContext) *spContextJSON {
	if ctx == nil || ctx.uri == "" {
		return nil
	}
	_, id, _ := spParseURI(ctx.uri)
	return &spContextJSON{
		ExternalURLs: spOpenURL(ctx.kind, id),
		Href:         v.base + "/" + ctx.kind + "s/" + id,
		Type:         ctx.kind,
		URI:          ctx.uri,
	}
}

// playback renders the player; full adds device, repeat and shuffle.
func (v spView) playback(p *spPlayer, full bool) spPlayback {
	out := spPlayback{
		Timestamp:            p.changed.UnixMilli(),
		IsPlaying:            p.playing,
		CurrentlyPlayingType: "track",
		Actions:              spActions{Disallows: map[string]bool{}},
	}
	if p.current >= 0 {
		t := v.track(p.current)
		out.Item = &t
		out.ProgressMs = spIntPtr(int(p.progress / time.Millisecond))
		if !p.fromQueue {
			out.Context = v.playContext(p.ctx)
		}
	} else {
		out.CurrentlyPlayingType = "unknown"
	}
	if p.playing {
		out.Actions.Disallows["resuming"] = true
	} else {
		out.Actions.Disallows["pausing"] = true
	}
	if p.ctx == nil || p.pos == 0 && !p.fromQueue {
		out.Actions.Disallows["skipping_prev"] = true
	}
	if full && p.active >= 0 {
		d := v.device(p, p.active)
		out.Device = &d
		out.RepeatState = p.repeat
		out.ShuffleState = &p.shuffle
	}
	return out
}

func (s *Server) spPlayerState(c *spCall) spResult {
	p := &c.user.player
	if p.active < 0 {
		return spNoContent()
	}
	p.settle(c.cat, c.now)
	return spJSON(http.StatusOK, c.playback(p, true))
}

func (s *Server) spCurrentlyPlaying(c *spCall) spResult {
	p := &c.user.player
	if p.active < 0 || p.current < 0 {
		return spNoContent()
	}
	p.settle(c.cat, c.now)
	return spJSON(http.StatusOK, c.playback(p, false))
}

func (s *Server) spDevices(c *spCall) spResult {
	p := &c.user.player
	out := make([]spDeviceJSON, len(p.devices))
	for i := range p.devices {
		out[i] = c.device(p, i)
	}
	return spJSON(http.StatusOK, map[string]any{"devices": out})
}

func (s *Server) spGetQueue(c *spCall) spResult {
	p := &c.user.player
	p.settle(c.cat, c.now)
	out := spQueueJSON{Queue: spRender(p.upcoming(20), c.track)}
	if p.current >= 0 {
		t := c.track(p.current)
		out.CurrentlyPlaying = &t
	}
	return spJSON(http.StatusOK, out)
}

// command runs the checks every playback-changing command shares:
// Premium, the optional device_id (which also makes that device active)
// and an active device. It settles playback to now.
func (c *spCall) command() (*spPlayer, *spResult) {
	fail := func(r spResult) (*spPlayer, *spResult) { return nil, &r }
	if !c.user.premium {
		return fail(spPlayerErr(http.StatusForbidden, "Player command failed: Premium required", "PREMIUM_REQUIRED"))
	}
	p := &c.user.player
	p.settle(c.cat, c.now)
	if id := c.r.URL.Query().Get("device_id"); id != "" {
		i := p.deviceIndex(id)
		if i < 0 {
			return fail(spErr(http.StatusNotFound, "Device not found"))
		}
		p.active = i
	}
	if p.active < 0 {
		return fail(spPlayerErr(http.StatusNotFound, "Player command failed: No active device found", "NO_ACTIVE_DEVICE"))
	}
	return p, nil
}

func (s *Server) spAddToQueue(c *spCall) spResult {
	uri := c.r.URL.Query().Get("uri")
	kind, _, ok := spParseURI(uri)
	if !ok || kind != "track" && kind != "episode" {
		return spErr(http.StatusBadRequest, "Invalid track uri: "+uri)
	}
	ti, ok := c.trackURI(uri)
	if !ok {
		return spErr(http.StatusNotFound, "Non existing id: "+uri)
	}
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	if len(p.queue) >= spMaxQueue {
		return spPlayerErr(http.StatusForbidden, "Player command failed: Restriction violated", "UNKNOWN")
	}
	p.queue = append(p.queue, ti)
	return spNoContent()
}

func (s *Server) spNext(c *spCall) spResult {
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	p.skip(c.now)
	return spNoContent()
}

func (s *Server) spPrevious(c *spCall) spResult {
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	p.back(c.now)
	return spNoContent()
}

func (s *Server) spPause(c *spCall) spResult {
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	if !p.playing {
		return spPlayerErr(http.StatusForbidden, "Player command failed: Restriction violated", "ALREADY_PAUSED")
	}
	p.playing, p.changed = false, c.now
	return spNoContent()
}

// spSeek moves within the track; a position past its end skips to the
// next track, as Spotify does.
func (s *Server) spSeek(c *spCall) spResult {
	ms, err := strconv.Atoi(c.r.URL.Query().Get("position_ms"))
	if err != nil || ms < 0 {
		return spErr(http.StatusBadRequest, "Missing or invalid position_ms")
	}
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	if p.current < 0 {
		return spPlayerErr(http.StatusForbidden, "Player command failed: Restriction violated", "NOT_PLAYING_TRACK")
	}
	if pos := time.Duration(ms) * time.Millisecond; pos < p.duration(c.cat) {
		p.progress, p.anchor, p.changed = pos, c.now, c.now
		return spNoContent()
	}
	p.skip(c.now)
	return spNoContent()
}

func (s *Server) spVolume(c *spCall) spResult {
	v, err := strconv.Atoi(c.r.URL.Query().Get("volume_percent"))
	if err != nil || v < 0 || v > 100 {
		return spErr(http.StatusBadRequest, "Invalid volume_percent; must be between 0 and 100")
	}
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	p.devices[p.active].volume = v
	return spNoContent()
}

func (s *Server) spRepeat(c *spCall) spResult {
	state := c.r.URL.Query().Get("state")
	if state != "track" && state != "context" && state != "off" {
		return spErr(http.StatusBadRequest, "Invalid state; must be track, context or off")
	}
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	p.repeat = state
	return spNoContent()
}

func (s *Server) spShuffle(c *spCall) spResult {
	on, err := strconv.ParseBool(c.r.URL.Query().Get("state"))
	if err != nil {
		return spErr(http.StatusBadRequest, "Invalid state; must be true or false")
	}
	p, bad := c.command()
	if bad != nil {
		return *bad
	}
	p.shuffle = on
	return spNoContent()
}

// spTransfer is PUT /me/player {"device_ids":[id],"play":bool}: exactly
// one device; play true starts playback, absent or false keeps the state.
func (s *Server) spTransfer(c *spCall) spResult {
	var body struct {
		DeviceIDs []string `json:"device_ids"`
		Play      *bool    `json:"play"`
	}
	if !c.decodeBody(&body) {
		return spErr(http.StatusBadRequest, "Malformed json")
	}
	if len(body.DeviceIDs) != 1 {
		return spErr(http.StatusBadRequest, "Exactly one device_id must be given")
	}
	if !c.user.premium {
		return spPlayerErr(http.StatusForbidden, "Player command failed: Premium required", "PREMIUM_REQUIRED")
	}
	p := &c.user.player
	p.settle(c.cat, c.now)
	i := p.deviceIndex(body.DeviceIDs[0])
	if i < 0 {
		return spErr(http.StatusNotFound, "Device not found")
	}
	p.active = i
	if body.Play != nil && *body.Play && p.current >= 0 {
		p.playing, p.changed = true, c.now
	}
	return spNoContent()
}
