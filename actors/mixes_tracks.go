package actors

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dj/mix"
	"dj/upstream/spotify"

	sp "github.com/zmb3/spotify/v2"
)

// unknownArtist names a track whose artist Spotify did not give.
const unknownArtist = "Unknown Artist"

// trackInfo is what the mix service uses of a Spotify track.
type trackInfo struct {
	id, uri, name string
	artists       []string // names, primary first
	artistIDs     []string
	albumArt      string
	releaseDate   string
	isrc          string
	durationMs    int
	popularity    *int
}

// fromFullTrack reads a catalog or playlist track.
func fromFullTrack(t *sp.FullTrack) trackInfo {
	info := fromSimpleTrack(t.SimpleTrack)
	info.albumArt = firstImage(t.Album.Images)
	info.releaseDate = t.Album.ReleaseDate
	if isrc := t.ExternalIDs["isrc"]; isrc != "" {
		info.isrc = isrc
	}
	pop := int(t.Popularity)
	info.popularity = &pop
	return info
}

// fromSimpleTrack reads a track without popularity (recently played).
func fromSimpleTrack(t sp.SimpleTrack) trackInfo {
	info := trackInfo{
		id: string(t.ID), uri: string(t.URI), name: t.Name, durationMs: int(t.Duration),
		albumArt: firstImage(t.Album.Images), releaseDate: t.Album.ReleaseDate, isrc: t.ExternalIDs.ISRC,
	}
	if info.uri == "" && info.id != "" {
		info.uri = "spotify:track:" + info.id
	}
	for _, a := range t.Artists {
		info.artists = append(info.artists, a.Name)
		info.artistIDs = append(info.artistIDs, string(a.ID))
	}
	return info
}

// firstImage is the widest image's URL, when it is an http(s) link.
func firstImage(imgs []sp.Image) string {
	for _, im := range imgs {
		if strings.HasPrefix(im.URL, "https://") || strings.HasPrefix(im.URL, "http://") {
			return im.URL
		}
	}
	return ""
}

// artist is the primary artist's name.
func (t trackInfo) artist() string {
	if len(t.artists) == 0 || strings.TrimSpace(t.artists[0]) == "" {
		return unknownArtist
	}
	return t.artists[0]
}

// usable reports whether the track can enter a mix.
func (t trackInfo) usable() bool {
	return t.id != "" && strings.HasPrefix(t.uri, "spotify:track:")
}

// queued is the track as a queue entry.
func (t trackInfo) queued(by mix.AddedBy, reason string, score int) mix.QueuedTrack {
	return mix.QueuedTrack{
		AddedBy: by, AlbumArt: t.albumArt, Artist: t.artist(), Name: t.name,
		Reason: reason, TrackID: t.id, TrackURI: t.uri, VibeScore: score,
	}
}

// candidate is the track as a suggestion candidate (enrichment added later).
func (t trackInfo) candidate(reason string, genres []string) mix.Candidate {
	return mix.Candidate{
		TrackID: t.id, TrackURI: t.uri, Name: t.name, Artist: t.artist(), AlbumArt: t.albumArt,
		ReleaseDate: t.releaseDate, Genres: append([]string{}, genres...), Reason: reason,
	}
}

// ref is the track as an enrichment lookup.
func (t trackInfo) ref() TrackRef {
	return TrackRef{ID: t.id, ISRC: t.isrc, Artist: t.artist(), Name: t.name, DurationMs: t.durationMs}
}

// seed is the track as a seed for session start.
func (t trackInfo) seed() mix.SeedTrack {
	return mix.SeedTrack{URI: t.uri, ArtistNames: append([]string{}, t.artists...), Popularity: t.popularity, ReleaseDate: t.releaseDate}
}

// played is the track as a history entry.
func (t trackInfo) played() mix.PlayedTrack {
	return mix.PlayedTrack{AlbumArt: t.albumArt, Artist: t.artist(), Name: t.name, TrackID: t.id, TrackURI: t.uri}
}

// trackIDOf takes the id out of a track URI ("spotify:track:<id>").
func trackIDOf(uri string) (string, bool) {
	id, ok := strings.CutPrefix(uri, "spotify:track:")
	return id, ok && validSpotifyID(id)
}

// validSpotifyID accepts base62 ids (Spotify's are 22 characters). Ids go
// into URL paths, so nothing else is let through (the reference
// interpolated them unchecked).
func validSpotifyID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// spotifyClient is the user's Web API client with a fresh token.
func (m *Mixes) spotifyClient(ctx context.Context, userID string) (*spotify.UserClient, error) {
	c, err := m.deps.Login.SpotifyClient(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("spotify client for mix: %w", err)
	}
	return c, nil
}

// track fetches one track's details. An id Spotify does not know is
// ErrUnknownTrack.
func (m *Mixes) track(ctx context.Context, c *spotify.UserClient, id string) (trackInfo, error) {
	if !validSpotifyID(id) {
		return trackInfo{}, ErrUnknownTrack
	}
	var t *sp.FullTrack
	err := m.sys.Do(ctx, LaneSpotify, "mix.track", func(ctx context.Context) (err error) {
		t, err = c.Track(ctx, id)
		return err
	})
	switch {
	case errors.Is(err, ErrUpstreamNotFound), errors.Is(err, ErrUpstreamBadRequest):
		return trackInfo{}, fmt.Errorf("track %s: %w", id, ErrUnknownTrack)
	case err != nil:
		return trackInfo{}, fmt.Errorf("track details: %w", err)
	case t == nil:
		return trackInfo{}, ErrUnknownTrack
	}
	info := fromFullTrack(t)
	if !info.usable() {
		return trackInfo{}, ErrUnknownTrack
	}
	return info, nil
}

// searchTracks runs one track search (at most spotify.MaxSearchLimit).
func (m *Mixes) searchTracks(ctx context.Context, c *spotify.UserClient, q string, limit int) ([]trackInfo, error) {
	var res *sp.SearchResult
	err := m.sys.Do(ctx, LaneSpotify, "mix.search", func(ctx context.Context) (err error) {
		res, err = c.Search(ctx, q, sp.SearchTypeTrack, min(limit, spotify.MaxSearchLimit))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search tracks: %w", err)
	}
	var out []trackInfo
	if res != nil && res.Tracks != nil {
		for i := range res.Tracks.Tracks {
			if t := fromFullTrack(&res.Tracks.Tracks[i]); t.usable() {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// quoteTerm makes a value safe inside a quoted search filter.
func quoteTerm(s string) string {
	return `"` + strings.TrimSpace(strings.ReplaceAll(s, `"`, " ")) + `"`
}
