package sim

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// spSearchEntry is a track's searchable text, folded once at start.
type spSearchEntry struct {
	name, artists, album, all string
}

func spBuildSearchIndex(c *Catalog) []spSearchEntry {
	out := make([]spSearchEntry, len(c.Tracks))
	for i := range c.Tracks {
		t := &c.Tracks[i]
		e := spSearchEntry{
			name:    NormName(t.Name),
			artists: NormName(strings.Join(c.ArtistNames(t), " \x00 ")),
			album:   NormName(c.Albums[t.Album].Name),
		}
		e.all = e.name + " \x00 " + e.artists + " \x00 " + e.album
		out[i] = e
	}
	return out
}

// spQuery is a parsed search q: free-text terms plus field filters.
type spQuery struct {
	terms                             []string
	artist, track, album, genre, isrc string
	yearFrom, yearTo                  int
}

// spSearchKey is the response key of a search type ("track" → "tracks").
func spSearchKey(t string) (string, bool) {
	switch t {
	case "album", "artist", "playlist", "track", "show", "episode", "audiobook":
		return t + "s", true
	}
	return "", false
}

// spSearch is GET /search. Development mode allows limit 1–10 (default 5);
// EQM keeps the old 1–50. offset goes up to 1000.
func (s *Server) spSearch(c *spCall) spResult {
	q := c.r.URL.Query()
	raw := q.Get("q")
	if strings.TrimSpace(raw) == "" {
		return spErr(http.StatusBadRequest, "No search query")
	}
	if q.Get("type") == "" {
		return spErr(http.StatusBadRequest, "Missing parameter type")
	}
	types := strings.Split(q.Get("type"), ",")
	for _, t := range types {
		if _, ok := spSearchKey(t); !ok {
			return spErr(http.StatusBadRequest, "Bad search type field "+t)
		}
	}
	maxLimit := 10
	if c.eqm {
		maxLimit = 50
	}
	limit, offset, bad := spLimitOffset(q, 5, maxLimit, 1000)
	if bad != nil {
		return *bad
	}
	query, ok := spParseQuery(raw)
	if !ok {
		return spErr(http.StatusBadRequest, "Invalid year filter")
	}
	links := url.Values{"q": {raw}, "type": {q.Get("type")}}
	out := map[string]any{}
	for _, t := range types {
		key, _ := spSearchKey(t)
		switch t {
		case "track":
			hits := s.spSearchTracks(c, query)
			out[key] = spPageWindow(c.base, "/search", links, offset, limit, len(hits), spRender(spWindow(hits, offset, limit), c.track))
		case "artist":
			hits := spSearchArtists(c, query)
			out[key] = spPageWindow(c.base, "/search", links, offset, limit, len(hits), spRender(spWindow(hits, offset, limit), c.artist))
		case "album":
			hits := spSearchAlbums(c, query)
			out[key] = spPageWindow(c.base, "/search", links, offset, limit, len(hits), spRender(spWindow(hits, offset, limit), c.simpleAlbum))
		default:
			out[key] = spPageOf(c.base, "/search", links, offset, limit, []any{})
		}
	}
	return spJSON(http.StatusOK, out)
}

// spParseQuery splits q into terms and field filters. Quotes group words
// (artist:"the killers"); unknown fields are plain text.
func spParseQuery(raw string) (spQuery, bool) {
	var q spQuery
	for _, tok := range spTokenize(raw) {
		field, val, hasField := strings.Cut(tok, ":")
		val = NormName(val)
		if !hasField || val == "" {
			q.terms = append(q.terms, NormName(tok))
			continue
		}
		switch strings.ToLower(field) {
		case "artist":
			q.artist = val
		case "track":
			q.track = val
		case "album":
			q.album = val
		case "genre":
			q.genre = val
		case "isrc":
			q.isrc = strings.ToUpper(val)
		case "year":
			from, to, ok := spParseYears(val)
			if !ok {
				return q, false
			}
			q.yearFrom, q.yearTo = from, to
		case "tag", "upc":
			// Accepted and ignored: the catalog has no such data.
		default:
			q.terms = append(q.terms, NormName(tok))
		}
	}
	return q, true
}

