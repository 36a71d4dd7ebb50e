package sim

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// lastfmQuery is the parsed query of one Last.fm request.
type lastfmQuery struct{ v url.Values }

func newLastfmQuery(r *http.Request) lastfmQuery { return lastfmQuery{v: r.URL.Query()} }

func (q lastfmQuery) get(k string) string { return strings.TrimSpace(q.v.Get(k)) }

// autocorrect reports autocorrect=1; Last.fm's default is off.
func (q lastfmQuery) autocorrect() bool { return q.get("autocorrect") == "1" }

// limit reads a positive limit, falling back to def.
func (q lastfmQuery) limit(def int) int {
	n, err := strconv.Atoi(q.get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return n
}

// lastfmFeat matches a trailing featured-artist credit: "Song (feat. X)",
// "Song [ft. X]", "Artist feat. X", "Artist featuring X".
var lastfmFeat = regexp.MustCompile(`(?i)\s*(?:[(\[]\s*(?:feat\.?|ft\.?|featuring)\s[^)\]]*[)\]]|\s(?:feat\.?|ft\.?|featuring)\s.*)$`)

// lastfmCorrect applies the simulator's correction table to a name:
// featured-artist credits are dropped and spacing is folded (case is
// folded by the lookup). Real Last.fm corrections are a curated table;
// these are the variants Spotify names actually produce.
func lastfmCorrect(name string) string {
	return strings.Join(strings.Fields(lastfmFeat.ReplaceAllString(name, "")), " ")
}

// findTrack resolves the track a request names by mbid, or by artist and
// track. Without autocorrect only case may differ from Last.fm's
// spelling; with it, spacing and featured credits may too. Tracks Last.fm
// does not know are never found.
func (lf *lastfmSim) findTrack(q lastfmQuery) (*Track, bool) {
	if mbid := q.get("mbid"); mbid != "" {
		i, ok := lf.trackByMBID[mbid]
		if !ok {
			return nil, false
		}
		return &lf.cat.Tracks[i], true
	}
	artist, title := q.get("artist"), q.get("track")
	if q.autocorrect() {
		artist, title = lastfmCorrect(artist), lastfmCorrect(title)
	}
	t, ok := lf.cat.TrackByName(artist, title)
	if !ok || !t.InLastfm {
		return nil, false
	}
	if !q.autocorrect() && (!strings.EqualFold(artist, lf.cat.Artists[t.Artist].Name) || !strings.EqualFold(title, t.Name)) {
		return nil, false
	}
	return t, true
}

// findArtist resolves the artist a request names, with the same rules as
// findTrack.
func (lf *lastfmSim) findArtist(q lastfmQuery) (*Artist, bool) {
	if mbid := q.get("mbid"); mbid != "" {
		i, ok := lf.artistByMBID[mbid]
		if !ok {
			return nil, false
		}
		return &lf.cat.Artists[i], true
	}
	name := q.get("artist")
	if q.autocorrect() {
		name = lastfmCorrect(name)
	}
	a, ok := lf.cat.ArtistByName(name)
	if !ok || !a.InLastfm {
		return nil, false
	}
	if !q.autocorrect() && !strings.EqualFold(name, a.Name) {
		return nil, false
	}
	return a, true
}

// lastfmEscape encodes a name the way last.fm URLs do (spaces as '+').
func lastfmEscape(s string) string { return url.QueryEscape(s) }

func lastfmArtistURL(name string) string { return "https://www.last.fm/music/" + lastfmEscape(name) }

func lastfmTrackURL(artist, title string) string {
	return lastfmArtistURL(artist) + "/_/" + lastfmEscape(title)
}

func lastfmTagURL(tag string) string { return "https://www.last.fm/tag/" + lastfmEscape(tag) }

// lastfmImage is an entry of an `image` list: the URL under "#text".
type lastfmImage struct {
	Text string `json:"#text"`
	Size string `json:"size"`
}

// lastfmImages builds the usual size ladder for a seed string. Artist
// images end with mega and the size-less entry Last.fm appends.
func lastfmImages(seed string, artist bool) []lastfmImage {
	h := lastfmHash(seed)
	img := func(dim, size string) lastfmImage {
		return lastfmImage{Text: fmt.Sprintf("https://lastfm.freetls.fastly.net/i/u/%s/%016x.png", dim, h), Size: size}
	}
	out := []lastfmImage{img("34s", "small"), img("64s", "medium"), img("174s", "large"), img("300x300", "extralarge")}
	if artist {
		out = append(out, img("300x300", "mega"), img("300x300", ""))
	}
	return out
}

// lastfmHash is a stable hash for deriving fixed per-item details.
func lastfmHash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// lastfmList renders a list the way Last.fm's XML-to-JSON conversion
// does: a single entry comes out as a bare object, not a one-element
// array; an empty list stays [].
func lastfmList[T any](items []T) any {
	switch len(items) {
	case 0:
		return []T{}
	case 1:
		return items[0]
	default:
		return items
	}
}

// lastfmStreamable is the fixed streamable node of tracks.
type lastfmStreamable struct {
	Text      string `json:"#text"`
	Fulltrack string `json:"fulltrack"`
}

func lastfmNotStreamable() lastfmStreamable { return lastfmStreamable{Text: "0", Fulltrack: "0"} }

// lastfmArtistRef is an artist as embedded in track objects.
type lastfmArtistRef struct {
	Name string `json:"name"`
	MBID string `json:"mbid"`
	URL  string `json:"url"`
}

func lastfmArtistRefOf(a *Artist) lastfmArtistRef {
	return lastfmArtistRef{Name: a.Name, MBID: a.MBID, URL: lastfmArtistURL(a.Name)}
}

// lastfmWiki is a wiki or bio text block (HTML anchors included, as on
// the real service).
type lastfmWiki struct {
	Published string `json:"published"`
	Summary   string `json:"summary"`
	Content   string `json:"content"`
}

func lastfmWikiFor(subject, link string, year int, seed string) lastfmWiki {
	h := lastfmHash(seed)
	published := fmt.Sprintf("%02d %s %d, %02d:%02d", 1+h%28, []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[h/28%12], max(year, 2006), h/336%24, h/8064%60)
	summary := subject + ` <a href="` + link + `">Read more on Last.fm</a>.`
	return lastfmWiki{
		Published: published,
		Summary:   summary,
		Content:   summary + " User-contributed text is available under the Creative Commons By-SA License; additional terms may apply.",
	}
}
