package deezer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Track is a full Deezer track: the only shape that carries bpm, gain and
// release date, which is what dj asks Deezer for.
type Track struct {
	ID           int64
	Title        string // includes the version, e.g. "Song (Remastered)"
	TitleShort   string
	TitleVersion string
	ISRC         string
	Duration     int     // seconds (Spotify uses milliseconds)
	BPM          float64 // 0 means Deezer does not know the tempo
	Gain         float64 // dB, negative; 0 when absent
	Rank         int     // popularity, higher is more popular
	ReleaseDate  string  // YYYY-MM-DD of this edition, not the recording
	Position     int     // track number on the album
	Explicit     bool
	Link         string
	Artist       Artist
	Album        Album
	Contributors []Artist
}

// Artist is an artist as Deezer embeds it in tracks.
type Artist struct {
	ID   int64
	Name string
	Role string // "Main" or "Featured"; only set for contributors
}

// Album is an album as Deezer embeds it in tracks.
type Album struct {
	ID          int64
	Title       string
	Cover       string // the largest cover URL offered
	ReleaseDate string // only on full tracks
}

// flexFloat is a number that may be null or, defensively, a string.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "null" || s == "" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("deezer: %q is not a number: %w", s, err)
	}
	*f = flexFloat(v)
	return nil
}

type artistWire struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

type albumWire struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Cover       string `json:"cover"`
	CoverXL     string `json:"cover_xl"`
	CoverBig    string `json:"cover_big"`
	ReleaseDate string `json:"release_date"`
}

func (a albumWire) album() Album {
	cover := a.CoverXL
	for _, c := range []string{a.CoverBig, a.Cover} {
		if cover == "" {
			cover = c
		}
	}
	return Album{ID: a.ID, Title: a.Title, Cover: cover, ReleaseDate: a.ReleaseDate}
}

type trackWire struct {
	ID             int64        `json:"id"`
	Title          string       `json:"title"`
	TitleShort     string       `json:"title_short"`
	TitleVersion   string       `json:"title_version"`
	ISRC           string       `json:"isrc"`
	Link           string       `json:"link"`
	Duration       flexFloat    `json:"duration"`
	TrackPosition  int          `json:"track_position"`
	Rank           flexFloat    `json:"rank"`
	ReleaseDate    string       `json:"release_date"`
	ExplicitLyrics bool         `json:"explicit_lyrics"`
	BPM            flexFloat    `json:"bpm"`
	Gain           flexFloat    `json:"gain"`
	Contributors   []artistWire `json:"contributors"`
	Artist         artistWire   `json:"artist"`
	Album          albumWire    `json:"album"`
}

func (w trackWire) track() Track {
	t := Track{
		ID:           w.ID,
		Title:        w.Title,
		TitleShort:   w.TitleShort,
		TitleVersion: w.TitleVersion,
		ISRC:         w.ISRC,
		Duration:     int(w.Duration),
		BPM:          float64(w.BPM),
		Gain:         float64(w.Gain),
		Rank:         int(w.Rank),
		ReleaseDate:  w.ReleaseDate,
		Position:     w.TrackPosition,
		Explicit:     w.ExplicitLyrics,
		Link:         w.Link,
		Artist:       Artist{ID: w.Artist.ID, Name: w.Artist.Name},
		Album:        w.Album.album(),
	}
	for _, c := range w.Contributors {
		t.Contributors = append(t.Contributors, Artist(c))
	}
	return t
}

// Track fetches a track by Deezer id (/track/{id}). An unknown id is
// upstream.ErrNotFound (Deezer code 800).
func (c *Client) Track(ctx context.Context, id int64) (Track, error) {
	return c.fullTrack(ctx, "track", "track/"+strconv.FormatInt(id, 10))
}

// TrackByISRC fetches the track Deezer files under an ISRC
// (/track/isrc:{ISRC}). When several editions share the ISRC Deezer picks
// one, not necessarily the best duration match; callers that care search
// with ISRCQuery and choose. An unknown ISRC is upstream.ErrNotFound.
func (c *Client) TrackByISRC(ctx context.Context, isrc string) (Track, error) {
	return c.fullTrack(ctx, "track.isrc", "track/"+url.PathEscape("isrc:"+strings.TrimSpace(isrc)))
}

func (c *Client) fullTrack(ctx context.Context, op, path string) (Track, error) {
	var w trackWire
	if err := c.get(ctx, op, path, nil, &w); err != nil {
		return Track{}, err
	}
	if w.ID == 0 {
		return Track{}, upstreamDecode(op, errors.New("response has no track id"))
	}
	return w.track(), nil
}
