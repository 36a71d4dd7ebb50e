package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"dj/actors"
	"dj/mix"
)

// Request and response types of the /api/mix routes. The request types
// are the validation: their tags become the JSON Schema every body is
// checked against before a handler runs. Spotify identifiers must be
// base62 (track ids 22 characters), because they end up in upstream URL
// paths. Responses carry the mix types themselves, which are the
// reference's JSON contract.

// MixBPMRange is a tempo window in a request.
type MixBPMRange struct {
	Min float64 `json:"min" minimum:"20" maximum:"220"`
	Max float64 `json:"max" minimum:"20" maximum:"220"`
}

// MixPreferencesBody sets session preferences; absent fields keep their
// value (or default, at start).
type MixPreferencesBody struct {
	AutoFill        *bool        `json:"autoFill,omitempty" doc:"top the queue up to 5 tracks automatically"`
	AvoidGenres     []string     `json:"avoidGenres,omitempty" maxItems:"50" doc:"genres never suggested"`
	FavoriteArtists []string     `json:"favoriteArtists,omitempty" maxItems:"50"`
	BPMLock         *MixBPMRange `json:"bpmLock,omitempty" doc:"suggest only tracks whose known tempo is inside; null removes the lock"`

	// bpmLockNull records an explicit "bpmLock": null (remove the lock).
	bpmLockNull bool
}

// UnmarshalJSON notes an explicit null bpmLock, which absence cannot say.
func (p *MixPreferencesBody) UnmarshalJSON(b []byte) error {
	type plain MixPreferencesBody
	var q plain
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = MixPreferencesBody(q)
	if v, ok := raw["bpmLock"]; ok && bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		p.bpmLockNull = true
	}
	return nil
}

// MixStartRequest is the body of POST /api/mix/start.
type MixStartRequest struct {
	Preferences    *MixPreferencesBody `json:"preferences,omitempty"`
	SeedPlaylistID string              `json:"seedPlaylistId,omitempty" pattern:"^[0-9A-Za-z]{1,64}$" doc:"seed the vibe from this playlist; without it, from your top and recent tracks"`
	Restart        bool                `json:"restart,omitempty" doc:"replace an existing mix; without it an existing mix is returned unchanged"`
}

// MixStartInput is POST /api/mix/start's input.
type MixStartInput struct{ Body MixStartRequest }

// MixSessionResponse carries a whole mix session. GET current answers
// {"session": null} when the user has no mix.
type MixSessionResponse struct {
	Session *mix.Session `json:"session"`
}

// MixEndResponse reports an ended mix.
type MixEndResponse struct {
	Success         bool  `json:"success"`
	SessionDuration int64 `json:"sessionDuration" doc:"whole seconds since the mix started"`
	TracksPlayed    int   `json:"tracksPlayed" doc:"history length (at most 20)"`
}

// MixQueueResponse is the app queue.
type MixQueueResponse struct {
	Queue []mix.QueuedTrack `json:"queue"`
}

// MixQueueEditResponse is the queue after an edit.
type MixQueueEditResponse struct {
	Queue   []mix.QueuedTrack `json:"queue"`
	Success bool              `json:"success"`
}

// MixQueueAddRequest is the body of POST /api/mix/queue/add.
type MixQueueAddRequest struct {
	TrackURI string `json:"trackUri" pattern:"^spotify:track:[0-9A-Za-z]{22}$"`
	Position *int   `json:"position,omitempty" minimum:"0" doc:"0 plays next; absent or past the end appends"`
}

// MixQueueAddInput is POST /api/mix/queue/add's input.
type MixQueueAddInput struct{ Body MixQueueAddRequest }

// MixQueueRemoveInput is DELETE /api/mix/queue/{position}'s input.
type MixQueueRemoveInput struct {
	Position int `path:"position" minimum:"0" maximum:"9" doc:"queue index, 0-based"`
}

