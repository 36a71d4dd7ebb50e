package sim

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"
)

// deezerQuota models Deezer's per-IP quota: more than Limit distinct
// requests inside Window get error 4, with no Retry-After. Identical URLs
// repeated inside the window are answered from Deezer's cache and do not
// count. It is off by default because dj's own limiter is meant to stay
// under it; tests switch it on through /_sim/deezer/quota.
type deezerQuota struct {
	mu       sync.Mutex
	now      func() time.Time
	settings deezerQuotaSettings
	byIP     map[string][]deezerHit // oldest first
}

// deezerQuotaSettings is the body of GET and PUT /_sim/deezer/quota.
type deezerQuotaSettings struct {
	Enabled  bool `json:"enabled"`
	Limit    int  `json:"limit"`     // default 50
	WindowMs int  `json:"window_ms"` // default 5000
}

type deezerHit struct {
	at  time.Time
	url string
}

func newDeezerQuota(now func() time.Time) *deezerQuota {
	return &deezerQuota{now: now, settings: deezerQuotaSettings{Limit: 50, WindowMs: 5000}, byIP: map[string][]deezerHit{}}
}

// allow records r against its client's window and reports whether the
// quota lets it through.
func (q *deezerQuota) allow(r *http.Request) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.settings.Enabled {
		return true
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	now := q.now()
	window := time.Duration(q.settings.WindowMs) * time.Millisecond
	hits := q.byIP[ip]
	cut := 0
	for cut < len(hits) && now.Sub(hits[cut].at) >= window {
		cut++
	}
	hits = hits[cut:]
	url := r.URL.RequestURI()
	for _, h := range hits {
		if h.url == url {
			q.byIP[ip] = hits
			return true
		}
	}
	if len(hits) >= q.settings.Limit {
		q.byIP[ip] = hits
		return false
	}
	q.byIP[ip] = append(hits, deezerHit{at: now, url: url})
	return true
}

func (q *deezerQuota) get(w http.ResponseWriter, r *http.Request) {
	q.mu.Lock()
	s := q.settings
	q.mu.Unlock()
	writeJSON(w, http.StatusOK, s)
}

// put replaces the settings and clears the windows; zero limit or window
// take the defaults.
func (q *deezerQuota) put(w http.ResponseWriter, r *http.Request) {
	var s deezerQuotaSettings
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12)).Decode(&s); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be {enabled, limit, window_ms}"})
		return
	}
	if s.Limit < 0 || s.WindowMs < 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit and window_ms must not be negative"})
		return
	}
	if s.Limit == 0 {
		s.Limit = 50
	}
	if s.WindowMs == 0 {
		s.WindowMs = 5000
	}
	q.mu.Lock()
	q.settings = s
	q.byIP = map[string][]deezerHit{}
	q.mu.Unlock()
	writeJSON(w, http.StatusOK, s)
}
