package sim

import (
	"net/http"
	"sort"
	"strconv"
)

const lastfmArtistNotFound = "The artist you supplied could not be found"

// lastfmArtistInfo is the artist object of artist.getInfo; stats are
// strings, as on the real service.
type lastfmArtistInfo struct {
	Name       string            `json:"name"`
	MBID       string            `json:"mbid"`
	URL        string            `json:"url"`
	Image      []lastfmImage     `json:"image"`
	Streamable string            `json:"streamable"`
	OnTour     string            `json:"ontour"`
	Stats      map[string]string `json:"stats"`
	Similar    map[string]any    `json:"similar"`
	Tags       lastfmTagNames    `json:"tags"`
	Bio        lastfmBio         `json:"bio"`
}

type lastfmBio struct {
	Links map[string]any `json:"links"`
	lastfmWiki
}

type lastfmSimilarArtist struct {
	Name  string        `json:"name"`
	URL   string        `json:"url"`
	Image []lastfmImage `json:"image"`
}

// artistTags weighs an artist's tags from the tags of its recordings, the
// top one scaled to 100, so artist and track tags agree.
func (lf *lastfmSim) artistTags(a *Artist) []Tag {
	sum := map[string]int{}
	for _, al := range a.Albums {
		for _, ti := range lf.cat.Albums[al].Tracks {
			for _, tag := range lf.cat.Tracks[ti].Tags {
				sum[tag.Name] += tag.Count
			}
		}
	}
	for i, g := range a.Genres {
		if _, ok := sum[g]; !ok {
			sum[g] = 100 - 30*i
		}
	}
	top := 0
	for _, n := range sum {
		top = max(top, n)
	}
	tags := make([]Tag, 0, len(sum))
	for name, n := range sum {
		tags = append(tags, Tag{Name: name, Count: n * 100 / max(top, 1)})
	}
	sort.Slice(tags, func(i, j int) bool {
		if tags[i].Count != tags[j].Count {
			return tags[i].Count > tags[j].Count
		}
		return tags[i].Name < tags[j].Name
	})
	return tags
}

func (lf *lastfmSim) artistGetInfo(w http.ResponseWriter, r *http.Request, q lastfmQuery) {
	if q.get("artist") == "" && q.get("mbid") == "" {
		writeLastfmErrorMessage(w, http.StatusOK, 6, "You must supply either an artist name or an artist mbid.")
		return
	}
	a, ok := lf.findArtist(q)
	if !ok {
		writeLastfmErrorMessage(w, http.StatusOK, 6, lastfmArtistNotFound)
		return
	}
	stats := map[string]string{
		"listeners": strconv.FormatInt(a.Listeners, 10),
		"playcount": strconv.FormatInt(a.Playcount, 10),
	}
	if user := q.get("username"); user != "" {
		stats["userplaycount"] = strconv.FormatUint(lastfmHash(user+"\x00"+a.ID)%500, 10)
	}
	var similar []lastfmSimilarArtist
	for _, si := range a.Similar {
		if sa := &lf.cat.Artists[si]; sa.InLastfm && len(similar) < 5 {
			similar = append(similar, lastfmSimilarArtist{Name: sa.Name, URL: lastfmArtistURL(sa.Name), Image: lastfmImages(sa.ID, true)})
		}
	}
	var tags []lastfmTagName
	for _, t := range lf.artistTags(a) {
		if len(tags) < 5 {
			tags = append(tags, lastfmTagName{Name: t.Name, URL: lastfmTagURL(t.Name)})
		}
	}
	url := lastfmArtistURL(a.Name)
	onTour := "0"
	if a.Index%7 == 0 {
		onTour = "1"
	}
	info := lastfmArtistInfo{
		Name:       a.Name,
		MBID:       a.MBID,
		URL:        url,
		Image:      lastfmImages(a.ID, true),
		Streamable: "0",
		OnTour:     onTour,
		Stats:      stats,
		Similar:    map[string]any{"artist": lastfmList(similar)},
		Tags:       lastfmTagNames{Tag: lastfmList(tags)},
		Bio: lastfmBio{
			Links:      map[string]any{"link": map[string]string{"#text": "", "rel": "original", "href": url + "/+wiki"}},
			lastfmWiki: lastfmWikiFor(a.Name+" is an artist first active in "+strconv.Itoa(a.StartYear)+".", url, a.StartYear, a.ID),
		},
	}
	writeJSON(w, http.StatusOK, map[string]any{"artist": info})
}

// artistGetTopTags answers error 6 for an unknown artist, unlike the
// track variant, as the real service does.
func (lf *lastfmSim) artistGetTopTags(w http.ResponseWriter, r *http.Request, q lastfmQuery) {
	if q.get("artist") == "" && q.get("mbid") == "" {
		writeLastfmErrorMessage(w, http.StatusOK, 6, "You must supply either an artist name or an artist mbid.")
		return
	}
	a, ok := lf.findArtist(q)
	if !ok {
		writeLastfmErrorMessage(w, http.StatusOK, 6, lastfmArtistNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"toptags": map[string]any{
		"tag":   lastfmList(lastfmCountedTags(lf.artistTags(a))),
		"@attr": map[string]string{"artist": a.Name},
	}})
}