// MixReorderRequest is the body of PUT /api/mix/queue/reorder.
type MixReorderRequest struct {
	From int `json:"from" minimum:"0" maximum:"9"`
	To   int `json:"to" minimum:"0" maximum:"9"`
}

// MixReorderInput is PUT /api/mix/queue/reorder's input.
type MixReorderInput struct{ Body MixReorderRequest }

// MixVibeResponse is the current vibe.
type MixVibeResponse struct {
	Vibe mix.Vibe `json:"vibe"`
}

// MixVibeUpdateRequest is the body of PUT /api/mix/vibe; at least one
// field is required.
type MixVibeUpdateRequest struct {
	EnergyLevel     *float64     `json:"energyLevel,omitempty" minimum:"1" maximum:"10"`
	EnergyDirection string       `json:"energyDirection,omitempty" enum:"building,steady,winding_down"`
	BPMRange        *MixBPMRange `json:"bpmRange,omitempty" doc:"replaces the window (it may narrow it)"`
}

// MixVibeUpdateInput is PUT /api/mix/vibe's input.
type MixVibeUpdateInput struct{ Body MixVibeUpdateRequest }

// MixVibeUpdateResponse is the new vibe and the queue rebuilt for it.
type MixVibeUpdateResponse struct {
	Queue []mix.QueuedTrack `json:"queue"`
	Vibe  mix.Vibe          `json:"vibe"`
}

// MixSteerRequest is the body of POST /api/mix/vibe/steer.
type MixSteerRequest struct {
	Direction string `json:"direction" minLength:"1" maxLength:"500" doc:"a preset (\"more energy\", \"go retro\", …) or free text for the AI"`
	Intensity int    `json:"intensity,omitempty" minimum:"1" maximum:"10" doc:"scales relative energy changes; 5 (default) applies them as written"`
}

// MixSteerInput is POST /api/mix/vibe/steer's input.
type MixSteerInput struct{ Body MixSteerRequest }

// MixSteerResponse is what steering changed, the new vibe and the queue.
type MixSteerResponse struct {
	Changes []string          `json:"changes"`
	Queue   []mix.QueuedTrack `json:"queue"`
	Vibe    mix.Vibe          `json:"vibe"`
}

// MixSuggestionsInput is GET /api/mix/suggestions's input.
type MixSuggestionsInput struct {
	Count int `query:"count" minimum:"1" maximum:"10" default:"5"`
}

// MixBasedOn says what suggestions were computed from.
type MixBasedOn struct {
	CurrentTrack string `json:"currentTrack,omitempty" doc:"the latest played track"`
	VibeProfile  string `json:"vibeProfile"`
}

// MixSuggestionsResponse lists scored suggestions, best first.
type MixSuggestionsResponse struct {
	BasedOn     MixBasedOn       `json:"basedOn"`
	Suggestions []mix.Suggestion `json:"suggestions"`
}

// MixSaveRequest is the body of POST /api/mix/save.
type MixSaveRequest struct {
	Name         string `json:"name" minLength:"1" maxLength:"200"`
	Description  string `json:"description,omitempty" maxLength:"500"`
	IncludeQueue *bool  `json:"includeQueue,omitempty" doc:"add the queued tracks after the played ones (default true)"`
	Public       bool   `json:"public,omitempty" doc:"default false (private)"`
}

// MixSaveInput is POST /api/mix/save's input.
type MixSaveInput struct{ Body MixSaveRequest }

// MixSaveResponse is the playlist the mix was saved to.
type MixSaveResponse struct {
	PlaylistID  string `json:"playlistId"`
	PlaylistURL string `json:"playlistUrl"`
	Success     bool   `json:"success" doc:"true when every track was added"`
	TrackCount  int    `json:"trackCount" doc:"tracks actually added"`
}

// MixTrackPlayedRequest is the body of POST /api/mix/playback/track-played.
type MixTrackPlayedRequest struct {
	TrackID  string `json:"trackId" pattern:"^[0-9A-Za-z]{22}$"`
	TrackURI string `json:"trackUri" pattern:"^spotify:track:[0-9A-Za-z]{22}$"`
}

