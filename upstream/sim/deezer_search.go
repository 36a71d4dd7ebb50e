package sim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// deezerIndexEntry is one searchable Deezer edition with its folded
// text, built once so a search is a scan without allocation per track.
type deezerIndexEntry struct {
	ed      deezerEdition
	artists string // every credited artist, folded
	title   string
	album   string
	hay     string // artists, title and album together, for free text
}

func (dz *deezerSim) buildIndex() {
	for i := range dz.cat.Tracks {
		t := &dz.cat.Tracks[i]
		for _, ed := range deezerEditionsOf(t) {
			e := deezerIndexEntry{
				ed:      ed,
				artists: NormName(strings.Join(dz.cat.ArtistNames(t), " ")),
				title:   NormName(ed.title()),
				album:   NormName(dz.cat.Albums[t.Album].Name),
			}
			e.hay = e.artists + " " + e.title + " " + e.album
			dz.index = append(dz.index, e)
		}
	}
}

// deezerQuery is a parsed search query: free words plus the advanced
// filters Deezer understands (artist:"…" track:"…" album:"…" label:"…"
// isrc:… dur_min/dur_max/bpm_min/bpm_max:N).
type deezerQuery struct {
	words  []string
	fields map[string]string
	nums   map[string]int
}

func (q deezerQuery) empty() bool { return len(q.words) == 0 && len(q.fields) == 0 && len(q.nums) == 0 }

// deezerQueryKey reports whether a filter key starts s, returning the key
// and what follows its colon.
func deezerQueryKey(s string) (key, rest string, ok bool) {
	colon := strings.IndexByte(s, ':')
	space := strings.IndexAny(s, " \t")
	if colon <= 0 || (space >= 0 && space < colon) {
		return "", "", false
	}
	switch key = strings.ToLower(s[:colon]); key {
	case "artist", "track", "album", "label", "isrc", "dur_min", "dur_max", "bpm_min", "bpm_max":
		return key, s[colon+1:], true
	}
	return "", "", false
}

// deezerQueryValue reads a filter value: a quoted phrase or one word.
func deezerQueryValue(s string) (val, rest string) {
	if strings.HasPrefix(s, `"`) {
		if end := strings.IndexByte(s[1:], '"'); end >= 0 {
			return s[1 : 1+end], s[2+end:]
		}
		return s[1:], ""
	}
	if end := strings.IndexAny(s, " \t"); end >= 0 {
		return s[:end], s[end:]
	}
	return s, ""
}

func parseDeezerQuery(raw string) deezerQuery {
	q := deezerQuery{fields: map[string]string{}, nums: map[string]int{}}
	rest := strings.TrimSpace(raw)
	for rest != "" {
		if key, after, ok := deezerQueryKey(rest); ok {
			val, remaining := deezerQueryValue(after)
			if strings.HasSuffix(key, "_min") || strings.HasSuffix(key, "_max") {
				if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil {
					q.nums[key] = n
				}
			} else {
				q.fields[key] = NormName(val)
			}
			rest = strings.TrimSpace(remaining)
			continue
		}
		word, remaining := deezerQueryValue(rest)
		if w := NormName(strings.Trim(word, `"`)); w != "" {
			q.words = append(q.words, w)
		}
		rest = strings.TrimSpace(remaining)
	}
	return q
}

// match reports whether an index entry passes every filter. The catalog
// has no record labels, so label: filters nothing out.
func (dz *deezerSim) match(q deezerQuery, e *deezerIndexEntry) bool {
	for key, val := range q.fields {
		switch key {
		case "artist":
			if !strings.Contains(e.artists, val) {
				return false
			}
		case "track":
			if !strings.Contains(e.title, val) {
				return false
			}
		case "album":
			if !strings.Contains(e.album, val) {
				return false
			}
		case "isrc":
			if !strings.EqualFold(e.ed.t.ISRC, val) {
				return false
			}
		}
	}
	for key, n := range q.nums {
		dur, bpm := e.ed.duration(), e.ed.bpm()
		switch {
		case key == "dur_min" && dur < n, key == "dur_max" && dur > n:
			return false
		case key == "bpm_min" && (bpm == 0 || bpm < float64(n)), key == "bpm_max" && (bpm == 0 || bpm > float64(n)):
			return false
		}
	}
	for _, w := range q.words {
		if !strings.Contains(e.hay, w) {
			return false
		}
	}
	return true
}

