package sim

import (
	"net/http"
	"net/url"
	"strconv"
)

type spPlayHistory struct {
	Track    spTrack        `json:"track"`
	PlayedAt string         `json:"played_at"`
	Context  *spContextJSON `json:"context"`
}

type spCursors struct {
	After  string `json:"after"`
	Before string `json:"before"`
}

// spCursorPage is the cursor paging object of recently-played.
type spCursorPage struct {
	Href    string          `json:"href"`
	Items   []spPlayHistory `json:"items"`
	Limit   int             `json:"limit"`
	Next    *string         `json:"next"`
	Cursors *spCursors      `json:"cursors"`
}

// spRecentlyPlayed is GET /me/player/recently-played: the last 50 plays,
// newest first, limit 1–50 (default 20), paged by after or before (Unix
// ms, not both).
func (s *Server) spRecentlyPlayed(c *spCall) spResult {
	q := c.r.URL.Query()
	limit, _, bad := spLimitOffset(url.Values{"limit": q["limit"]}, 20, 50, 0)
	if bad != nil {
		return *bad
	}
	after, errA := spOptMillis(q.Get("after"))
	before, errB := spOptMillis(q.Get("before"))
	if errA != nil || errB != nil {
		return spErr(http.StatusBadRequest, "Invalid cursor")
	}
	if after != 0 && before != 0 {
		return spErr(http.StatusBadRequest, "Only one of after or before may be given")
	}
	p := &c.user.player
	p.settle(c.cat, c.now)
	var picked []spPlay
	older := false
	if after != 0 {
		// The plays right after the cursor, still listed newest first.
		var newer []spPlay
		for _, h := range p.history {
			if h.at.UnixMilli() > after {
				newer = append(newer, h)
			}
		}
		picked = newer[max(0, len(newer)-limit):]
	} else {
		for _, h := range p.history {
			if before != 0 && h.at.UnixMilli() >= before {
				continue
			}
			if len(picked) == limit {
				older = true
				break
			}
			picked = append(picked, h)
		}
	}
	page := spCursorPage{Href: c.base + "/me/player/recently-played?" + q.Encode(), Items: []spPlayHistory{}, Limit: limit}
	for _, h := range picked {
		var ctx *spContextJSON
		if kind, _, ok := spParseURI(h.context); ok {
			ctx = c.playContext(&spPlayContext{uri: h.context, kind: kind})
		}
		page.Items = append(page.Items, spPlayHistory{
			Track:    c.track(h.track),
			PlayedAt: h.at.UTC().Format("2006-01-02T15:04:05.000Z"),
			Context:  ctx,
		})
	}
	if n := len(picked); n > 0 {
		page.Cursors = &spCursors{
			After:  strconv.FormatInt(picked[0].at.UnixMilli(), 10),
			Before: strconv.FormatInt(picked[n-1].at.UnixMilli(), 10),
		}
		if older {
			next := c.base + "/me/player/recently-played?" + url.Values{
				"before": {page.Cursors.Before}, "limit": {strconv.Itoa(limit)},
			}.Encode()
			page.Next = &next
		}
	}
	return spJSON(http.StatusOK, page)
}

func spOptMillis(raw string) (int64, error) {
	if raw == "" {
		return 0, nil
	}
	return strconv.ParseInt(raw, 10, 64)
}

// spTop is GET /me/top/{type}. Each time range is a different, stable
// ordering of the user's seeded favourites.
func (s *Server) spTop(c *spCall) spResult {
	q := c.r.URL.Query()
	kind := c.r.PathValue("type")
	if kind != "tracks" && kind != "artists" {
		return spErr(http.StatusBadRequest, "Invalid type")
	}
	shift := 0
	switch q.Get("time_range") {
	case "long_term":
	case "", "medium_term":
		shift = 7
	case "short_term":
		shift = 17
	default:
		return spErr(http.StatusBadRequest, "Invalid time_range")
	}
	limit, offset, bad := spLimitOffset(q, 20, 50, 10000)
	if bad != nil {
		return *bad
	}
	top := c.user.cat.Top
	order := make([]int, 0, len(top))
	if len(top) > 0 {
		for i := range top {
			order = append(order, top[(i+shift)%len(top)])
		}
	}
	keep := url.Values{}
	if tr := q.Get("time_range"); tr != "" {
		keep.Set("time_range", tr)
	}
	path := "/me/top/" + kind
	if kind == "tracks" {
		return spJSON(http.StatusOK, spPageWindow(c.base, path, keep, offset, limit, len(order), spRender(spWindow(order, offset, limit), c.track)))
	}
	var artists []int
	seen := map[int]bool{}
	for _, ti := range order {
		if a := c.cat.Tracks[ti].Artist; !seen[a] {
			seen[a] = true
			artists = append(artists, a)
		}
	}
	return spJSON(http.StatusOK, spPageWindow(c.base, path, keep, offset, limit, len(artists), spRender(spWindow(artists, offset, limit), c.artist)))
}
