package actors

import (
	"context"
	"fmt"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream/spotify"
)

// Playlists is one page (limit 1–50) of the user's playlists, owned and
// followed.
func (m *Music) Playlists(ctx context.Context, userID string, limit, offset int) (*PlaylistPage, error) {
	var page *sp.SimplePlaylistPage
	err := m.call(m.request(ctx), userID, "my-playlists", func(ctx context.Context, c *spotify.UserClient) (err error) {
		page, err = c.MyPlaylists(ctx, limit, offset)
		return err
	})
	if err != nil {
		return nil, err
	}
	return playlistPageOf(page), nil
}

// maxItemsPage is the largest page GET /playlists/{id}/items serves in
// development mode.
const maxItemsPage = 50

// PlaylistItems is a window of a playlist's items and how many there are.
type PlaylistItems struct {
	Items []PlaylistTrack
	Total int
}

// PlaylistTracks reads limit items (1–100, as the reference allows) from
// offset, through the 2026 /items endpoint, which serves at most 50 per
// call: a larger window takes two calls. A playlist that does not exist
// or that the user neither owns nor collaborates on (development mode
// serves no one else's items) is ErrPlaylistNotFound.
func (m *Music) PlaylistTracks(ctx context.Context, userID, playlistID string, limit, offset int) (*PlaylistItems, error) {
	ctx = m.request(ctx)
	out := &PlaylistItems{Items: []PlaylistTrack{}}
	for want := limit; want > 0; {
		n := min(want, maxItemsPage)
		var page *sp.PlaylistItemPage
		err := m.call(ctx, userID, "playlist-items", func(ctx context.Context, c *spotify.UserClient) (err error) {
			page, err = c.PlaylistItems(ctx, playlistID, n, offset)
			return err
		})
		if err != nil {
			return nil, playlistError(err)
		}
		for i := range page.Items {
			it := &page.Items[i]
			out.Items = append(out.Items, playlistEntry(it.AddedAt, it.AddedBy, it.IsLocal, it.Track.Track))
		}
		out.Total = int(page.Total)
		if len(page.Items) < n {
			break
		}
		want -= n
		offset += n
	}
	return out, nil
}

// NewPlaylist is a playlist to create for the user.
type NewPlaylist struct {
	Name        string
	Description string
	Public      bool
}

// CreatePlaylist makes a playlist owned by the user (POST /me/playlists:
// no /v1/me lookup first, the reference's extra call).
func (m *Music) CreatePlaylist(ctx context.Context, userID string, p NewPlaylist) (*FullPlaylist, error) {
	var pl *sp.FullPlaylist
	err := m.call(m.request(ctx), userID, "create-playlist", func(ctx context.Context, c *spotify.UserClient) (err error) {
		pl, err = c.CreatePlaylist(ctx, p.Name, p.Description, p.Public)
		return err
	})
	if err != nil {
		return nil, inputError(err, "name")
	}
	return fullPlaylistOf(pl), nil
}

// ModifyPlaylist adds track URIs to the end of a playlist (add) or
// removes every occurrence of them, and returns the new snapshot id.
// Someone else's playlist is ErrPlaylistNotFound.
func (m *Music) ModifyPlaylist(ctx context.Context, userID, playlistID string, add bool, uris []string) (string, error) {
	op, edit := "remove-playlist-items", (*spotify.UserClient).RemovePlaylistItems
	if add {
		op, edit = "add-playlist-items", (*spotify.UserClient).AddPlaylistItems
	}
	var snapshot string
	err := m.call(m.request(ctx), userID, op, func(ctx context.Context, c *spotify.UserClient) (err error) {
		snapshot, err = edit(c, ctx, playlistID, uris)
		return err
	})
	if err != nil {
		return "", inputError(playlistError(err), "trackUris")
	}
	if snapshot == "" {
		return "", fmt.Errorf("spotify %s: answer without snapshot_id: %w", op, ErrUpstreamBadResponse)
	}
	return snapshot, nil
}
