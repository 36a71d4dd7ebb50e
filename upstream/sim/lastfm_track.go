package sim

import (
	"net/http"
	"strconv"
)

// lastfmTrackArgsMessage is Last.fm's complaint when neither a name pair
// nor an mbid is given.
const lastfmTrackArgsMessage = "You must supply either a track & artist name or a track mbid."

// hasTrackArgs reports whether the request names a track at all.
func (q lastfmQuery) hasTrackArgs() bool {
	return q.get("mbid") != "" || (q.get("artist") != "" && q.get("track") != "")
}

// lastfmTrackInfo is the track object of track.getInfo. Its figures are
// strings, as the real service sends them.
type lastfmTrackInfo struct {
	Name          string           `json:"name"`
	MBID          string           `json:"mbid,omitempty"`
	URL           string           `json:"url"`
	Duration      string           `json:"duration"` // milliseconds; "0" when unknown
	Streamable    lastfmStreamable `json:"streamable"`
	Listeners     string           `json:"listeners"`
	Playcount     string           `json:"playcount"`
	UserPlaycount string           `json:"userplaycount,omitempty"`
	UserLoved     string           `json:"userloved,omitempty"`
	Artist        lastfmArtistRef  `json:"artist"`
	Album         *lastfmAlbum     `json:"album,omitempty"`
	TopTags       lastfmTagNames   `json:"toptags"`
	Wiki          *lastfmWiki      `json:"wiki,omitempty"`
}

// lastfmAlbum is the album a track.getInfo track appears on.
type lastfmAlbum struct {
	Artist string         `json:"artist"`
	Title  string         `json:"title"`
	MBID   string         `json:"mbid"`
	URL    string         `json:"url"`
	Image  []lastfmImage  `json:"image"`
	Attr   lastfmPosition `json:"@attr"`
}

type lastfmPosition struct {
	Position string `json:"position"`
}

// lastfmTagNames is a tag list without counts, as embedded in getInfo.
type lastfmTagNames struct {
	Tag any `json:"tag"`
}

type lastfmTagName struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// lastfmDurationMs is the duration Last.fm reports for a track; it does
// not know it for a share of tracks and says "0" then.
func lastfmDurationMs(t *Track) int {
	if t.Index%13 == 0 {
		return 0
	}
	return t.DurationMs
}

func (lf *lastfmSim) trackGetInfo(w http.ResponseWriter, r *http.Request, q lastfmQuery) {
	if !q.hasTrackArgs() {
		writeLastfmErrorMessage(w, http.StatusOK, 6, lastfmTrackArgsMessage)
		return
	}
	t, ok := lf.findTrack(q)
	if !ok {
		writeLastfmErrorMessage(w, http.StatusOK, 6, "Track not found")
		return
	}
	artist := &lf.cat.Artists[t.Artist]
	info := lastfmTrackInfo{
		Name:       t.Name,
		MBID:       t.MBID,
		URL:        lastfmTrackURL(artist.Name, t.Name),
		Duration:   strconv.Itoa(lastfmDurationMs(t)),
		Streamable: lastfmNotStreamable(),
		Listeners:  strconv.FormatInt(t.Listeners, 10),
		Playcount:  strconv.FormatInt(t.Playcount, 10),
		Artist:     lastfmArtistRefOf(artist),
	}
	if user := q.get("username"); user != "" {
		h := lastfmHash(user + "\x00" + t.ID)
		info.UserPlaycount = strconv.FormatUint(h%60, 10)
		info.UserLoved = strconv.FormatUint(h/60%2, 10)
	}
	if t.Index%11 != 0 {
		alb := &lf.cat.Albums[t.Album]
		info.Album = &lastfmAlbum{
			Artist: artist.Name,
			Title:  alb.Name,
			URL:    lastfmArtistURL(artist.Name) + "/" + lastfmEscape(alb.Name),
			Image:  lastfmImages(alb.ID, false),
			Attr:   lastfmPosition{Position: strconv.Itoa(t.TrackNumber)},
		}
	}
	var names []lastfmTagName
	for _, tag := range t.Tags[:min(5, len(t.Tags))] {
		names = append(names, lastfmTagName{Name: tag.Name, URL: lastfmTagURL(tag.Name)})
	}
	info.TopTags = lastfmTagNames{Tag: lastfmList(names)}
	if t.Popularity >= 55 {
		wiki := lastfmWikiFor("\""+t.Name+"\" is a song by "+artist.Name+".", info.URL+"/+wiki", t.Year, t.ID)
		info.Wiki = &wiki
	}
	writeJSON(w, http.StatusOK, map[string]any{"track": info})
}

// lastfmSimilarTrack is one entry of track.getSimilar. Unlike getInfo,
// playcount and duration (seconds) are numbers here.
type lastfmSimilarTrack struct {
	Name       string           `json:"name"`
	Playcount  int64            `json:"playcount"`
	MBID       string           `json:"mbid,omitempty"`
	Match      float64          `json:"match"`
	URL        string           `json:"url"`
	Streamable lastfmStreamable `json:"streamable"`
	Duration   int              `json:"duration"`
	Artist     lastfmArtistRef  `json:"artist"`
	Image      []lastfmImage    `json:"image"`
}

