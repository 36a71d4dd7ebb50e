package sim

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
)

// deezerEdition is one Deezer release of a catalog recording: the
// original, or (alt) its remastered twin that shares the ISRC. Deezer
// figures are derived from the catalog here and nowhere else.
type deezerEdition struct {
	t   *Track
	alt bool
}

func (e deezerEdition) id() int64 {
	if e.alt {
		return e.t.DeezerAltID
	}
	return e.t.DeezerID
}

func (e deezerEdition) title() string {
	if e.alt {
		return e.t.Name + " (Remastered)"
	}
	return e.t.Name
}

func (e deezerEdition) version() string {
	if e.alt {
		return "(Remastered)"
	}
	return ""
}

// duration is in whole seconds: the Spotify length rounded, off by up to
// a second for the original and by 3–5 s for the remaster, so matching
// by duration prefers the original.
func (e deezerEdition) duration() int {
	d := int(math.Round(float64(e.t.DurationMs)/1000)) + e.t.Index%3 - 1
	if e.alt {
		d += 4 + e.t.Index%3
	}
	return d
}

// rank is the catalog's rank for the original; a remaster is less played.
func (e deezerEdition) rank() int {
	if e.alt {
		return e.t.Rank * 2 / 5
	}
	return e.t.Rank
}

// bpm is 0 where Deezer does not know the tempo.
func (e deezerEdition) bpm() float64 {
	if !e.t.DeezerBPMKnown {
		return 0
	}
	return e.t.BPM
}

// releaseDate is the date of this edition: the album's for the original,
// a later reissue date for the remaster.
func (e deezerEdition) releaseDate(c *Catalog) string {
	alb := &c.Albums[e.t.Album]
	if !e.alt {
		return alb.ReleaseDate
	}
	year := min(2025, alb.Year+10+e.t.Index%12)
	return fmt.Sprintf("%04d-%02d-%02d", year, 1+e.t.Index%12, 1+e.t.Index%28)
}

// deezerEditionsOf lists the Deezer editions of a track, original first.
func deezerEditionsOf(t *Track) []deezerEdition {
	if !t.InDeezer {
		return nil
	}
	eds := []deezerEdition{{t: t}}
	if t.DeezerAltID != 0 {
		eds = append(eds, deezerEdition{t: t, alt: true})
	}
	return eds
}

// deezerISRCEdition picks the edition /track/isrc: answers with: fixed per
// ISRC, and for some ISRCs the remaster rather than search's top hit.
func deezerISRCEdition(t *Track) deezerEdition {
	h := fnv.New32a()
	_, _ = h.Write([]byte(t.ISRC))
	return deezerEdition{t: t, alt: t.DeezerAltID != 0 && h.Sum32()%2 == 1}
}

// preview is a signed-looking preview URL that expires 900 s after now,
// like Deezer's.
func (dz *deezerSim) preview(e deezerEdition) string {
	md5 := deezerMD5(fmt.Sprint(e.id()))
	exp := dz.now() + 900
	return fmt.Sprintf("https://cdnt-preview.dzcdn.net/api/1/1/%s/%s.mp3?hdnea=exp=%d~acl=/api/1/1/%s/*~hmac=%016x",
		md5[:1], md5, exp, md5[:1], lastfmHash(fmt.Sprint(md5, exp)))
}

func deezerExplicit(t *Track) int {
	if t.Explicit {
		return 1
	}
	return 0
}

func (dz *deezerSim) searchItem(e deezerEdition) deezerSearchTrack {
	t := e.t
	return deezerSearchTrack{
		ID:                    e.id(),
		Readable:              true,
		Title:                 e.title(),
		TitleShort:            t.Name,
		TitleVersion:          e.version(),
		ISRC:                  t.ISRC,
		Link:                  fmt.Sprintf("https://www.deezer.com/track/%d", e.id()),
		Duration:              e.duration(),
		Rank:                  e.rank(),
		ExplicitLyrics:        t.Explicit,
		ExplicitContentLyrics: deezerExplicit(t),
		ExplicitContentCover:  0,
		Preview:               dz.preview(e),
		MD5Image:              deezerMD5(dz.cat.Albums[t.Album].ID),
		Artist:                deezerArtistOf(&dz.cat.Artists[t.Artist], false),
		Album:                 deezerAlbumOf(&dz.cat.Albums[t.Album], false),
		Type:                  "track",
	}
}

func (dz *deezerSim) fullTrack(e deezerEdition) deezerFullTrack {
	t := e.t
	item := dz.searchItem(e)
	contributors := []deezerContributor{}
	for i, ai := range append([]int{t.Artist}, t.Featured...) {
		role := "Main"
		if i > 0 {
			role = "Featured"
		}
		contributors = append(contributors, deezerContributor{ID: dz.cat.Artists[ai].DeezerID, Name: dz.cat.Artists[ai].Name, Role: role, Type: "artist"})
	}
	return deezerFullTrack{
		ID:                    item.ID,
		Readable:              true,
		Title:                 item.Title,
		TitleShort:            item.TitleShort,
		TitleVersion:          item.TitleVersion,
		ISRC:                  t.ISRC,
		Link:                  item.Link,
		Share:                 fmt.Sprintf("%s?utm_source=deezer&utm_content=track-%d&utm_term=0_1700000000&utm_medium=web", item.Link, item.ID),
		Duration:              item.Duration,
		TrackPosition:         t.TrackNumber,
		DiskNumber:            1,
		Rank:                  item.Rank,
		ReleaseDate:           e.releaseDate(dz.cat),
		ExplicitLyrics:        t.Explicit,
		ExplicitContentLyrics: item.ExplicitContentLyrics,
		ExplicitContentCover:  0,
		Preview:               item.Preview,
		BPM:                   e.bpm(),
		Gain:                  t.Gain,
		AvailableCountries:    []string{"BR", "CA", "DE", "FR", "GB", "NL", "SE", "US"},
		Contributors:          contributors,
		MD5Image:              item.MD5Image,
		TrackToken:            deezerMD5(fmt.Sprint("token", item.ID)),
		Artist:                deezerArtistOf(&dz.cat.Artists[t.Artist], true),
		Album:                 deezerAlbumOf(&dz.cat.Albums[t.Album], true),
		Type:                  "track",
	}
}

// track answers /track/{id} and /track/isrc:{ISRC}. Tracks Deezer does
// not have, unknown ids and the dashed ISRC form all give error 800.
func (dz *deezerSim) track(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id")
	var (
		ed deezerEdition
		ok bool
	)
	if len(key) > 5 && strings.EqualFold(key[:5], "isrc:") {
		if t, found := dz.cat.TrackByISRC(key[5:]); found && t.InDeezer {
			ed, ok = deezerISRCEdition(t), true
		}
	} else if id, valid := deezerID(key); valid {
		if t, alt, found := dz.cat.TrackByDeezerID(id); found {
			ed, ok = deezerEdition{t: t, alt: alt}, true
		}
	}
	if !ok {
		writeDeezerError(w, 800, "no data")
		return
	}
	writeJSON(w, http.StatusOK, dz.fullTrack(ed))
}
