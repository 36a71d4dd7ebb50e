package actors

import (
	sp "github.com/zmb3/spotify/v2"

	"dj/upstream/spotify"
)

// Conversions from the SDK's types to the pass-through shapes. Each one
// turns the SDK's zero values back into Spotify's nulls where Appendix A
// allows null, and never returns a nil slice (it would encode as null).

func urlsOf(m map[string]string) ExternalURLs { return ExternalURLs{Spotify: m["spotify"]} }

// optInt is n, or nil for the SDK's 0 that stands for Spotify's null.
func optInt(n sp.Numeric) *int {
	if n <= 0 {
		return nil
	}
	v := int(n)
	return &v
}

// optString is s, or nil for the SDK's "" that stands for Spotify's null.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// orKind fills the constant "type" field when the SDK left it empty.
func orKind(got, kind string) string {
	if got == "" {
		return kind
	}
	return got
}

func imagesOf(in []sp.Image) []Image {
	out := make([]Image, 0, len(in))
	for _, im := range in {
		out = append(out, Image{URL: im.URL, Height: optInt(im.Height), Width: optInt(im.Width)})
	}
	return out
}

func stringsOf(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}

func followersOf(f sp.Followers) Followers {
	return Followers{Href: optString(f.Endpoint), Total: int(f.Count)}
}

func artistOf(a sp.SimpleArtist) Artist {
	return Artist{
		ExternalURLs: urlsOf(a.ExternalURLs), Href: a.Endpoint, ID: string(a.ID),
		Name: a.Name, Type: "artist", URI: string(a.URI),
	}
}

func artistsOf(in []sp.SimpleArtist) []Artist {
	out := make([]Artist, 0, len(in))
	for _, a := range in {
		out = append(out, artistOf(a))
	}
	return out
}

func fullArtistOf(a sp.FullArtist) FullArtist {
	return FullArtist{
		Artist: artistOf(a.SimpleArtist), Genres: stringsOf(a.Genres), Images: imagesOf(a.Images),
		Popularity: int(a.Popularity), Followers: followersOf(a.Followers),
	}
}

func albumOf(a sp.SimpleAlbum) Album {
	return Album{
		AlbumType: a.AlbumType, Artists: artistsOf(a.Artists), ExternalURLs: urlsOf(a.ExternalURLs),
		Href: a.Endpoint, ID: string(a.ID), Images: imagesOf(a.Images), Name: a.Name,
		ReleaseDate: a.ReleaseDate, ReleaseDatePrecision: a.ReleaseDatePrecision,
		TotalTracks: int(a.TotalTracks), Type: "album", URI: string(a.URI),
	}
}

func trackOf(t *sp.FullTrack) Track {
	return Track{
		Album: albumOf(t.Album), Artists: artistsOf(t.Artists),
		DiscNumber: int(t.DiscNumber), DurationMs: int(t.Duration), Explicit: t.Explicit,
		ExternalIDs:  ExternalIDs{ISRC: t.ExternalIDs["isrc"], EAN: t.ExternalIDs["ean"], UPC: t.ExternalIDs["upc"]},
		ExternalURLs: urlsOf(t.ExternalURLs), Href: t.Endpoint, ID: string(t.ID),
		Name: t.Name, Popularity: int(t.Popularity), PreviewURL: optString(t.PreviewURL),
		TrackNumber: int(t.TrackNumber), Type: orKind(t.Type, "track"), URI: string(t.URI),
	}
}

// optTrack is the track, or nil when the SDK decoded a null (no id).
func optTrack(t *sp.FullTrack) *Track {
	if t == nil || t.ID == "" {
		return nil
	}
	out := trackOf(t)
	return &out
}

func tracksOf(in []sp.FullTrack) []Track {
	out := make([]Track, 0, len(in))
	for i := range in {
		out = append(out, trackOf(&in[i]))
	}
	return out
}

func ownerOf(u sp.User) PlaylistOwner {
	return PlaylistOwner{
		DisplayName: optString(u.DisplayName), ExternalURLs: urlsOf(u.ExternalURLs),
		Href: u.Endpoint, ID: u.ID, Type: "user", URI: string(u.URI),
	}
}

func playlistBaseOf(p *sp.SimplePlaylist) PlaylistBase {
	return PlaylistBase{
		Collaborative: p.Collaborative, Description: p.Description, ExternalURLs: urlsOf(p.ExternalURLs),
		Href: p.Endpoint, ID: string(p.ID), Images: imagesOf(p.Images), Name: p.Name,
		Owner: ownerOf(p.Owner), Public: p.IsPublic, SnapshotID: p.SnapshotID,
		Type: "playlist", URI: string(p.URI),
	}
}

func playlistOf(p *sp.SimplePlaylist) Playlist {
	return Playlist{
		PlaylistBase: playlistBaseOf(p),
		Tracks:       PlaylistItemsRef{Href: p.Tracks.Endpoint, Total: int(p.Tracks.Total)},
	}
}

