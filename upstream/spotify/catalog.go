package spotify

import (
	"context"

	sp "github.com/zmb3/spotify/v2"
)

// Me is the logged-in user. In development mode country, email and
// product come back empty; ID is what dj keys sessions on.
func (u *UserClient) Me(ctx context.Context) (*sp.PrivateUser, error) {
	var out *sp.PrivateUser
	_, err := u.call(ctx, "me", func(ctx context.Context) (err error) {
		out, err = u.sdk.CurrentUser(ctx)
		return err
	})
	return out, err
}

// Track is one track by id, with its ISRC in ExternalIDs["isrc"].
func (u *UserClient) Track(ctx context.Context, id string) (*sp.FullTrack, error) {
	var out *sp.FullTrack
	_, err := u.call(ctx, "track", func(ctx context.Context) (err error) {
		out, err = u.sdk.GetTrack(ctx, sp.ID(id))
		return err
	})
	return out, err
}

// Artist is one artist by id, with genres. Development mode has no batch
// form, so callers fetch artists one by one (and cache).
func (u *UserClient) Artist(ctx context.Context, id string) (*sp.FullArtist, error) {
	var out *sp.FullArtist
	_, err := u.call(ctx, "artist", func(ctx context.Context) (err error) {
		out, err = u.sdk.GetArtist(ctx, sp.ID(id))
		return err
	})
	return out, err
}

// Album is one album by id with its first page of tracks.
func (u *UserClient) Album(ctx context.Context, id string) (*sp.FullAlbum, error) {
	var out *sp.FullAlbum
	_, err := u.call(ctx, "album", func(ctx context.Context) (err error) {
		out, err = u.sdk.GetAlbum(ctx, sp.ID(id))
		return err
	})
	return out, err
}

// MaxSearchLimit is the largest search page development mode allows
// since February 2026 (it was 50); a larger limit is answered 400.
const MaxSearchLimit = 10

// Search runs a catalog search. q takes free text and field filters
// (artist:, track:, album:, genre:, year:1990-1999, isrc:). limit 0 means
// Spotify's default (5); above MaxSearchLimit the API answers 400, which
// surfaces as upstream.ErrBadRequest.
func (u *UserClient) Search(ctx context.Context, q string, types sp.SearchType, limit int) (*sp.SearchResult, error) {
	var opts []sp.RequestOption
	if limit != 0 {
		opts = append(opts, sp.Limit(limit))
	}
	var out *sp.SearchResult
	_, err := u.call(ctx, "search", func(ctx context.Context) (err error) {
		out, err = u.sdk.Search(ctx, q, types, opts...)
		return err
	})
	return out, err
}