// MixTrackPlayedInput is POST /api/mix/playback/track-played's input.
type MixTrackPlayedInput struct{ Body MixTrackPlayedRequest }

// MixTrackPlayedResponse says whether the play was recorded.
type MixTrackPlayedResponse struct {
	MovedToHistory bool         `json:"movedToHistory"`
	Session        *mix.Session `json:"session"`
	Success        bool         `json:"success"`
}

// MixPreferencesInput is PATCH /api/mix/preferences's input.
type MixPreferencesInput struct{ Body MixPreferencesBody }

// MixPreferencesResponse is the preferences after the change.
type MixPreferencesResponse struct {
	Preferences mix.Preferences `json:"preferences"`
	Session     *mix.Session    `json:"session"`
	Success     bool            `json:"success"`
}

// maxTagLen bounds one genre or artist name in the preferences.
const maxTagLen = 100

// bpmRange checks the order of a window's ends (the schema checks each).
func bpmRange(r *MixBPMRange, field string) (mix.BPMRange, error) {
	if r.Min > r.Max {
		return mix.BPMRange{}, InvalidField("body", field+".min", "must not exceed max")
	}
	return mix.BPMRange{Min: r.Min, Max: r.Max}, nil
}

// cleanTags trims a list of names and rejects blank or over-long ones.
func cleanTags(field string, list []string) ([]string, error) {
	if list == nil {
		return nil, nil
	}
	out := make([]string, 0, len(list))
	for i, t := range list {
		t = strings.TrimSpace(t)
		if t == "" || len(t) > maxTagLen {
			return nil, InvalidField("body", fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("must be 1 to %d characters", maxTagLen))
		}
		out = append(out, t)
	}
	return out, nil
}

// preferencesChange reads a preferences body; prefix roots the field names
// in problems ("preferences." inside a start request).
func preferencesChange(b *MixPreferencesBody, prefix string) (actors.PreferencesPatch, error) {
	p := actors.PreferencesPatch{AutoFill: b.AutoFill, ClearBPMLock: b.bpmLockNull}
	var err error
	if p.AvoidGenres, err = cleanTags(prefix+"avoidGenres", b.AvoidGenres); err != nil {
		return p, err
	}
	if p.FavoriteArtists, err = cleanTags(prefix+"favoriteArtists", b.FavoriteArtists); err != nil {
		return p, err
	}
	if b.BPMLock != nil {
		r, err := bpmRange(b.BPMLock, prefix+"bpmLock")
		if err != nil {
			return p, err
		}
		p.BPMLock = &r
	}
	return p, nil
}

// preferencesPatch is PATCH /api/mix/preferences's change; it must change
// something.
func preferencesPatch(b *MixPreferencesBody) (actors.PreferencesPatch, error) {
	p, err := preferencesChange(b, "")
	if err != nil {
		return p, err
	}
	if p.AutoFill == nil && p.AvoidGenres == nil && p.FavoriteArtists == nil && p.BPMLock == nil && !p.ClearBPMLock {
		return p, InvalidField("body", "", "set at least one of autoFill, avoidGenres, favoriteArtists, bpmLock")
	}
	return p, nil
}

// startPreferences are a new mix's preferences: the defaults with the
// body's fields applied.
func startPreferences(b *MixPreferencesBody) (mix.Preferences, error) {
	p, err := preferencesChange(b, "preferences.")
	prefs := mix.DefaultPreferences()
	if err != nil {
		return prefs, err
	}
	if p.AutoFill != nil {
		prefs.AutoFill = *p.AutoFill
	}
	if p.AvoidGenres != nil {
		prefs.AvoidGenres = p.AvoidGenres
	}
	if p.FavoriteArtists != nil {
		prefs.FavoriteArtists = p.FavoriteArtists
	}
	prefs.BPMLock = p.BPMLock
	return prefs, nil
}
