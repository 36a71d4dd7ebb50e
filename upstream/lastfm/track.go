package lastfm

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"dj/upstream"
)

// TrackInfo is what track.getInfo says about a recording. Missing values
// are zero: Last.fm leaves out album, wiki and mbid for many tracks, and
// says duration 0 when it does not know it.
type TrackInfo struct {
	Name      string // Last.fm's spelling, after autocorrect
	Artist    string
	MBID      string
	URL       string
	Duration  time.Duration // Last.fm sends milliseconds here
	Listeners int64
	Playcount int64
	Tags      []string // top tag names, at most about five
	Album     *Album   // nil when Last.fm names no album
	Wiki      *Wiki    // nil when there is no wiki text
}

// Album is the release track.getInfo places a track on.
type Album struct {
	Title    string
	Artist   string
	MBID     string
	URL      string
	Image    string // the largest image offered, "" when none
	Position int    // track number on the album, 0 when unknown
}

// Wiki is user-written text about a track or artist; it contains HTML
// anchors, as Last.fm sends it.
type Wiki struct {
	Published string
	Summary   string
	Content   string
}

// Tag is a tag with its weight relative to the top tag (100).
type Tag struct {
	Name  string
	Count int
	URL   string
}

// SimilarTrack is one entry of track.getSimilar, most similar first.
type SimilarTrack struct {
	Name      string
	Artist    string
	Match     float64 // 0–1
	MBID      string
	URL       string
	Playcount int64
	Duration  time.Duration // Last.fm sends seconds here
}

// Correction is Last.fm's canonical spelling of an artist and track.
type Correction struct {
	Artist          string
	Track           string
	MBID            string
	ArtistCorrected bool // the artist name differed from the input
	TrackCorrected  bool // the track name differed from the input
}

type trackInfoWire struct {
	Track *struct {
		Name      string    `json:"name"`
		MBID      string    `json:"mbid"`
		URL       string    `json:"url"`
		Duration  flexInt   `json:"duration"`
		Listeners flexInt   `json:"listeners"`
		Playcount flexInt   `json:"playcount"`
		Artist    artistRef `json:"artist"`
		Album     *struct {
			Artist artistRef   `json:"artist"`
			Title  string      `json:"title"`
			MBID   string      `json:"mbid"`
			URL    string      `json:"url"`
			Image  list[image] `json:"image"`
			Attr   struct {
				Position flexInt `json:"position"`
			} `json:"@attr"`
		} `json:"album"`
		TopTags lenient[tagList] `json:"toptags"`
		Wiki    *wikiText        `json:"wiki"`
	} `json:"track"`
}

// TrackInfo calls track.getInfo with autocorrect. An unknown track is
// upstream.ErrNotFound (Last.fm error 6).
func (c *Client) TrackInfo(ctx context.Context, artist, track string) (TrackInfo, error) {
	const op = "track.getInfo"
	var w trackInfoWire
	if err := c.call(ctx, op, trackParams(artist, track), &w); err != nil {
		return TrackInfo{}, err
	}
	t := w.Track
	if t == nil {
		return TrackInfo{}, upstream.DecodeError(apiName, op, 200, errMissing("track"))
	}
	info := TrackInfo{
		Name:      t.Name,
		Artist:    t.Artist.Name,
		MBID:      t.MBID,
		URL:       t.URL,
		Duration:  time.Duration(t.Duration) * time.Millisecond,
		Listeners: int64(t.Listeners),
		Playcount: int64(t.Playcount),
	}
	for _, tg := range t.TopTags.V.Tag {
		info.Tags = append(info.Tags, tg.Name)
	}
	if a := t.Album; a != nil && a.Title != "" {
		info.Album = &Album{
			Title:    a.Title,
			Artist:   a.Artist.Name,
			MBID:     a.MBID,
			URL:      a.URL,
			Image:    pickImage(a.Image, "extralarge", "large", "medium", "small"),
			Position: int(a.Attr.Position),
		}
	}
	if t.Wiki != nil && (t.Wiki.Summary != "" || t.Wiki.Content != "") {
		info.Wiki = &Wiki{Published: t.Wiki.Published, Summary: t.Wiki.Summary, Content: t.Wiki.Content}
	}
	return info, nil
}

