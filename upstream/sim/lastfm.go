package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// lastfmSim answers Last.fm 2.0 from the catalog. Everything it holds is
// derived once at mount time and never changed, so handlers share it
// without locks.
type lastfmSim struct {
	cat          *Catalog
	trackByMBID  map[string]int
	artistByMBID map[string]int
	methods      map[string]lastfmMethod // by lower-cased method name
}

// lastfmMethod is one Last.fm method; it writes its own answer.
type lastfmMethod func(w http.ResponseWriter, r *http.Request, q lastfmQuery)

// mountLastfm registers the single Last.fm endpoint. Like the real
// service, every method goes through /2.0/ and is chosen by the `method`
// query parameter, so faults can target a method by name (Fault.Path).
func (s *Server) mountLastfm() {
	lf := newLastfmSim(s.catalog)
	s.onFault("lastfm", renderLastfmFault)
	s.route("lastfm", "GET /2.0/", lf.serve)
}

func newLastfmSim(c *Catalog) *lastfmSim {
	lf := &lastfmSim{cat: c, trackByMBID: map[string]int{}, artistByMBID: map[string]int{}}
	// Last.fm matches method names case-insensitively.
	lf.methods = map[string]lastfmMethod{
		"track.getinfo":       lf.trackGetInfo,
		"track.getsimilar":    lf.trackGetSimilar,
		"track.gettoptags":    lf.trackGetTopTags,
		"track.getcorrection": lf.trackGetCorrection,
		"artist.getinfo":      lf.artistGetInfo,
		"artist.gettoptags":   lf.artistGetTopTags,
	}
	for i, t := range c.Tracks {
		if t.InLastfm && t.MBID != "" {
			lf.trackByMBID[t.MBID] = i
		}
	}
	for i, a := range c.Artists {
		if a.InLastfm && a.MBID != "" {
			lf.artistByMBID[a.MBID] = i
		}
	}
	return lf
}

// serve checks format, key and method in the order the real service
// does, then hands over to the method. Any non-empty api_key is valid,
// except that keys starting with "invalid" get error 10 and keys starting
// with "suspended" error 26, so tests can provoke both without faults.
func (lf *lastfmSim) serve(w http.ResponseWriter, r *http.Request) {
	q := newLastfmQuery(r)
	if !strings.EqualFold(q.get("format"), "json") {
		writeLastfmXMLError(w, 5)
		return
	}
	switch key := q.get("api_key"); {
	case key == "" || strings.HasPrefix(key, "invalid"):
		writeLastfmError(w, 10)
		return
	case strings.HasPrefix(key, "suspended"):
		writeLastfmError(w, 26)
		return
	}
	m, ok := lf.methods[strings.ToLower(q.get("method"))]
	if !ok {
		writeLastfmError(w, 3)
		return
	}
	m(w, r, q)
}

// lastfmError is Last.fm's JSON error body.
type lastfmError struct {
	Error   int      `json:"error"`
	Message string   `json:"message"`
	Links   []string `json:"links"`
}

// writeLastfmError answers with an error body in HTTP 200, as Last.fm
// does for format=json.
func writeLastfmError(w http.ResponseWriter, code int) {
	writeLastfmErrorMessage(w, http.StatusOK, code, lastfmErrorMessage(code))
}

func writeLastfmErrorMessage(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, lastfmError{Error: code, Message: msg, Links: []string{}})
}

// writeLastfmXMLError is the answer to a request without format=json: the
// simulator speaks only JSON, so it says so in Last.fm's XML error form.
func writeLastfmXMLError(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lfm status=\"failed\">\n  <error code=\"" +
		strconv.Itoa(code) + "\">" + lastfmErrorMessage(code) + "</error>\n</lfm>\n"))
}

// lastfmErrorMessage gives the text Last.fm sends with each code.
func lastfmErrorMessage(code int) string {
	switch code {
	case 3:
		return "Invalid Method - No method with that name in this package"
	case 5:
		return "Invalid format - This service doesn't exist in that format"
	case 6:
		return "Invalid parameters - Your request is missing a required parameter"
	case 8:
		return "Operation failed - Most likely the backend service failed. Please try again."
	case 10:
		return "Invalid API key - You must be granted a valid key by last.fm"
	case 11:
		return "Service Offline - This service is temporarily offline. Try again later."
	case 16:
		return "There was a temporary error processing your request. Please try again"
	case 26:
		return "Suspended API key - Access for your account has been suspended, please contact Last.fm"
	case 29:
		return "Rate Limit Exceeded - Your IP has made too many requests in a short period"
	default:
		return "Operation failed"
	}
}

// renderLastfmFault renders an injected fault in Last.fm's error shape.
// error200 answers HTTP 200 with code 8 unless Fault.Code says otherwise;
// status faults carry the code that fits them (29 for 429, 11 for 503,
// 10 for 401, 8 for the rest).
func renderLastfmFault(w http.ResponseWriter, f Fault) {
	code := f.Code
	if code == 0 {
		switch f.Kind {
		case Fault429:
			code = 29
		case Fault503:
			code = 11
		case Fault401:
			code = 10
		default:
			code = 8
		}
	}
	writeLastfmErrorMessage(w, injectedStatus(f.Kind), code, lastfmErrorMessage(code))
}
