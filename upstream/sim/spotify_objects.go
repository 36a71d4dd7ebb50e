package sim

import (
	"encoding/hex"
	"strconv"
)

// The Web API object shapes (upstream-wire §3.4). Fields development mode
// removed are pointers with omitempty and only set in EQM; fields Spotify
// sends as null (preview_url) are pointers without omitempty.

type spExternalURLs struct {
	Spotify string `json:"spotify"`
}

type spImage struct {
	URL    string `json:"url"`
	Height *int   `json:"height"`
	Width  *int   `json:"width"`
}

type spFollowers struct {
	Href  *string `json:"href"`
	Total int     `json:"total"`
}

type spSimpleArtist struct {
	ExternalURLs spExternalURLs `json:"external_urls"`
	Href         string         `json:"href"`
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Type         string         `json:"type"`
	URI          string         `json:"uri"`
}

type spArtist struct {
	spSimpleArtist
	Followers  *spFollowers `json:"followers,omitempty"`
	Genres     []string     `json:"genres"`
	Images     []spImage    `json:"images"`
	Popularity *int         `json:"popularity,omitempty"`
}

type spSimpleAlbum struct {
	AlbumType            string           `json:"album_type"`
	TotalTracks          int              `json:"total_tracks"`
	AvailableMarkets     []string         `json:"available_markets,omitempty"`
	ExternalURLs         spExternalURLs   `json:"external_urls"`
	Href                 string           `json:"href"`
	ID                   string           `json:"id"`
	Images               []spImage        `json:"images"`
	Name                 string           `json:"name"`
	ReleaseDate          string           `json:"release_date"`
	ReleaseDatePrecision string           `json:"release_date_precision"`
	Type                 string           `json:"type"`
	URI                  string           `json:"uri"`
	Artists              []spSimpleArtist `json:"artists"`
}

type spAlbum struct {
	spSimpleAlbum
	Tracks      spPage[spSimpleTrack] `json:"tracks"`
	ExternalIDs map[string]string     `json:"external_ids"`
	Genres      []string              `json:"genres"`
	Label       string                `json:"label"`
	Popularity  *int                  `json:"popularity,omitempty"`
}

type spSimpleTrack struct {
	Artists          []spSimpleArtist `json:"artists"`
	AvailableMarkets []string         `json:"available_markets,omitempty"`
	DiscNumber       int              `json:"disc_number"`
	DurationMs       int              `json:"duration_ms"`
	Explicit         bool             `json:"explicit"`
	ExternalURLs     spExternalURLs   `json:"external_urls"`
	Href             string           `json:"href"`
	ID               string           `json:"id"`
	IsLocal          bool             `json:"is_local"`
	Name             string           `json:"name"`
	PreviewURL       *string          `json:"preview_url"`
	TrackNumber      int              `json:"track_number"`
	Type             string           `json:"type"`
	URI              string           `json:"uri"`
}

type spTrack struct {
	Album spSimpleAlbum `json:"album"`
	spSimpleTrack
	ExternalIDs map[string]string `json:"external_ids"`
	Popularity  *int              `json:"popularity,omitempty"`
}

type spPublicUser struct {
	DisplayName  string         `json:"display_name"`
	ExternalURLs spExternalURLs `json:"external_urls"`
	Href         string         `json:"href"`
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	URI          string         `json:"uri"`
}

type spExplicitContent struct {
	FilterEnabled bool `json:"filter_enabled"`
	FilterLocked  bool `json:"filter_locked"`
}

type spPrivateUser struct {
	spPublicUser
	Images          []spImage          `json:"images"`
	AccountID       string             `json:"account_id"`
	Country         string             `json:"country,omitempty"`
	Email           string             `json:"email,omitempty"`
	Product         string             `json:"product,omitempty"`
	ExplicitContent *spExplicitContent `json:"explicit_content,omitempty"`
	Followers       *spFollowers       `json:"followers,omitempty"`
}

// spView renders catalog objects for one request: hrefs use the address
// the client called (so paging links lead back to this simulator) and the
// API mode decides which fields exist.
type spView struct {
	cat  *Catalog
	base string // e.g. http://127.0.0.1:41234/spotify/v1
	eqm  bool
}

func spOpenURL(kind, id string) spExternalURLs {
	return spExternalURLs{Spotify: "https://open.spotify.com/" + kind + "/" + id}
}

func spIntPtr(n int) *int { return &n }

// spImages gives the usual three sizes of a cover, named after id.
func spImages(prefix, id string) []spImage {
	sum := spHash(id)
	var b [8]byte
	for i := range b {
		b[i] = byte(sum >> (8 * i))
	}
	name := prefix + hex.EncodeToString(b[:]) + hex.EncodeToString([]byte(id[:4]))
	out := make([]spImage, 0, 3)
	for _, px := range []int{640, 300, 64} {
		out = append(out, spImage{URL: "https://i.scdn.co/image/" + name + strconv.Itoa(px), Height: spIntPtr(px), Width: spIntPtr(px)})
	}
	return out
}

func (v spView) markets() []string {
	if !v.eqm {
		return nil
	}
	return append([]string(nil), countryCodes...)
}

func (v spView) popularity(p int) *int {
	if !v.eqm {
		return nil
	}
	return spIntPtr(p)
}