type topTagsWire struct {
	TopTags *lenient[tagList] `json:"toptags"`
}

func tagsOf(l tagList) []Tag {
	out := make([]Tag, 0, len(l.Tag))
	for _, t := range l.Tag {
		out = append(out, Tag{Name: t.Name, Count: int(t.Count), URL: t.URL})
	}
	return out
}

// TrackTopTags calls track.getTopTags with autocorrect. Last.fm answers
// an unknown track with an empty list, so that is what comes back.
func (c *Client) TrackTopTags(ctx context.Context, artist, track string) ([]Tag, error) {
	const op = "track.getTopTags"
	var w topTagsWire
	if err := c.call(ctx, op, trackParams(artist, track), &w); err != nil {
		return nil, err
	}
	if w.TopTags == nil {
		return nil, upstream.DecodeError(apiName, op, 200, errMissing("toptags"))
	}
	return tagsOf(w.TopTags.V), nil
}

type similarWire struct {
	Similar *lenient[struct {
		Track list[struct {
			Name      string    `json:"name"`
			Playcount flexInt   `json:"playcount"`
			MBID      string    `json:"mbid"`
			Match     flexFloat `json:"match"`
			URL       string    `json:"url"`
			Duration  flexInt   `json:"duration"`
			Artist    artistRef `json:"artist"`
		}] `json:"track"`
	}] `json:"similartracks"`
}

// TrackSimilar calls track.getSimilar with autocorrect; limit ≤ 0 leaves
// Last.fm's default (100). An unknown track gives an empty list.
func (c *Client) TrackSimilar(ctx context.Context, artist, track string, limit int) ([]SimilarTrack, error) {
	const op = "track.getSimilar"
	params := trackParams(artist, track)
	if limit > 0 {
		params.Set("limit", strconv.Itoa(limit))
	}
	var w similarWire
	if err := c.call(ctx, op, params, &w); err != nil {
		return nil, err
	}
	if w.Similar == nil {
		return nil, upstream.DecodeError(apiName, op, 200, errMissing("similartracks"))
	}
	out := make([]SimilarTrack, 0, len(w.Similar.V.Track))
	for _, t := range w.Similar.V.Track {
		out = append(out, SimilarTrack{
			Name:      t.Name,
			Artist:    t.Artist.Name,
			Match:     float64(t.Match),
			MBID:      t.MBID,
			URL:       t.URL,
			Playcount: int64(t.Playcount),
			Duration:  time.Duration(t.Duration) * time.Second,
		})
	}
	return out, nil
}

type correctionWire struct {
	Corrections *lenient[struct {
		Correction list[struct {
			Track struct {
				Name   string    `json:"name"`
				MBID   string    `json:"mbid"`
				Artist artistRef `json:"artist"`
			} `json:"track"`
			Attr struct {
				ArtistCorrected flexBool `json:"artistcorrected"`
				TrackCorrected  flexBool `json:"trackcorrected"`
			} `json:"@attr"`
		}] `json:"correction"`
	}] `json:"corrections"`
}

// TrackCorrection calls track.getCorrection. When Last.fm knows no
// canonical form (it answers a correction without names) the result is
// upstream.ErrNotFound, so callers cache the miss like any other.
func (c *Client) TrackCorrection(ctx context.Context, artist, track string) (Correction, error) {
	const op = "track.getCorrection"
	var w correctionWire
	if err := c.call(ctx, op, url.Values{"artist": {artist}, "track": {track}}, &w); err != nil {
		return Correction{}, err
	}
	if w.Corrections == nil {
		return Correction{}, upstream.DecodeError(apiName, op, 200, errMissing("corrections"))
	}
	for _, corr := range w.Corrections.V.Correction {
		if corr.Track.Name == "" || corr.Track.Artist.Name == "" {
			continue
		}
		return Correction{
			Artist:          corr.Track.Artist.Name,
			Track:           corr.Track.Name,
			MBID:            corr.Track.MBID,
			ArtistCorrected: bool(corr.Attr.ArtistCorrected),
			TrackCorrected:  bool(corr.Attr.TrackCorrected),
		}, nil
	}
	return Correction{}, notFound(op)
}
