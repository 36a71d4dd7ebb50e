package sim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// spCall is one authenticated Web API request as a handler sees it. The
// handler runs with spotifyState.mu held and returns its answer as an
// spResult, which is written after the lock is released, so a slow client
// never holds up the others.
type spCall struct {
	spView
	r    *http.Request
	body []byte
	tok  *spAccessToken
	user *spUser
	now  time.Time
}

// spResult is a Web API answer: a JSON body, or none (204).
type spResult struct {
	status int
	body   any
	header map[string]string
}

// spErrorObject is {"error":{"status","message"[,"reason"]}}.
type spErrorObject struct {
	Error spErrorDetail `json:"error"`
}

type spErrorDetail struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	Reason  string `json:"reason,omitempty"`
}

func spJSON(status int, body any) spResult { return spResult{status: status, body: body} }

func spNoContent() spResult { return spResult{status: http.StatusNoContent} }

func spErr(status int, msg string) spResult {
	return spResult{status: status, body: spErrorObject{Error: spErrorDetail{Status: status, Message: msg}}}
}

// spPlayerErr is the player error object, which adds a reason code.
func spPlayerErr(status int, msg, reason string) spResult {
	return spResult{status: status, body: spErrorObject{Error: spErrorDetail{Status: status, Message: msg, Reason: reason}}}
}

func spUnauthorized(msg string) spResult {
	r := spErr(http.StatusUnauthorized, msg)
	r.header = map[string]string{"WWW-Authenticate": `Bearer realm="spotify", error="invalid_token", error_description="` + msg + `"`}
	return r
}

// The scopes the handlers ask for.
const (
	spScopePlaybackRead   = "user-read-playback-state"
	spScopeCurrentlyRead  = "user-read-currently-playing"
	spScopePlaybackModify = "user-modify-playback-state"
	spScopeRecentlyPlayed = "user-read-recently-played"
	spScopeTopRead        = "user-top-read"
	spScopeModifyPublic   = "playlist-modify-public"
	spScopeModifyPrivate  = "playlist-modify-private"
)

// spHandle wraps a Web API handler with what every endpoint does first:
// read the body, check the bearer token (and that it carries one of
// scopes, when given), find the user.
func (s *Server) spHandle(h func(*spCall) spResult, scopes ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				spWrite(w, spErr(http.StatusRequestEntityTooLarge, "Request body too large"))
				return
			}
			spWrite(w, spErr(http.StatusBadRequest, "Could not read request body"))
			return
		}
		st := s.spotify
		st.mu.Lock()
		res := s.spDispatch(r, body, h, scopes)
		st.mu.Unlock()
		spWrite(w, res)
	}
}

func (s *Server) spDispatch(r *http.Request, body []byte, h func(*spCall) spResult, scopes []string) spResult {
	st := s.spotify
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return spUnauthorized("No token provided")
	}
	raw, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return spErr(http.StatusBadRequest, "Only valid bearer authentication supported")
	}
	tok, ok := st.access[strings.TrimSpace(raw)]
	if !ok {
		return spUnauthorized("Invalid access token")
	}
	now := s.now()
	if !now.Before(tok.expires) {
		return spUnauthorized("The access token expired")
	}
	if len(scopes) > 0 && !spHasAny(tok.scopes, scopes) {
		return spErr(http.StatusForbidden, "Insufficient client scope")
	}
	user, ok := st.users[tok.user]
	if !ok {
		return spUnauthorized("Invalid access token")
	}
	c := &spCall{spView: s.spViewFor(r), r: r, body: body, tok: tok, user: user, now: now}
	return h(c)
}

// spViewFor renders for the address the client used; st.mu must be held
// (it reads the API mode).
func (s *Server) spViewFor(r *http.Request) spView {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return spView{cat: s.catalog, base: scheme + "://" + r.Host + apiPrefixes["spotify"] + "/v1", eqm: s.spotify.eqm}
}

func spHasAny(have map[string]bool, want []string) bool {
	for _, w := range want {
		if have[w] {
			return true
		}
	}
	return false
}

// spWrite sends a result. A body-less result is sent without any
// Content-Type, as Spotify's 204s are.
func spWrite(w http.ResponseWriter, res spResult) {
	for k, v := range res.header {
		w.Header().Set(k, v)
	}
	if res.body == nil {
		w.WriteHeader(res.status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(res.status)
	_ = json.NewEncoder(w).Encode(res.body)
}

// spRenderFault answers an injected status fault in Spotify's error shape.
// The framework has already set Retry-After on a 429.
func spRenderFault(w http.ResponseWriter, f Fault) {
	status := injectedStatus(f.Kind)
	var res spResult
	switch f.Kind {
	case Fault429:
		res = spErr(status, "API rate limit exceeded")
	case Fault401:
		res = spUnauthorized("The access token expired")
	case Fault502:
		res = spErr(status, "Bad gateway.")
	case Fault503:
		res = spErr(status, "Service unavailable")
	case FaultError200:
		res = spErr(http.StatusInternalServerError, "Server error")
		res.status = http.StatusOK
	default:
		res = spErr(status, "Server error")
	}
	spWrite(w, res)
}

// decodeBody decodes an optional JSON body; an empty body leaves v as is.
func (c *spCall) decodeBody(v any) bool {
	if len(strings.TrimSpace(string(c.body))) == 0 {
		return true
	}
	return json.Unmarshal(c.body, v) == nil
}
