package sim

import "fmt"

// deezerArtist is an artist as embedded in tracks; share and radio only
// appear on full tracks.
type deezerArtist struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Link          string `json:"link"`
	Share         string `json:"share,omitempty"`
	Picture       string `json:"picture"`
	PictureSmall  string `json:"picture_small"`
	PictureMedium string `json:"picture_medium"`
	PictureBig    string `json:"picture_big"`
	PictureXL     string `json:"picture_xl"`
	Radio         *bool  `json:"radio,omitempty"`
	Tracklist     string `json:"tracklist"`
	Type          string `json:"type"`
}

// deezerAlbum is an album as embedded in tracks; release_date and link
// only appear on full tracks.
type deezerAlbum struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Link        string `json:"link,omitempty"`
	Cover       string `json:"cover"`
	CoverSmall  string `json:"cover_small"`
	CoverMedium string `json:"cover_medium"`
	CoverBig    string `json:"cover_big"`
	CoverXL     string `json:"cover_xl"`
	MD5Image    string `json:"md5_image"`
	ReleaseDate string `json:"release_date,omitempty"`
	Tracklist   string `json:"tracklist"`
	Type        string `json:"type"`
}

type deezerContributor struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	Type string `json:"type"`
}

// deezerSearchTrack is a search result item: no bpm, gain, release_date,
// contributors or available_countries, which is why callers follow up
// with /track/{id}.
type deezerSearchTrack struct {
	ID                    int64        `json:"id"`
	Readable              bool         `json:"readable"`
	Title                 string       `json:"title"`
	TitleShort            string       `json:"title_short"`
	TitleVersion          string       `json:"title_version"`
	ISRC                  string       `json:"isrc"`
	Link                  string       `json:"link"`
	Duration              int          `json:"duration"`
	Rank                  int          `json:"rank"`
	ExplicitLyrics        bool         `json:"explicit_lyrics"`
	ExplicitContentLyrics int          `json:"explicit_content_lyrics"`
	ExplicitContentCover  int          `json:"explicit_content_cover"`
	Preview               string       `json:"preview"`
	MD5Image              string       `json:"md5_image"`
	Artist                deezerArtist `json:"artist"`
	Album                 deezerAlbum  `json:"album"`
	Type                  string       `json:"type"`
}

// deezerFullTrack is the object of /track/{id} and /track/isrc:.
type deezerFullTrack struct {
	ID                    int64               `json:"id"`
	Readable              bool                `json:"readable"`
	Title                 string              `json:"title"`
	TitleShort            string              `json:"title_short"`
	TitleVersion          string              `json:"title_version"`
	ISRC                  string              `json:"isrc"`
	Link                  string              `json:"link"`
	Share                 string              `json:"share"`
	Duration              int                 `json:"duration"`
	TrackPosition         int                 `json:"track_position"`
	DiskNumber            int                 `json:"disk_number"`
	Rank                  int                 `json:"rank"`
	ReleaseDate           string              `json:"release_date"`
	ExplicitLyrics        bool                `json:"explicit_lyrics"`
	ExplicitContentLyrics int                 `json:"explicit_content_lyrics"`
	ExplicitContentCover  int                 `json:"explicit_content_cover"`
	Preview               string              `json:"preview"`
	BPM                   float64             `json:"bpm"`
	Gain                  float64             `json:"gain"`
	AvailableCountries    []string            `json:"available_countries"`
	Contributors          []deezerContributor `json:"contributors"`
	MD5Image              string              `json:"md5_image"`
	TrackToken            string              `json:"track_token"`
	Artist                deezerArtist        `json:"artist"`
	Album                 deezerAlbum         `json:"album"`
	Type                  string              `json:"type"`
}

// deezerMD5 derives a stable 32-hex-digit image hash from a key.
func deezerMD5(key string) string {
	return fmt.Sprintf("%016x%016x", lastfmHash("dz-a"+key), lastfmHash("dz-b"+key))
}

func deezerArtistOf(a *Artist, full bool) deezerArtist {
	md5 := deezerMD5(a.ID)
	pic := func(dim string) string {
		return "https://e-cdns-images.dzcdn.net/images/artist/" + md5 + "/" + dim + "-000000-80-0-0.jpg"
	}
	out := deezerArtist{
		ID:            a.DeezerID,
		Name:          a.Name,
		Link:          fmt.Sprintf("https://www.deezer.com/artist/%d", a.DeezerID),
		Picture:       fmt.Sprintf("https://api.deezer.com/artist/%d/image", a.DeezerID),
		PictureSmall:  pic("56x56"),
		PictureMedium: pic("250x250"),
		PictureBig:    pic("500x500"),
		PictureXL:     pic("1000x1000"),
		Tracklist:     fmt.Sprintf("https://api.deezer.com/artist/%d/top?limit=50", a.DeezerID),
		Type:          "artist",
	}
	if full {
		radio := true
		out.Share = out.Link + "?utm_source=deezer&utm_content=artist-" + fmt.Sprint(a.DeezerID)
		out.Radio = &radio
	}
	return out
}

func deezerAlbumOf(al *Album, full bool) deezerAlbum {
	md5 := deezerMD5(al.ID)
	cover := func(dim string) string {
		return "https://e-cdns-images.dzcdn.net/images/cover/" + md5 + "/" + dim + "-000000-80-0-0.jpg"
	}
	out := deezerAlbum{
		ID:          al.DeezerID,
		Title:       al.Name,
		Cover:       fmt.Sprintf("https://api.deezer.com/album/%d/image", al.DeezerID),
		CoverSmall:  cover("56x56"),
		CoverMedium: cover("250x250"),
		CoverBig:    cover("500x500"),
		CoverXL:     cover("1000x1000"),
		MD5Image:    md5,
		Tracklist:   fmt.Sprintf("https://api.deezer.com/album/%d/tracks", al.DeezerID),
		Type:        "album",
	}
	if full {
		out.Link = fmt.Sprintf("https://www.deezer.com/album/%d", al.DeezerID)
		out.ReleaseDate = al.ReleaseDate
	}
	return out
}
