package actors

import (
	"encoding/json"
	"strings"
	"time"
)

// The player stream's events (GET /api/player/stream, anchor-api §7.5)
// and their payloads. Response validation does not see SSE frames, so
// these Go types are the contract: docs/api.md ("Player stream")
// documents them field by field. Names and fields are the reference's, so
// its SPA could read them; seq is on every event that comes from a poll
// (the reference left it off tick, defect #39).

// Player stream event names.
const (
	PlayerEventConnected   = "connected"
	PlayerEventInit        = "init"
	PlayerEventTrack       = "track"
	PlayerEventState       = "state"
	PlayerEventDevice      = "device"
	PlayerEventModes       = "modes"
	PlayerEventVolume      = "volume"
	PlayerEventContext     = "context"
	PlayerEventIdle        = "idle"
	PlayerEventTick        = "tick"
	PlayerEventQueueLow    = "queue_low"
	PlayerEventError       = "error"
	PlayerEventAuthExpired = "auth_expired"
	PlayerEventReconnect   = "reconnect"
)

// PlayerTrack is the playing track, flattened for the UI.
type PlayerTrack struct {
	ID         string  `json:"id"`
	URI        string  `json:"uri"`
	Name       string  `json:"name"`   // "Unknown" when Spotify sends none
	Artist     string  `json:"artist"` // every artist, joined with ", "
	AlbumName  string  `json:"albumName"`
	AlbumArt   *string `json:"albumArt"` // the first album image, or null
	Duration   int     `json:"duration"` // ms
	Explicit   bool    `json:"explicit"`
	IsLocal    bool    `json:"isLocal"`
	Popularity int     `json:"popularity"`
	PreviewURL *string `json:"previewUrl"`
}

// PlayerDevice is the active Spotify Connect device.
type PlayerDevice struct {
	ID               *string `json:"id"`
	IsPrivateSession bool    `json:"isPrivateSession"`
	IsRestricted     bool    `json:"isRestricted"`
	Name             string  `json:"name"`
	SupportsVolume   bool    `json:"supportsVolume"`
	// Type is lowercase: computer, smartphone, speaker, tv, avr, stb,
	// audio_dongle, game_console, cast_video, cast_audio, automobile or
	// unknown.
	Type          string `json:"type"`
	VolumePercent *int   `json:"volumePercent"`
}

// PlayerContext is what playback walks through.
type PlayerContext struct {
	URI  string `json:"uri"`
	Href string `json:"href"`
	// Type is album, artist, playlist, show or collection (anything else
	// is reported as playlist, as the reference does).
	Type string  `json:"type"`
	Name *string `json:"name"` // always null: resolving it would cost a call
}

// PlayerModes are repeat (off, track or context) and shuffle.
type PlayerModes struct {
	Repeat  string `json:"repeat"`
	Shuffle bool   `json:"shuffle"`
}

// PlayerConnected is the first event of every stream, written before any
// poll has answered.
type PlayerConnected struct {
	Message string `json:"message"`
	// PollingInterval is the poll interval in ms at connect time; it
	// grows when Spotify's lane is busy (see docs/api.md).
	PollingInterval int64 `json:"pollingInterval"`
}

// PlayerInit is the whole playback state: the first event after
// connected (from the user's poller's latest poll when it is recent, else
// from the next one), and again whenever the track appears after idle or
// an ad.
type PlayerInit struct {
	Context     *PlayerContext `json:"context"`
	Device      PlayerDevice   `json:"device"`
	IsPlaying   bool           `json:"isPlaying"`
	Modes       PlayerModes    `json:"modes"`
	PlayingType string         `json:"playingType"` // track, episode, ad or unknown
	Progress    int            `json:"progress"`    // ms
	Seq         uint64         `json:"seq"`
	Timestamp   int64          `json:"timestamp"` // server epoch ms of the state
	Track       *PlayerTrack   `json:"track"`
}

// PlayerTrackChange is a `track` event: the new track and the seq.
type PlayerTrackChange struct {
	PlayerTrack
	Seq uint64 `json:"seq"`
}

// PlayerStateChange is a `state` event: play or pause.
type PlayerStateChange struct {
	IsPlaying bool   `json:"isPlaying"`
	Seq       uint64 `json:"seq"`
}

// PlayerDeviceChange is a `device` event: another device, or its name or
// type changed.
type PlayerDeviceChange struct {
	PlayerDevice
	Seq uint64 `json:"seq"`
}

// PlayerModesChange is a `modes` event.
type PlayerModesChange struct {
	PlayerModes
	Seq uint64 `json:"seq"`
}

// PlayerVolumeChange is a `volume` event: the same device, another
// volume (null is sent as 0).
type PlayerVolumeChange struct {
	Percent int    `json:"percent"`
	Seq     uint64 `json:"seq"`
}

// PlayerContextChange is a `context` event (null: no context).
type PlayerContextChange struct {
	Context *PlayerContext `json:"context"`
	Seq     uint64         `json:"seq"`
}

// PlayerSeq is the payload of `idle`: only the seq.
type PlayerSeq struct {
	Seq uint64 `json:"seq"`
}

// PlayerTick is a `tick` event: the progress while playing, after any
// deltas of the same poll.
type PlayerTick struct {
	P   int    `json:"p"`  // progress, ms
	TS  int64  `json:"ts"` // server epoch ms of the poll
	Seq uint64 `json:"seq"`
}