func (v spView) simpleArtist(ai int) spSimpleArtist {
	a := &v.cat.Artists[ai]
	return spSimpleArtist{
		ExternalURLs: spOpenURL("artist", a.ID),
		Href:         v.base + "/artists/" + a.ID,
		ID:           a.ID,
		Name:         a.Name,
		Type:         "artist",
		URI:          "spotify:artist:" + a.ID,
	}
}

func (v spView) artist(ai int) spArtist {
	a := &v.cat.Artists[ai]
	out := spArtist{
		spSimpleArtist: v.simpleArtist(ai),
		Genres:         append([]string{}, a.Genres...),
		Images:         spImages("ab6761610000e5eb", a.ID),
		Popularity:     v.popularity(a.Popularity),
	}
	if v.eqm {
		out.Followers = &spFollowers{Total: a.Followers}
	}
	return out
}

// releaseDate varies the precision across albums, as real catalogs do, so
// clients meet "2004", "2004-06" and "2004-06-07".
func (v spView) releaseDate(al *Album) (string, string) {
	switch al.Index % 9 {
	case 0:
		return al.ReleaseDate[:4], "year"
	case 1:
		return al.ReleaseDate[:7], "month"
	}
	return al.ReleaseDate, "day"
}

func (v spView) simpleAlbum(ali int) spSimpleAlbum {
	al := &v.cat.Albums[ali]
	kind := "album"
	if len(al.Tracks) <= 3 {
		kind = "single"
	}
	date, precision := v.releaseDate(al)
	return spSimpleAlbum{
		AlbumType:            kind,
		TotalTracks:          len(al.Tracks),
		AvailableMarkets:     v.markets(),
		ExternalURLs:         spOpenURL("album", al.ID),
		Href:                 v.base + "/albums/" + al.ID,
		ID:                   al.ID,
		Images:               spImages("ab67616d0000b273", al.ID),
		Name:                 al.Name,
		ReleaseDate:          date,
		ReleaseDatePrecision: precision,
		Type:                 "album",
		URI:                  "spotify:album:" + al.ID,
		Artists:              []spSimpleArtist{v.simpleArtist(al.Artist)},
	}
}

// album is the full album with the first page (up to 50) of its tracks.
func (v spView) album(ali int) spAlbum {
	al := &v.cat.Albums[ali]
	tracks := make([]spSimpleTrack, 0, len(al.Tracks))
	for _, ti := range al.Tracks {
		tracks = append(tracks, v.simpleTrack(ti))
	}
	page := spPageOf(v.base, "/albums/"+al.ID+"/tracks", nil, 0, 50, tracks)
	return spAlbum{
		spSimpleAlbum: v.simpleAlbum(ali),
		Tracks:        page,
		ExternalIDs:   map[string]string{"upc": "00" + strconv.FormatInt(al.DeezerID, 10)[:9] + "0"},
		Genres:        []string{},
		Label:         v.cat.Artists[al.Artist].Name + " Records",
		Popularity:    v.popularity(v.cat.Artists[al.Artist].Popularity),
	}
}

func (v spView) simpleTrack(ti int) spSimpleTrack {
	t := &v.cat.Tracks[ti]
	artists := []spSimpleArtist{v.simpleArtist(t.Artist)}
	for _, f := range t.Featured {
		artists = append(artists, v.simpleArtist(f))
	}
	return spSimpleTrack{
		Artists:          artists,
		AvailableMarkets: v.markets(),
		DiscNumber:       1,
		DurationMs:       t.DurationMs,
		Explicit:         t.Explicit,
		ExternalURLs:     spOpenURL("track", t.ID),
		Href:             v.base + "/tracks/" + t.ID,
		ID:               t.ID,
		Name:             t.Name,
		TrackNumber:      t.TrackNumber,
		Type:             "track",
		URI:              "spotify:track:" + t.ID,
	}
}

func (v spView) track(ti int) spTrack {
	t := &v.cat.Tracks[ti]
	return spTrack{
		Album:         v.simpleAlbum(t.Album),
		spSimpleTrack: v.simpleTrack(ti),
		ExternalIDs:   map[string]string{"isrc": t.ISRC},
		Popularity:    v.popularity(t.Popularity),
	}
}

func (v spView) publicUser(id string) spPublicUser {
	name := id
	if u, ok := v.cat.UserByID(id); ok {
		name = u.DisplayName
	}
	return spPublicUser{
		DisplayName:  name,
		ExternalURLs: spOpenURL("user", id),
		Href:         v.base + "/users/" + id,
		ID:           id,
		Type:         "user",
		URI:          "spotify:user:" + id,
	}
}

// privateUser is GET /me. Dev mode drops country, email, product,
// explicit_content and followers; account_id exists since May 2026.
func (v spView) privateUser(u *spUser, scopes map[string]bool) spPrivateUser {
	out := spPrivateUser{
		spPublicUser: v.publicUser(u.cat.ID),
		Images:       []spImage{},
		AccountID:    strconv.FormatUint(spHash("account:"+u.cat.ID), 36),
	}
	if !v.eqm {
		return out
	}
	if scopes["user-read-private"] {
		out.Country = u.cat.Country
		out.Product = "free"
		if u.premium {
			out.Product = "premium"
		}
		out.ExplicitContent = &spExplicitContent{}
	}
	if scopes["user-read-email"] {
		out.Email = u.cat.Email
	}
	out.Followers = &spFollowers{Total: int(spHash(u.cat.ID) % 200)}
	return out
}
