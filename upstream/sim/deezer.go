package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// deezerSim answers Deezer's public API from the catalog. Its search
// index is built once at mount time; only the quota model changes later,
// and it has its own lock.
type deezerSim struct {
	cat   *Catalog
	now   func() int64 // unix seconds, for preview expiry
	index []deezerIndexEntry
	quota *deezerQuota
}

// mountDeezer registers Deezer's routes. Every route goes through the
// quota model (off unless switched on at /_sim/deezer/quota), and every
// path Deezer does not know answers error 600, as the real API does.
func (s *Server) mountDeezer() {
	dz := &deezerSim{
		cat:   s.catalog,
		now:   func() int64 { return s.now().Unix() },
		quota: newDeezerQuota(s.now),
	}
	dz.buildIndex()
	s.onFault("deezer", renderDeezerFault)
	s.route("deezer", "GET /track/{id}", dz.limited(dz.track))
	s.route("deezer", "GET /search", dz.limited(dz.search))
	s.route("deezer", "GET /search/track", dz.limited(dz.search))
	s.route("deezer", "GET /", dz.limited(dz.unknownPath))
	s.mux.HandleFunc("GET /_sim/deezer/quota", dz.quota.get)
	s.mux.HandleFunc("PUT /_sim/deezer/quota", dz.quota.put)
}

// limited applies the quota model before h.
func (dz *deezerSim) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !dz.quota.allow(r) {
			writeDeezerError(w, 4, "Quota limit exceeded")
			return
		}
		h(w, r)
	}
}

func (dz *deezerSim) unknownPath(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, apiPrefixes["deezer"])
	writeDeezerError(w, 600, "Unknown path components : "+rest)
}

// deezerErrorBody is Deezer's error object; code is a pointer because
// Deezer sometimes leaves it out.
type deezerErrorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Code    *int   `json:"code,omitempty"`
}

// writeDeezerError answers with Deezer's error object in HTTP 200: Deezer
// never signals failure through the status.
func writeDeezerError(w http.ResponseWriter, code int, msg string) {
	writeDeezerErrorStatus(w, http.StatusOK, code, msg)
}

func writeDeezerErrorStatus(w http.ResponseWriter, status, code int, msg string) {
	body := deezerErrorBody{Type: deezerErrorType(code), Message: msg}
	if code >= 0 {
		body.Code = &code
	}
	writeJSON(w, status, map[string]any{"error": body})
}

// deezerErrorType is the exception class Deezer names for each code.
func deezerErrorType(code int) string {
	switch code {
	case 200, 300:
		return "OAuthException"
	case 500:
		return "ParameterException"
	case 501:
		return "MissingParameterException"
	case 600:
		return "InvalidQueryException"
	case 800:
		return "DataException"
	default:
		return "Exception"
	}
}

// deezerErrorMessage is Deezer's usual text for a code.
func deezerErrorMessage(code int) string {
	switch code {
	case 4:
		return "Quota limit exceeded"
	case 100:
		return "Items limit exceeded"
	case 200:
		return "Permission denied"
	case 300:
		return "Invalid OAuth access token."
	case 500:
		return "Wrong parameter"
	case 501:
		return "Missing parameters"
	case 600:
		return "Invalid query"
	case 700:
		return "Service busy"
	case 800:
		return "no data"
	default:
		return "An error has occured"
	}
}

// renderDeezerFault renders an injected fault as Deezer's error object.
// error200 (and 429) default to code 4, the quota error; 401 to 300;
// other statuses to 700. Fault.Code overrides, and a negative Code sends
// the variant without a code that Deezer sometimes answers.
func renderDeezerFault(w http.ResponseWriter, f Fault) {
	code := f.Code
	if code == 0 {
		switch f.Kind {
		case FaultError200, Fault429:
			code = 4
		case Fault401:
			code = 300
		default:
			code = 700
		}
	}
	writeDeezerErrorStatus(w, injectedStatus(f.Kind), code, deezerErrorMessage(code))
}

// deezerID parses a positive Deezer id.
func deezerID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