// PlayerQueueLow is a `queue_low` event: the mix queue is short and
// auto-fill is on; a background refill has been asked for.
type PlayerQueueLow struct {
	Depth int    `json:"depth"`
	Seq   uint64 `json:"seq"`
}

// PlayerError is an `error` event. With retriesRemaining it is
// recoverable (the stream goes on polling); without, it is the stream's
// last event. The message is always dj's own, never upstream text.
type PlayerError struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	RetriesRemaining *int   `json:"retriesRemaining,omitempty"`
}

// PlayerNotice is the payload of auth_expired and reconnect, both the
// stream's last event.
type PlayerNotice struct {
	Message string `json:"message"`
}

// playerEvent frames v; the payload types above always marshal.
func playerEvent(name string, v any) Event {
	b, _ := json.Marshal(v)
	return Event{Name: name, Data: b}
}

// playerReconnect is a stream's last event after its lifetime, and its
// farewell at shutdown: the client reconnects.
func playerReconnect() Event {
	return playerEvent(PlayerEventReconnect, PlayerNotice{Message: "Stream lifetime exceeded"})
}

// playerAuthExpired ends the streams of a user whose Spotify sign-in no
// longer works.
func playerAuthExpired() Event {
	return playerEvent(PlayerEventAuthExpired, PlayerNotice{Message: "Spotify token expired, please refresh"})
}

// playerView is one poll's answer, normalised as the stream reports it.
type playerView struct {
	track       *PlayerTrack
	device      PlayerDevice
	context     *PlayerContext
	modes       PlayerModes
	isPlaying   bool
	playingType string
	progress    int
	at          time.Time // when the answer was parsed
}

// idle is "nothing to show": no active device, or nothing loaded. An ad
// (no item, playingType "ad") is not idle: the device plays, and the
// reference's calling it idle hid it (defect #39).
func (v *playerView) idle() bool { return v.track == nil && v.playingType != "ad" }

// init is the whole state as of v, its progress moved on to now when
// playing (a cached state handed to a stream that joins later).
func (v *playerView) init(seq uint64, now time.Time) PlayerInit {
	progress := v.progress
	if v.isPlaying && now.After(v.at) {
		progress += int(now.Sub(v.at) / time.Millisecond)
		if v.track != nil && v.track.Duration > 0 {
			progress = min(progress, v.track.Duration)
		}
	}
	return PlayerInit{
		Context: v.context, Device: v.device, IsPlaying: v.isPlaying, Modes: v.modes,
		PlayingType: v.playingType, Progress: progress, Seq: seq, Timestamp: now.UnixMilli(), Track: v.track,
	}
}

// idleDevice is the device of an idle state (the reference's shape).
func idleDevice() PlayerDevice {
	return PlayerDevice{Name: "No active device", Type: "unknown"}
}

// viewOf normalises a GET /me/player answer (anchor-api §7.5).
func viewOf(p *PlaybackState, at time.Time) *playerView {
	v := &playerView{device: idleDevice(), modes: PlayerModes{Repeat: "off"}, playingType: "unknown", at: at}
	if p == nil || p.Device == nil {
		return v // 204: no active device
	}
	d := p.Device
	v.device = PlayerDevice{
		ID: d.ID, IsPrivateSession: d.IsPrivateSession, IsRestricted: d.IsRestricted, Name: orDefault(d.Name, "Unknown"),
		SupportsVolume: d.SupportsVolume, Type: oneOf(d.Type, "unknown", deviceTypes...), VolumePercent: d.VolumePercent,
	}
	v.isPlaying = p.IsPlaying
	v.playingType = oneOf(p.CurrentlyPlayingType, "unknown", "track", "episode", "ad")
	if p.ProgressMs != nil {
		v.progress = max(0, *p.ProgressMs)
	}
	v.modes.Repeat = oneOf(p.RepeatState, "off", "track", "context")
	if p.ShuffleState != nil {
		v.modes.Shuffle = *p.ShuffleState
	}
	if c := p.Context; c != nil {
		v.context = &PlayerContext{URI: c.URI, Href: c.Href, Type: oneOf(c.Type, "playlist", "album", "artist", "playlist", "show", "collection")}
	}
	if t := p.Item; t != nil {
		v.track = playerTrackOf(t)
	}
	return v
}

var deviceTypes = []string{"computer", "smartphone", "speaker", "tv", "avr", "stb", "audio_dongle", "game_console", "cast_video", "cast_audio", "automobile"}

func playerTrackOf(t *Track) *PlayerTrack {
	names := make([]string, 0, len(t.Artists))
	for _, a := range t.Artists {
		names = append(names, a.Name)
	}
	out := &PlayerTrack{
		ID: t.ID, URI: t.URI, Name: orDefault(t.Name, "Unknown"), Artist: strings.Join(names, ", "),
		AlbumName: t.Album.Name, Duration: max(0, t.DurationMs), Explicit: t.Explicit, IsLocal: t.IsLocal,
		Popularity: t.Popularity, PreviewURL: t.PreviewURL,
	}
	if len(t.Album.Images) > 0 && t.Album.Images[0].URL != "" {
		art := t.Album.Images[0].URL
		out.AlbumArt = &art
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// oneOf is s lowercased when it is one of allowed, else d.
func oneOf(s, d string, allowed ...string) string {
	s = strings.ToLower(s)
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	return d
}
