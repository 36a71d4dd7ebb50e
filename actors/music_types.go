package actors

// The Spotify pass-through shapes (anchor-api Appendix A): the JSON the
// reference app returns for profiles, playlists, search and playback,
// with Spotify's own field names. They are our types rather than the
// SDK's so that the gateway documents and validates exactly what it
// sends, nulls stay null (the SDK turns them into "" and 0), lists are
// never null, and no upstream value outside a documented field can fail a
// response (reference defect #36: its strict schemas turned benign
// upstream variations into 500s). Conversions live in music_convert.go.

// ExternalURLs are a Spotify object's links to open.spotify.com.
type ExternalURLs struct {
	Spotify string `json:"spotify,omitempty"`
}

// Image is one size of a cover or picture; Spotify leaves the size null
// when it does not know it.
type Image struct {
	URL    string `json:"url"`
	Height *int   `json:"height"`
	Width  *int   `json:"width"`
}

// Followers counts an artist's or a playlist's followers.
type Followers struct {
	Href  *string `json:"href"`
	Total int     `json:"total"`
}

// Artist is Spotify's simplified artist.
type Artist struct {
	ExternalURLs ExternalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	Type         string       `json:"type" doc:"always artist"`
	URI          string       `json:"uri"`
}

// FullArtist is an artist as search returns it, with genres and images.
type FullArtist struct {
	Artist
	Genres     []string  `json:"genres"`
	Images     []Image   `json:"images"`
	Popularity int       `json:"popularity" doc:"0-100"`
	Followers  Followers `json:"followers"`
}

// Album is Spotify's simplified album.
type Album struct {
	AlbumType            string       `json:"album_type" doc:"album, single or compilation"`
	Artists              []Artist     `json:"artists"`
	ExternalURLs         ExternalURLs `json:"external_urls"`
	Href                 string       `json:"href"`
	ID                   string       `json:"id"`
	Images               []Image      `json:"images"`
	Name                 string       `json:"name"`
	ReleaseDate          string       `json:"release_date"`
	ReleaseDatePrecision string       `json:"release_date_precision" doc:"year, month or day"`
	TotalTracks          int          `json:"total_tracks"`
	Type                 string       `json:"type" doc:"always album"`
	URI                  string       `json:"uri"`
}

// ExternalIDs are a track's catalogue codes; isrc is what enrichment
// matches on.
type ExternalIDs struct {
	ISRC string `json:"isrc,omitempty"`
	EAN  string `json:"ean,omitempty"`
	UPC  string `json:"upc,omitempty"`
}

// Track is Spotify's full track.
type Track struct {
	Album        Album        `json:"album"`
	Artists      []Artist     `json:"artists"`
	DiscNumber   int          `json:"disc_number"`
	DurationMs   int          `json:"duration_ms"`
	Explicit     bool         `json:"explicit"`
	ExternalIDs  ExternalIDs  `json:"external_ids"`
	ExternalURLs ExternalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	IsLocal      bool         `json:"is_local"`
	Name         string       `json:"name"`
	Popularity   int          `json:"popularity" doc:"0-100"`
	PreviewURL   *string      `json:"preview_url"`
	TrackNumber  int          `json:"track_number"`
	Type         string       `json:"type" doc:"always track"`
	URI          string       `json:"uri"`
}

// PlaylistOwner is the user who owns a playlist or added an item.
type PlaylistOwner struct {
	DisplayName  *string      `json:"display_name"`
	ExternalURLs ExternalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Type         string       `json:"type" doc:"always user"`
	URI          string       `json:"uri"`
}

// PlaylistItemsRef is where a simplified playlist's items are and how
// many there are.
type PlaylistItemsRef struct {
	Href  string `json:"href"`
	Total int    `json:"total"`
}

// PlaylistBase is what simplified and full playlists share (exported so
// the gateway's schemas see the embedded fields).
type PlaylistBase struct {
	Collaborative bool          `json:"collaborative"`
	Description   string        `json:"description"`
	ExternalURLs  ExternalURLs  `json:"external_urls"`
	Href          string        `json:"href"`
	ID            string        `json:"id"`
	Images        []Image       `json:"images"`
	Name          string        `json:"name"`
	Owner         PlaylistOwner `json:"owner"`
	Public        bool          `json:"public"`
	SnapshotID    string        `json:"snapshot_id"`
	Type          string        `json:"type" doc:"always playlist"`
	URI           string        `json:"uri"`
}

// Playlist is Spotify's simplified playlist: tracks says where the items
// are and how many, under the key the reference app uses.
type Playlist struct {
	PlaylistBase
	Tracks PlaylistItemsRef `json:"tracks"`
}

// FullPlaylist is a playlist with its followers and first page of items,
// as creating one returns it.
type FullPlaylist struct {
	PlaylistBase
	Followers Followers         `json:"followers"`
	Tracks    PlaylistTrackPage `json:"tracks"`
}