func fullPlaylistOf(p *sp.FullPlaylist) *FullPlaylist {
	items := make([]PlaylistTrack, 0, len(p.Tracks.Tracks))
	for i := range p.Tracks.Tracks {
		it := &p.Tracks.Tracks[i]
		items = append(items, playlistEntry(it.AddedAt, it.AddedBy, it.IsLocal, &it.Track))
	}
	tp := &p.Tracks
	return &FullPlaylist{
		PlaylistBase: playlistBaseOf(&p.SimplePlaylist),
		Followers:    followersOf(p.Followers),
		Tracks: PlaylistTrackPage{
			Page:  pageOf(tp.Endpoint, tp.Limit, tp.Offset, tp.Total, tp.Next, tp.Previous),
			Items: items,
		},
	}
}

// playlistEntry builds one playlist item; episodes and unavailable
// tracks have a null track.
func playlistEntry(addedAt string, by sp.User, local bool, t *sp.FullTrack) PlaylistTrack {
	e := PlaylistTrack{AddedAt: optString(addedAt), IsLocal: local, Track: optTrack(t)}
	if by.ID != "" {
		owner := ownerOf(by)
		e.AddedBy = &owner
	}
	return e
}

func pageOf(href string, limit, offset, total sp.Numeric, next, previous string) Page {
	return Page{
		Href: href, Limit: int(limit), Offset: int(offset), Total: int(total),
		Next: optString(next), Previous: optString(previous),
	}
}

func playlistPageOf(p *sp.SimplePlaylistPage) *PlaylistPage {
	items := make([]Playlist, 0, len(p.Playlists))
	for i := range p.Playlists {
		items = append(items, playlistOf(&p.Playlists[i]))
	}
	return &PlaylistPage{Page: pageOf(p.Endpoint, p.Limit, p.Offset, p.Total, p.Next, p.Previous), Items: items}
}

func searchResultOf(r *sp.SearchResult) *SearchResult {
	out := &SearchResult{}
	if p := r.Tracks; p != nil {
		out.Tracks = &TrackPage{Page: pageOf(p.Endpoint, p.Limit, p.Offset, p.Total, p.Next, p.Previous), Items: tracksOf(p.Tracks)}
	}
	if p := r.Artists; p != nil {
		items := make([]FullArtist, 0, len(p.Artists))
		for _, a := range p.Artists {
			items = append(items, fullArtistOf(a))
		}
		out.Artists = &ArtistPage{Page: pageOf(p.Endpoint, p.Limit, p.Offset, p.Total, p.Next, p.Previous), Items: items}
	}
	if p := r.Albums; p != nil {
		items := make([]Album, 0, len(p.Albums))
		for _, a := range p.Albums {
			items = append(items, albumOf(a))
		}
		out.Albums = &AlbumPage{Page: pageOf(p.Endpoint, p.Limit, p.Offset, p.Total, p.Next, p.Previous), Items: items}
	}
	if p := r.Playlists; p != nil {
		out.Playlists = playlistPageOf(p)
	}
	return out
}

func deviceOf(d spotify.Device) Device {
	return Device{
		ID: d.ID, IsActive: d.IsActive, IsPrivateSession: d.IsPrivateSession, IsRestricted: d.IsRestricted,
		Name: d.Name, Type: d.Type, VolumePercent: d.VolumePercent, SupportsVolume: d.SupportsVolume,
	}
}

func devicesOf(in []spotify.Device) []Device {
	out := make([]Device, 0, len(in))
	for _, d := range in {
		out = append(out, deviceOf(d))
	}
	return out
}

// playbackOf converts the player; nil (no active device) becomes the
// reference's idle state.
func playbackOf(p *spotify.Playback) *PlaybackState {
	if p == nil {
		return &PlaybackState{}
	}
	out := &PlaybackState{
		IsPlaying: p.Playing, Item: optTrack(p.Item), ProgressMs: p.ProgressMs, Timestamp: p.Timestamp,
		RepeatState: p.RepeatState, CurrentlyPlayingType: p.CurrentlyPlayingType,
	}
	if p.Device != nil {
		d := deviceOf(*p.Device)
		out.Device = &d
		shuffle := p.ShuffleState
		out.ShuffleState = &shuffle
	}
	if c := p.PlaybackContext; c.URI != "" {
		out.Context = &PlaybackContext{ExternalURLs: urlsOf(c.ExternalURLs), Href: c.Endpoint, Type: c.Type, URI: string(c.URI)}
	}
	return out
}

func queueOf(q *sp.Queue) *PlayerQueue {
	return &PlayerQueue{CurrentlyPlaying: optTrack(&q.CurrentlyPlaying), Queue: tracksOf(q.Items)}
}
