package spotify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream"
)

// MaxURIsPerRequest is how many items one add may carry.
const MaxURIsPerRequest = 100

// CreatePlaylist makes a playlist owned by the user and returns it.
//
// Written by hand: the SDK's CreatePlaylistForUser posts to
// /users/{id}/playlists, which development mode removed (403);
// POST /me/playlists is the replacement.
func (u *UserClient) CreatePlaylist(ctx context.Context, name, description string, public bool) (*sp.FullPlaylist, error) {
	const op = "create-playlist"
	body := map[string]any{"name": name, "description": description, "public": public}
	var raw json.RawMessage
	status, err := u.do(ctx, op, http.MethodPost, "me/playlists", nil, body, &raw)
	if err != nil {
		return nil, err
	}
	pl, err := decodeFullPlaylist(raw)
	if err != nil {
		return nil, upstream.DecodeError(apiName, op, status, err)
	}
	return pl, nil
}

// AddPlaylistItems appends up to MaxURIsPerRequest track URIs and returns
// the playlist's new snapshot id. It is not idempotent: a retry after a
// lost answer adds the tracks twice.
//
// Written by hand: the SDK's AddTracksToPlaylist uses the legacy
// /playlists/{id}/tracks path (403 in development mode).
func (u *UserClient) AddPlaylistItems(ctx context.Context, id string, uris []string) (string, error) {
	const op = "add-playlist-items"
	if len(uris) == 0 || len(uris) > MaxURIsPerRequest {
		return "", &upstream.Error{API: apiName, Op: op, Kind: upstream.ErrBadRequest,
			Err: fmt.Errorf("%d URIs: want 1 to %d per request", len(uris), MaxURIsPerRequest)}
	}
	var out struct {
		SnapshotID string `json:"snapshot_id"`
	}
	_, err := u.do(ctx, op, http.MethodPost, "playlists/"+url.PathEscape(id)+"/items", nil, map[string]any{"uris": uris}, &out)
	return out.SnapshotID, err
}

// RemovePlaylistItems removes every occurrence of the given track URIs
// and returns the new snapshot id (legacy path in the SDK, as above; the
// body key is "items" since 2026).
func (u *UserClient) RemovePlaylistItems(ctx context.Context, id string, uris []string) (string, error) {
	const op = "remove-playlist-items"
	items := make([]map[string]string, len(uris))
	for i, uri := range uris {
		items[i] = map[string]string{"uri": uri}
	}
	var out struct {
		SnapshotID string `json:"snapshot_id"`
	}
	_, err := u.do(ctx, op, http.MethodDelete, "playlists/"+url.PathEscape(id)+"/items", nil, map[string]any{"items": items}, &out)
	return out.SnapshotID, err
}

// ReorderPlaylistItems moves rangeLength entries starting at rangeStart
// to before the entry at insertBefore and returns the new snapshot id
// (legacy path in the SDK, as above).
func (u *UserClient) ReorderPlaylistItems(ctx context.Context, id string, rangeStart, insertBefore, rangeLength int) (string, error) {
	const op = "reorder-playlist-items"
	body := map[string]int{"range_start": rangeStart, "insert_before": insertBefore, "range_length": rangeLength}
	var out struct {
		SnapshotID string `json:"snapshot_id"`
	}
	_, err := u.do(ctx, op, http.MethodPut, "playlists/"+url.PathEscape(id)+"/items", nil, body, &out)
	return out.SnapshotID, err
}
