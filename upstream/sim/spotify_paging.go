package sim

import (
	"net/http"
	"net/url"
	"strconv"
)

// spPage is Spotify's offset paging object. next and previous are
// absolute URLs on this simulator, because clients follow them verbatim.
type spPage[T any] struct {
	Href     string  `json:"href"`
	Items    []T     `json:"items"`
	Limit    int     `json:"limit"`
	Next     *string `json:"next"`
	Offset   int     `json:"offset"`
	Previous *string `json:"previous"`
	Total    int     `json:"total"`
}

// spPageOf cuts the page [offset, offset+limit) out of all. q holds the
// other query parameters the links must repeat (q and type for search).
func spPageOf[T any](base, path string, q url.Values, offset, limit int, all []T) spPage[T] {
	lo, hi := min(offset, len(all)), min(offset+limit, len(all))
	return spPageWindow(base, path, q, offset, limit, len(all), all[lo:hi])
}

// spPageWindow builds a page whose items were already cut out of total.
func spPageWindow[T any](base, path string, q url.Values, offset, limit, total int, window []T) spPage[T] {
	items := make([]T, len(window))
	copy(items, window)
	p := spPage[T]{
		Href:   spPageURL(base, path, q, offset, limit),
		Items:  items,
		Limit:  limit,
		Offset: offset,
		Total:  total,
	}
	if offset+limit < total {
		next := spPageURL(base, path, q, offset+limit, limit)
		p.Next = &next
	}
	if offset > 0 {
		prev := spPageURL(base, path, q, max(0, offset-limit), limit)
		p.Previous = &prev
	}
	return p
}

func spPageURL(base, path string, q url.Values, offset, limit int) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "offset" && k != "limit" {
			v[k] = vs
		}
	}
	v.Set("offset", strconv.Itoa(offset))
	v.Set("limit", strconv.Itoa(limit))
	return base + path + "?" + v.Encode()
}

// spLimitOffset reads limit (default def, 1..maxLimit) and offset
// (0..maxOffset), answering 400 the way Spotify does when out of range.
func spLimitOffset(q url.Values, def, maxLimit, maxOffset int) (limit, offset int, bad *spResult) {
	limit, offset = def, 0
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			r := spErr(http.StatusBadRequest, "Invalid limit")
			return 0, 0, &r
		}
		limit = n
	}
	if raw := q.Get("offset"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > maxOffset {
			r := spErr(http.StatusBadRequest, "Invalid offset")
			return 0, 0, &r
		}
		offset = n
	}
	return limit, offset, nil
}
