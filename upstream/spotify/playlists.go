package spotify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream"
)

// MyPlaylists lists the user's playlists (limit 1–50, 0 for Spotify's
// 20). Followed playlists are included; in development mode only owned
// or collaborative ones can have their items read.
//
// Written by hand: the SDK's CurrentUsersPlaylists reads each playlist's
// {href,total} from "tracks", which development mode renamed to "items",
// so every total would be 0.
func (u *UserClient) MyPlaylists(ctx context.Context, limit, offset int) (*sp.SimplePlaylistPage, error) {
	const op = "my-playlists"
	var raw json.RawMessage
	status, err := u.do(ctx, op, http.MethodGet, "me/playlists", pageQuery(limit, offset), nil, &raw)
	if err != nil {
		return nil, err
	}
	page, err := decodePlaylistPage(raw)
	if err != nil {
		return nil, upstream.DecodeError(apiName, op, status, err)
	}
	return page, nil
}

// Playlist is a playlist's metadata; for playlists the user owns or
// collaborates on, Tracks also holds the first page of entries.
//
// Written by hand: development mode embeds the entries under "items"
// (each entry's track under "item"), where the SDK looks for "tracks".
func (u *UserClient) Playlist(ctx context.Context, id string) (*sp.FullPlaylist, error) {
	const op = "playlist"
	var raw json.RawMessage
	status, err := u.do(ctx, op, http.MethodGet, "playlists/"+url.PathEscape(id), nil, nil, &raw)
	if err != nil {
		return nil, err
	}
	pl, err := decodeFullPlaylist(raw)
	if err != nil {
		return nil, upstream.DecodeError(apiName, op, status, err)
	}
	return pl, nil
}

// PlaylistItems is one page (limit 1–50, 0 for Spotify's 20) of a
// playlist's entries. Playlists the user neither owns nor collaborates on
// answer 403 (upstream.ErrForbidden) in development mode.
//
// Written by hand: the SDK's GetPlaylistItems calls the legacy
// /playlists/{id}/tracks, which development mode answers with 403.
func (u *UserClient) PlaylistItems(ctx context.Context, id string, limit, offset int) (*sp.PlaylistItemPage, error) {
	const op = "playlist-items"
	q := pageQuery(limit, offset)
	q.Set("additional_types", "track,episode")
	var raw json.RawMessage
	status, err := u.do(ctx, op, http.MethodGet, "playlists/"+url.PathEscape(id)+"/items", q, nil, &raw)
	if err != nil {
		return nil, err
	}
	page, err := decodeItemPage(raw)
	if err != nil {
		return nil, upstream.DecodeError(apiName, op, status, err)
	}
	return page, nil
}

func pageQuery(limit, offset int) url.Values {
	q := url.Values{}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset != 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return q
}
