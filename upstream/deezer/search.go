package deezer

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// MaxSearchLimit is the largest page Deezer serves; larger limits are
// clamped to it.
const MaxSearchLimit = 100

// SearchTrack is a search result. It lacks bpm, gain and release date;
// fetch the full Track by ID for those.
type SearchTrack struct {
	ID           int64
	Title        string
	TitleShort   string
	TitleVersion string
	ISRC         string
	Duration     int // seconds
	Rank         int
	Explicit     bool
	Link         string
	Artist       Artist
	Album        Album
}

// SearchResult is one page of search results. Total is Deezer's count,
// which is approximate for broad queries; Next is the absolute URL of the
// following page, "" on the last one.
type SearchResult struct {
	Tracks []SearchTrack
	Total  int
	Next   string
}

type searchWire struct {
	Data  *[]trackWire `json:"data"`
	Total int          `json:"total"`
	Next  string       `json:"next"`
}

// Search runs a track search (/search) and returns the first page of up
// to limit results (≤ 0 means Deezer's default of 25). No match is an
// empty result, not an error.
func (c *Client) Search(ctx context.Context, q string, limit int) (SearchResult, error) {
	return c.SearchPage(ctx, q, 0, limit)
}

// SearchPage is Search starting at result index.
func (c *Client) SearchPage(ctx context.Context, q string, index, limit int) (SearchResult, error) {
	const op = "search"
	params := url.Values{"q": {q}}
	if index > 0 {
		params.Set("index", strconv.Itoa(index))
	}
	if limit > 0 {
		params.Set("limit", strconv.Itoa(min(limit, MaxSearchLimit)))
	}
	var w searchWire
	if err := c.get(ctx, op, "search", params, &w); err != nil {
		return SearchResult{}, err
	}
	if w.Data == nil {
		return SearchResult{}, upstreamDecode(op, errors.New("response has no data list"))
	}
	out := SearchResult{Total: w.Total, Next: w.Next, Tracks: make([]SearchTrack, 0, len(*w.Data))}
	for _, t := range *w.Data {
		full := t.track()
		out.Tracks = append(out.Tracks, SearchTrack{
			ID:           full.ID,
			Title:        full.Title,
			TitleShort:   full.TitleShort,
			TitleVersion: full.TitleVersion,
			ISRC:         full.ISRC,
			Duration:     full.Duration,
			Rank:         full.Rank,
			Explicit:     full.Explicit,
			Link:         full.Link,
			Artist:       full.Artist,
			Album:        full.Album,
		})
	}
	return out, nil
}

// ISRCQuery is the (undocumented but widely used) search query that
// lists every edition filed under an ISRC.
func ISRCQuery(isrc string) string { return "isrc:" + strings.TrimSpace(isrc) }

// TrackQuery is the advanced query for an artist and title. Deezer has
// no escape for quotes inside a value, so they are dropped.
func TrackQuery(artist, title string) string {
	clean := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, `"`, "")) }
	return `artist:"` + clean(artist) + `" track:"` + clean(title) + `"`
}