// trackGetSimilar lists similar tracks by descending match. An unknown
// track is not an error here: the list is just empty.
func (lf *lastfmSim) trackGetSimilar(w http.ResponseWriter, r *http.Request, q lastfmQuery) {
	if !q.hasTrackArgs() {
		writeLastfmErrorMessage(w, http.StatusOK, 6, lastfmTrackArgsMessage)
		return
	}
	attrArtist := q.get("artist")
	var list []lastfmSimilarTrack
	if t, ok := lf.findTrack(q); ok {
		attrArtist = lf.cat.Artists[t.Artist].Name
		for _, edge := range t.Similar[:min(q.limit(100), len(t.Similar))] {
			st := &lf.cat.Tracks[edge.Track]
			sa := &lf.cat.Artists[st.Artist]
			list = append(list, lastfmSimilarTrack{
				Name:       st.Name,
				Playcount:  st.Playcount,
				MBID:       st.MBID,
				Match:      edge.Match,
				URL:        lastfmTrackURL(sa.Name, st.Name),
				Streamable: lastfmNotStreamable(),
				Duration:   lastfmDurationMs(st) / 1000,
				Artist:     lastfmArtistRefOf(sa),
				Image:      lastfmImages(st.ID, false),
			})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"similartracks": map[string]any{
		"track": lastfmList(list),
		"@attr": map[string]string{"artist": attrArtist},
	}})
}

// lastfmCountedTag is a tag with its weight, as in *.getTopTags; count is
// a number relative to the top tag (100).
type lastfmCountedTag struct {
	Count int    `json:"count"`
	Name  string `json:"name"`
	URL   string `json:"url"`
}

func lastfmCountedTags(tags []Tag) []lastfmCountedTag {
	out := make([]lastfmCountedTag, 0, len(tags))
	for _, t := range tags {
		out = append(out, lastfmCountedTag{Count: t.Count, Name: t.Name, URL: lastfmTagURL(t.Name)})
	}
	return out
}

// trackGetTopTags lists a track's tags; an unknown track gets an empty
// list rather than an error.
func (lf *lastfmSim) trackGetTopTags(w http.ResponseWriter, r *http.Request, q lastfmQuery) {
	if !q.hasTrackArgs() {
		writeLastfmErrorMessage(w, http.StatusOK, 6, lastfmTrackArgsMessage)
		return
	}
	attr := map[string]string{"artist": q.get("artist"), "track": q.get("track")}
	var tags []Tag
	if t, ok := lf.findTrack(q); ok {
		tags = t.Tags
		attr = map[string]string{"artist": lf.cat.Artists[t.Artist].Name, "track": t.Name}
	}
	writeJSON(w, http.StatusOK, map[string]any{"toptags": map[string]any{
		"tag":   lastfmList(lastfmCountedTags(tags)),
		"@attr": attr,
	}})
}

// lastfmCorrectionTrack is the track node of track.getCorrection; for an
// unknown input it has no name and empty URLs.
type lastfmCorrectionTrack struct {
	Name   string           `json:"name,omitempty"`
	MBID   string           `json:"mbid,omitempty"`
	URL    string           `json:"url"`
	Artist lastfmCorrArtist `json:"artist"`
}

type lastfmCorrArtist struct {
	Name string `json:"name,omitempty"`
	MBID string `json:"mbid,omitempty"`
	URL  string `json:"url"`
}

// trackGetCorrection always applies the correction table (that is what
// the method is for) and flags which of the two names it changed.
func (lf *lastfmSim) trackGetCorrection(w http.ResponseWriter, r *http.Request, q lastfmQuery) {
	artistIn, trackIn := q.get("artist"), q.get("track")
	if artistIn == "" || trackIn == "" {
		writeLastfmErrorMessage(w, http.StatusOK, 6, lastfmTrackArgsMessage)
		return
	}
	node := lastfmCorrectionTrack{}
	attr := map[string]string{"index": "0", "artistcorrected": "0", "trackcorrected": "0"}
	t, ok := lf.cat.TrackByName(lastfmCorrect(artistIn), lastfmCorrect(trackIn))
	if ok && t.InLastfm {
		a := &lf.cat.Artists[t.Artist]
		node = lastfmCorrectionTrack{
			Name:   t.Name,
			MBID:   t.MBID,
			URL:    lastfmTrackURL(a.Name, t.Name),
			Artist: lastfmCorrArtist{Name: a.Name, MBID: a.MBID, URL: lastfmArtistURL(a.Name)},
		}
		if artistIn != a.Name {
			attr["artistcorrected"] = "1"
		}
		if trackIn != t.Name {
			attr["trackcorrected"] = "1"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"corrections": map[string]any{
		"correction": map[string]any{"track": node, "@attr": attr},
	}})
}
