package spotify

import (
	"encoding/json"

	sp "github.com/zmb3/spotify/v2"
)

// The decoders below read development-mode JSON into the SDK's types.
// Each first decodes the legacy shape the SDK knows, then overlays what
// development mode moved: the {href,total} summary and the embedded
// entries live under "items" instead of "tracks", and each entry's track
// under "item" (with "track" still sent, deprecated). Reading "item"
// first and falling back to "track" works with both.

// decodePlaylistPage reads GET /me/playlists.
func decodePlaylistPage(raw []byte) (*sp.SimplePlaylistPage, error) {
	var page sp.SimplePlaylistPage
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, err
	}
	var dev struct {
		Items []struct {
			Items *sp.PlaylistTracks `json:"items"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &dev); err != nil {
		return nil, err
	}
	for i := range page.Playlists {
		if i < len(dev.Items) && dev.Items[i].Items != nil {
			page.Playlists[i].Tracks = *dev.Items[i].Items
		}
	}
	return &page, nil
}

// decodeFullPlaylist reads GET /playlists/{id} and POST /me/playlists.
func decodeFullPlaylist(raw []byte) (*sp.FullPlaylist, error) {
	var pl sp.FullPlaylist
	if err := json.Unmarshal(raw, &pl); err != nil {
		return nil, err
	}
	var dev struct {
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &dev); err != nil {
		return nil, err
	}
	if len(dev.Items) > 0 && string(dev.Items) != "null" {
		page, err := decodeTrackPage(dev.Items)
		if err != nil {
			return nil, err
		}
		pl.Tracks = *page
	}
	pl.SimplePlaylist.Tracks = sp.PlaylistTracks{Endpoint: pl.Tracks.Endpoint, Total: pl.Tracks.Total}
	return &pl, nil
}

// decodeTrackPage reads the page (or bare {href,total}) a full playlist
// embeds.
func decodeTrackPage(raw []byte) (*sp.PlaylistTrackPage, error) {
	var page sp.PlaylistTrackPage
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, err
	}
	var dev struct {
		Items []struct {
			Item sp.PlaylistItemTrack `json:"item"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &dev); err != nil {
		return nil, err
	}
	for i := range page.Tracks {
		if i < len(dev.Items) && dev.Items[i].Item.Track != nil {
			page.Tracks[i].Track = *dev.Items[i].Item.Track
		}
	}
	return &page, nil
}

// decodeItemPage reads GET /playlists/{id}/items.
func decodeItemPage(raw []byte) (*sp.PlaylistItemPage, error) {
	var page sp.PlaylistItemPage
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, err
	}
	var dev struct {
		Items []struct {
			Item sp.PlaylistItemTrack `json:"item"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &dev); err != nil {
		return nil, err
	}
	for i := range page.Items {
		if i >= len(dev.Items) {
			break
		}
		if it := dev.Items[i].Item; it.Track != nil || it.Episode != nil {
			page.Items[i].Track = it
		}
	}
	return &page, nil
}