// VideoThumbnail is a playlist item's video cover (Spotify sends null
// url for ordinary tracks).
type VideoThumbnail struct {
	URL *string `json:"url"`
}

// PlaylistTrack is one item of a playlist. track is null for an item
// that is not a track (a podcast episode) or is unavailable.
type PlaylistTrack struct {
	AddedAt        *string         `json:"added_at"`
	AddedBy        *PlaylistOwner  `json:"added_by"`
	IsLocal        bool            `json:"is_local"`
	PrimaryColor   *string         `json:"primary_color"`
	Track          *Track          `json:"track"`
	VideoThumbnail *VideoThumbnail `json:"video_thumbnail"`
}

// Page is Spotify's paging envelope around items.
type Page struct {
	Href     string  `json:"href"`
	Limit    int     `json:"limit"`
	Next     *string `json:"next"`
	Offset   int     `json:"offset"`
	Previous *string `json:"previous"`
	Total    int     `json:"total"`
}

// TrackPage is a page of tracks.
type TrackPage struct {
	Page
	Items []Track `json:"items"`
}

// ArtistPage is a page of artists.
type ArtistPage struct {
	Page
	Items []FullArtist `json:"items"`
}

// AlbumPage is a page of albums.
type AlbumPage struct {
	Page
	Items []Album `json:"items"`
}

// PlaylistPage is a page of simplified playlists.
type PlaylistPage struct {
	Page
	Items []Playlist `json:"items"`
}

// PlaylistTrackPage is a page of playlist items.
type PlaylistTrackPage struct {
	Page
	Items []PlaylistTrack `json:"items"`
}

// SearchResult holds one page per searched type; only the searched
// type's key is present.
type SearchResult struct {
	Albums    *AlbumPage    `json:"albums,omitempty"`
	Artists   *ArtistPage   `json:"artists,omitempty"`
	Playlists *PlaylistPage `json:"playlists,omitempty"`
	Tracks    *TrackPage    `json:"tracks,omitempty"`
}

// Profile is the signed-in user as GET /api/spotify/me returns it.
// Development-mode apps get no country, email or product; those keys
// are then left out, as in the reference.
type Profile struct {
	Country     string  `json:"country,omitempty"`
	DisplayName *string `json:"display_name"`
	Email       string  `json:"email,omitempty"`
	ID          string  `json:"id"`
	Product     string  `json:"product,omitempty"`
}

// Device is a Spotify Connect device.
type Device struct {
	ID               *string `json:"id"`
	IsActive         bool    `json:"is_active"`
	IsPrivateSession bool    `json:"is_private_session"`
	IsRestricted     bool    `json:"is_restricted"`
	Name             string  `json:"name"`
	Type             string  `json:"type"`
	VolumePercent    *int    `json:"volume_percent"`
	SupportsVolume   bool    `json:"supports_volume"`
}

// PlaybackContext is the playlist, album or artist playback walks
// through.
type PlaybackContext struct {
	ExternalURLs ExternalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

// PlaybackState is GET /api/player/state. With no active device it is
// {"device":null,"is_playing":false,"item":null} (the other keys null or
// absent), as in the reference.
type PlaybackState struct {
	Device               *Device          `json:"device"`
	IsPlaying            bool             `json:"is_playing"`
	Item                 *Track           `json:"item"`
	Context              *PlaybackContext `json:"context"`
	ProgressMs           *int             `json:"progress_ms"`
	Timestamp            int64            `json:"timestamp,omitempty"`
	RepeatState          string           `json:"repeat_state,omitempty" doc:"off, track or context"`
	ShuffleState         *bool            `json:"shuffle_state,omitempty"`
	CurrentlyPlayingType string           `json:"currently_playing_type,omitempty" doc:"track, episode, ad or unknown"`
}

// PlayerQueue is what plays now and next.
type PlayerQueue struct {
	CurrentlyPlaying *Track  `json:"currently_playing"`
	Queue            []Track `json:"queue"`
}

// ScopeReport answers GET /api/spotify/debug/scopes: which scopes dj asks
// for, which Spotify granted at sign-in, and who the token belongs to.
type ScopeReport struct {
	RequiredScopes []string `json:"required_scopes"`
	GrantedScopes  []string `json:"granted_scopes"`
	MissingScopes  []string `json:"missing_scopes"`
	// ScopeTests maps each required scope to whether it was granted.
	ScopeTests map[string]bool `json:"scope_tests"`
	TokenInfo  TokenInfo       `json:"token_info"`
}

// TokenInfo describes the signed-in Spotify account, with the
// reference's fallbacks ("Unknown", "Not provided") for what Spotify
// withholds. It never holds a token.
type TokenInfo struct {
	Country     string `json:"country"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Product     string `json:"product"`
	UserID      string `json:"user_id"`
}