func spTokenize(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case unicode.IsSpace(r) && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// spParseYears reads "1990" or "1990-1999".
func spParseYears(v string) (int, int, bool) {
	a, b, isRange := strings.Cut(v, "-")
	from, err := strconv.Atoi(a)
	if err != nil || from < 1000 || from > 9999 {
		return 0, 0, false
	}
	if !isRange {
		return from, from, true
	}
	to, err := strconv.Atoi(b)
	if err != nil || to < from || to > 9999 {
		return 0, 0, false
	}
	return from, to, true
}

func spContainsAll(text string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// spSearchTracks lists matching track indices, best first: an exact
// title match beats a partial one, then more popular tracks come first.
func (s *Server) spSearchTracks(c *spCall, q spQuery) []int {
	var hits []spHit
	whole := strings.Join(q.terms, " ")
	for i, e := range s.spotify.search {
		t := &c.cat.Tracks[i]
		switch {
		case q.isrc != "" && t.ISRC != q.isrc,
			q.track != "" && !strings.Contains(e.name, q.track),
			q.artist != "" && !strings.Contains(e.artists, q.artist),
			q.album != "" && !strings.Contains(e.album, q.album),
			q.genre != "" && t.Genre != q.genre,
			q.yearFrom != 0 && (t.Year < q.yearFrom || t.Year > q.yearTo),
			!spContainsAll(e.all, q.terms):
			continue
		}
		score := t.Popularity
		if whole != "" && e.name == whole || q.track != "" && e.name == q.track {
			score += 1000
		}
		hits = append(hits, spHit{i, score})
	}
	return spRank(hits)
}

// spSearchArtists matches artist names and genres; track, album and isrc
// filters exclude every artist, as they do on Spotify.
func spSearchArtists(c *spCall, q spQuery) []int {
	var hits []spHit
	whole := strings.Join(q.terms, " ")
	for i := range c.cat.Artists {
		a := &c.cat.Artists[i]
		name := NormName(a.Name)
		if q.artist != "" && !strings.Contains(name, q.artist) ||
			q.genre != "" && !slices.Contains(a.Genres, q.genre) ||
			q.track != "" || q.album != "" || q.isrc != "" ||
			!spContainsAll(name, q.terms) {
			continue
		}
		score := a.Popularity
		if name == whole || name == q.artist {
			score += 1000
		}
		hits = append(hits, spHit{i, score})
	}
	return spRank(hits)
}

// spSearchAlbums matches album and artist names and the release year.
func spSearchAlbums(c *spCall, q spQuery) []int {
	var hits []spHit
	for i := range c.cat.Albums {
		al := &c.cat.Albums[i]
		name, artist := NormName(al.Name), NormName(c.cat.Artists[al.Artist].Name)
		if q.album != "" && !strings.Contains(name, q.album) ||
			q.artist != "" && !strings.Contains(artist, q.artist) ||
			q.yearFrom != 0 && (al.Year < q.yearFrom || al.Year > q.yearTo) ||
			q.track != "" || q.isrc != "" || q.genre != "" ||
			!spContainsAll(name+" \x00 "+artist, q.terms) {
			continue
		}
		hits = append(hits, spHit{i, c.cat.Artists[al.Artist].Popularity})
	}
	return spRank(hits)
}

type spHit struct{ idx, score int }

// spRank orders hits by score, keeping catalog order among equals.
func spRank(hits []spHit) []int {
	slices.SortStableFunc(hits, func(a, b spHit) int { return b.score - a.score })
	out := make([]int, len(hits))
	for i, h := range hits {
		out[i] = h.idx
	}
	return out
}

// spWindow is all[offset:offset+limit], clipped.
func spWindow[T any](all []T, offset, limit int) []T {
	lo, hi := min(offset, len(all)), min(offset+limit, len(all))
	return all[lo:hi]
}

// spRender maps catalog indices to API objects.
func spRender[T any](idx []int, f func(int) T) []T {
	out := make([]T, len(idx))
	for i, x := range idx {
		out[i] = f(x)
	}
	return out
}
