package sim

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// acctCodeTTL is how long an authorization code can be exchanged. Spotify
// does not publish it; ten minutes is the usual OAuth figure.
const acctCodeTTL = 10 * time.Minute

// acctDefaultUser is who /authorize logs in when no ?user= is given.
const acctDefaultUser = "alice"

// acctScopes lists the scopes Spotify Accounts knows; others are refused
// with invalid_scope, as the real service does. A function, so no caller
// can change the list.
func acctScopes() []string {
	return []string{
		"app-remote-control", "playlist-modify-private", "playlist-modify-public",
		"playlist-read-collaborative", "playlist-read-private", "streaming", "ugc-image-upload",
		"user-follow-modify", "user-follow-read", "user-library-modify", "user-library-read",
		"user-modify-playback-state", "user-personalized", "user-read-currently-playing",
		"user-read-email", "user-read-playback-position", "user-read-playback-state",
		"user-read-private", "user-read-recently-played", "user-top-read",
	}
}

// spAuthCode is an issued, not yet exchanged authorization code.
type spAuthCode struct {
	user, clientID, redirectURI, challenge, scope string
	expires                                       time.Time
}

// mountAccounts registers Spotify Accounts: the browser-facing /authorize
// and the server-to-server token endpoint.
func (s *Server) mountAccounts() {
	s.initSpotify()
	s.routeBrowser("accounts", "GET /authorize", s.acctAuthorize)
	s.route("accounts", "POST /api/token", s.acctToken)
	s.onFault("accounts", acctRenderFault)
}

// acctAuthorize approves the login at once as a demo user (?user=, default
// alice) and redirects back with a code, the non-interactive stand-in for
// Spotify's consent page. Bad client ids and redirect URIs get an error
// page, because redirecting to an unvetted address is what an attacker
// wants; every other problem goes back to the redirect URI as ?error=.
func (s *Server) acctAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID := q.Get("client_id")
	if !acctValidClientID(clientID) {
		http.Error(w, "INVALID_CLIENT: Invalid client", http.StatusBadRequest)
		return
	}
	redirectURI := q.Get("redirect_uri")
	back, ok := acctParseRedirect(redirectURI)
	if !ok {
		http.Error(w, "INVALID_CLIENT: Invalid redirect URI", http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	fail := func(code string) { acctRedirect(w, r, back, url.Values{"error": {code}, "state": {state}}) }
	scope, scopeOK := acctNormScope(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type")
		return
	case q.Get("code_challenge_method") != "S256", !acctValidChallenge(q.Get("code_challenge")), state == "":
		fail("invalid_request")
		return
	case !scopeOK:
		fail("invalid_scope")
		return
	}
	user := q.Get("user")
	if user == "" {
		user = acctDefaultUser
	}
	if _, known := s.catalog.UserByID(user); !known {
		fail("access_denied")
		return
	}
	code := spRandomToken("AQ", 96)
	st := s.spotify
	st.mu.Lock()
	st.sweep(s.now())
	st.codes[code] = &spAuthCode{
		user: user, clientID: clientID, redirectURI: redirectURI,
		challenge: q.Get("code_challenge"), scope: scope, expires: s.now().Add(acctCodeTTL),
	}
	st.mu.Unlock()
	acctRedirect(w, r, back, url.Values{"code": {code}, "state": {state}})
}

// acctRedirect sends the browser to back with params added to its query.
func acctRedirect(w http.ResponseWriter, r *http.Request, back *url.URL, params url.Values) {
	u := *back
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// acctValidClientID accepts what a registered client id could look like.
// The simulator has no app registry; it binds codes and refresh tokens to
// the client id instead, so a mismatch later is still refused.
func acctValidClientID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// acctParseRedirect enforces Spotify's 2025 rules: HTTPS, or plain HTTP
// only to a loopback IP literal; "localhost" is refused.
func acctParseRedirect(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || raw == "" || u.Host == "" || u.Fragment != "" || u.User != nil {
		return nil, false
	}
	switch u.Scheme {
	case "https":
		return u, true
	case "http":
		ip := net.ParseIP(u.Hostname())
		return u, ip != nil && ip.IsLoopback()
	}
	return nil, false
}

// acctValidChallenge checks the shape of base64url(SHA-256(verifier))
// without padding: exactly 43 characters of the URL-safe alphabet.
func acctValidChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	for _, ch := range c {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			return false
		}
	}
	return true
}

// acctNormScope validates a space-separated scope list and returns it
// deduplicated, in request order.
func acctNormScope(raw string) (string, bool) {
	known := acctScopes()
	seen := map[string]bool{}
	var out []string
	for _, sc := range strings.Fields(raw) {
		if !slices.Contains(known, sc) {
			return "", false
		}
		if !seen[sc] {
			seen[sc] = true
			out = append(out, sc)
		}
	}
	return strings.Join(out, " "), true
}

// acctRenderFault answers an injected fault the way Accounts reports
// errors: {"error","error_description"}.
func acctRenderFault(w http.ResponseWriter, f Fault) {
	status := injectedStatus(f.Kind)
	code, desc := "server_error", "Server error"
	switch f.Kind {
	case Fault429:
		code, desc = "too_many_requests", "API rate limit exceeded"
	case Fault401:
		code, desc = "invalid_client", "Invalid client"
	case Fault503, Fault502:
		code, desc = "temporarily_unavailable", "Service unavailable"
	case FaultError200:
		code, desc = "server_error", "Server error"
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