// find lists matching editions. An isrc: filter goes straight to the
// ISRC index; everything else scans.
func (dz *deezerSim) find(q deezerQuery) []*deezerIndexEntry {
	var out []*deezerIndexEntry
	if isrc, ok := q.fields["isrc"]; ok {
		t, found := dz.cat.TrackByISRC(isrc)
		if !found || !t.InDeezer {
			return nil
		}
		for i := range dz.index {
			if e := &dz.index[i]; e.ed.t == t && dz.match(q, e) {
				out = append(out, e)
			}
		}
		return out
	}
	for i := range dz.index {
		if e := &dz.index[i]; dz.match(q, e) {
			out = append(out, e)
		}
	}
	return out
}

// sortDeezer orders results by Deezer's `order` parameter (TRACK_ASC,
// ARTIST_DESC, RATING_DESC, DURATION_ASC, ...). RANKING, the default and
// what unknown values fall back to, puts the most popular first. Ties go
// by id so pages are stable.
func sortDeezer(list []*deezerIndexEntry, order string) {
	cmp := func(a, b *deezerIndexEntry) int { return b.ed.rank() - a.ed.rank() }
	field, dir, _ := strings.Cut(order, "_")
	known := true
	switch field {
	case "TRACK":
		cmp = func(a, b *deezerIndexEntry) int { return strings.Compare(a.title, b.title) }
	case "ARTIST":
		cmp = func(a, b *deezerIndexEntry) int { return strings.Compare(a.artists, b.artists) }
	case "ALBUM":
		cmp = func(a, b *deezerIndexEntry) int { return strings.Compare(a.album, b.album) }
	case "DURATION":
		cmp = func(a, b *deezerIndexEntry) int { return a.ed.duration() - b.ed.duration() }
	case "RATING":
		cmp = func(a, b *deezerIndexEntry) int { return a.ed.rank() - b.ed.rank() }
	default:
		known = false
	}
	if known && dir == "DESC" {
		asc := cmp
		cmp = func(a, b *deezerIndexEntry) int { return asc(b, a) }
	}
	sort.SliceStable(list, func(i, j int) bool {
		if c := cmp(list[i], list[j]); c != 0 {
			return c < 0
		}
		return list[i].ed.id() < list[j].ed.id()
	})
}

// search answers /search and /search/track: a missing q is error 501, an
// empty one 500; no match is an empty list, not an error.
func (dz *deezerSim) search(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	if !params.Has("q") {
		writeDeezerError(w, 501, "Missing parameters: q")
		return
	}
	q := parseDeezerQuery(params.Get("q"))
	if q.empty() {
		writeDeezerError(w, 500, "Wrong parameter")
		return
	}
	index, _ := strconv.Atoi(params.Get("index"))
	index = max(index, 0)
	limit, err := strconv.Atoi(params.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 25
	}
	limit = min(limit, 100)
	found := dz.find(q)
	sortDeezer(found, strings.ToUpper(params.Get("order")))
	data := make([]deezerSearchTrack, 0, limit)
	for _, e := range found[min(index, len(found)):min(index+limit, len(found))] {
		data = append(data, dz.searchItem(e.ed))
	}
	body := map[string]any{"data": data, "total": len(found)}
	if index+limit < len(found) {
		body["next"] = deezerPageURL(r, index+limit)
	}
	if index > 0 {
		body["prev"] = deezerPageURL(r, max(index-limit, 0))
	}
	writeJSON(w, http.StatusOK, body)
}

// deezerPageURL is the absolute URL of the same search at another index,
// as Deezer's next and prev are.
func deezerPageURL(r *http.Request, index int) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	params := r.URL.Query()
	params.Set("index", strconv.Itoa(index))
	return scheme + "://" + r.Host + r.URL.Path + "?" + params.Encode()
}
