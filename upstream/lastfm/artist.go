package lastfm

import (
	"context"
	"errors"
	"net/url"

	"dj/upstream"
)

// ArtistInfo is what artist.getInfo says about a performer.
type ArtistInfo struct {
	Name      string
	MBID      string
	URL       string
	Listeners int64
	Playcount int64
	OnTour    bool
	Tags      []string        // top tag names
	Similar   []SimilarArtist // a handful of similar artists
	Images    Images          // often Last.fm's generic placeholder
	Bio       Wiki
}

// SimilarArtist is an entry of artist.getInfo's similar list.
type SimilarArtist struct {
	Name string
	URL  string
}

// Images are an artist's pictures by size; "" where there is none.
type Images struct {
	Small  string
	Medium string
	Large  string // large or, failing that, extralarge
}

type artistInfoWire struct {
	Artist *struct {
		Name   string      `json:"name"`
		MBID   string      `json:"mbid"`
		URL    string      `json:"url"`
		Image  list[image] `json:"image"`
		OnTour flexBool    `json:"ontour"`
		Stats  struct {
			Listeners flexInt `json:"listeners"`
			Playcount flexInt `json:"playcount"`
		} `json:"stats"`
		Similar lenient[struct {
			Artist list[struct {
				Name string `json:"name"`
				URL  string `json:"url"`
			}] `json:"artist"`
		}] `json:"similar"`
		Tags lenient[tagList] `json:"tags"`
		Bio  wikiText         `json:"bio"`
	} `json:"artist"`
}

// ArtistInfo calls artist.getInfo with autocorrect. An unknown artist is
// upstream.ErrNotFound.
func (c *Client) ArtistInfo(ctx context.Context, artist string) (ArtistInfo, error) {
	const op = "artist.getInfo"
	var w artistInfoWire
	if err := c.call(ctx, op, url.Values{"artist": {artist}, "autocorrect": {"1"}}, &w); err != nil {
		return ArtistInfo{}, err
	}
	a := w.Artist
	if a == nil {
		return ArtistInfo{}, upstream.DecodeError(apiName, op, 200, errMissing("artist"))
	}
	info := ArtistInfo{
		Name:      a.Name,
		MBID:      a.MBID,
		URL:       a.URL,
		Listeners: int64(a.Stats.Listeners),
		Playcount: int64(a.Stats.Playcount),
		OnTour:    bool(a.OnTour),
		Images: Images{
			Small:  pickImage(a.Image, "small"),
			Medium: pickImage(a.Image, "medium"),
			Large:  pickImage(a.Image, "large", "extralarge"),
		},
		Bio: Wiki{Published: a.Bio.Published, Summary: a.Bio.Summary, Content: a.Bio.Content},
	}
	for _, t := range a.Tags.V.Tag {
		info.Tags = append(info.Tags, t.Name)
	}
	for _, s := range a.Similar.V.Artist {
		info.Similar = append(info.Similar, SimilarArtist{Name: s.Name, URL: s.URL})
	}
	return info, nil
}

// ArtistTopTags calls artist.getTopTags with autocorrect. Unlike the
// track variant, an unknown artist is upstream.ErrNotFound.
func (c *Client) ArtistTopTags(ctx context.Context, artist string) ([]Tag, error) {
	const op = "artist.getTopTags"
	var w topTagsWire
	if err := c.call(ctx, op, url.Values{"artist": {artist}, "autocorrect": {"1"}}, &w); err != nil {
		return nil, err
	}
	if w.TopTags == nil {
		return nil, upstream.DecodeError(apiName, op, 200, errMissing("toptags"))
	}
	return tagsOf(w.TopTags.V), nil
}

// errMissing reports a success body without the object the method
// promises, which is as unusable as one that does not parse.
func errMissing(field string) error {
	return errors.New("response has no " + field + " object")
}
