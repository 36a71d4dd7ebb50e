package sim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"strings"
	"time"
)

// spAccessToken is a live Web API bearer token.
type spAccessToken struct {
	user, clientID string
	scopes         map[string]bool
	expires        time.Time
}

// spRefreshToken is a refresh token; refreshing replaces it (rotation).
type spRefreshToken struct {
	user, clientID, scope string
}

// acctTokenResponse is Spotify's token JSON.
type acctTokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// acctError is a token-endpoint failure: always HTTP 400 with the OAuth
// error code callers match on.
type acctError struct{ code, desc string }

// acctToken is POST /api/token: the authorization_code grant with PKCE
// and the refresh_token grant with rotation. Only form bodies are read.
func (s *Server) acctToken(w http.ResponseWriter, r *http.Request) {
	resp, aerr := s.acctGrant(w, r)
	if aerr != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": aerr.code, "error_description": aerr.desc})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) acctGrant(w http.ResponseWriter, r *http.Request) (acctTokenResponse, *acctError) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return acctTokenResponse{}, &acctError{"invalid_request", "Content-Type must be application/x-www-form-urlencoded"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		return acctTokenResponse{}, &acctError{"invalid_request", "Malformed form body"}
	}
	clientID, aerr := acctClientID(r)
	if aerr != nil {
		return acctTokenResponse{}, aerr
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		return s.acctCodeGrant(r, clientID)
	case "refresh_token":
		return s.acctRefreshGrant(r, clientID)
	case "":
		return acctTokenResponse{}, &acctError{"invalid_request", "grant_type must be provided"}
	default:
		return acctTokenResponse{}, &acctError{"unsupported_grant_type", "grant_type parameter is invalid"}
	}
}

// acctClientID reads the client from Basic auth or the form. A Basic
// header with an empty secret is refused, as Spotify does, which makes
// golang.org/x/oauth2's auto-detect fall back to form parameters.
func acctClientID(r *http.Request) (string, *acctError) {
	form := r.PostForm.Get("client_id")
	if user, secret, ok := r.BasicAuth(); ok {
		if secret == "" {
			return "", &acctError{"invalid_client", "Invalid client secret"}
		}
		if form != "" && form != user {
			return "", &acctError{"invalid_client", "Invalid client"}
		}
		form = user
	}
	if !acctValidClientID(form) {
		return "", &acctError{"invalid_client", "Invalid client"}
	}
	return form, nil
}

func (s *Server) acctCodeGrant(r *http.Request, clientID string) (acctTokenResponse, *acctError) {
	f := r.PostForm
	code, verifier := f.Get("code"), f.Get("code_verifier")
	if code == "" {
		return acctTokenResponse{}, &acctError{"invalid_request", "code must be provided"}
	}
	st := s.spotify
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.codes[code]
	if !ok {
		return acctTokenResponse{}, &acctError{"invalid_grant", "Invalid authorization code"}
	}
	// A code is good for one attempt, successful or not.
	delete(st.codes, code)
	switch {
	case !s.now().Before(c.expires):
		return acctTokenResponse{}, &acctError{"invalid_grant", "Authorization code expired"}
	case c.clientID != clientID:
		return acctTokenResponse{}, &acctError{"invalid_grant", "Invalid authorization code"}
	case f.Get("redirect_uri") != c.redirectURI:
		return acctTokenResponse{}, &acctError{"invalid_grant", "Invalid redirect URI"}
	case verifier == "":
		return acctTokenResponse{}, &acctError{"invalid_request", "code_verifier required"}
	case !acctVerifierMatches(verifier, c.challenge):
		return acctTokenResponse{}, &acctError{"invalid_grant", "code_verifier was incorrect"}
	}
	return s.acctIssueLocked(c.user, clientID, c.scope), nil
}

func (s *Server) acctRefreshGrant(r *http.Request, clientID string) (acctTokenResponse, *acctError) {
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		return acctTokenResponse{}, &acctError{"invalid_request", "refresh_token must be supplied"}
	}
	st := s.spotify
	st.mu.Lock()
	defer st.mu.Unlock()
	old, ok := st.refresh[rt]
	if !ok {
		return acctTokenResponse{}, &acctError{"invalid_grant", "Invalid refresh token"}
	}
	if old.clientID != clientID {
		return acctTokenResponse{}, &acctError{"invalid_grant", "Invalid refresh token"}
	}
	delete(st.refresh, rt)
	return s.acctIssueLocked(old.user, clientID, old.scope), nil
}

// acctVerifierMatches checks base64url(SHA-256(verifier)) == challenge and
// the verifier's RFC 7636 shape (43–128 unreserved characters).
func acctVerifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, c := range verifier {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// acctIssueLocked mints an access and a refresh token; st.mu must be held.
func (s *Server) acctIssueLocked(user, clientID, scope string) acctTokenResponse {
	st := s.spotify
	now := s.now()
	st.sweep(now)
	ttl := s.cfg.AccessTokenTTL
	scopes := map[string]bool{}
	for _, sc := range strings.Fields(scope) {
		scopes[sc] = true
	}
	at := spRandomToken("BQ", 120)
	st.access[at] = &spAccessToken{user: user, clientID: clientID, scopes: scopes, expires: now.Add(ttl)}
	rt := spRandomToken("AQ", 128)
	st.refresh[rt] = &spRefreshToken{user: user, clientID: clientID, scope: scope}
	return acctTokenResponse{
		AccessToken:  at,
		TokenType:    "Bearer",
		Scope:        scope,
		ExpiresIn:    max(1, int(ttl/time.Second)),
		RefreshToken: rt,
	}
}

// acctExpiredGrace is how long an expired access token is still known, so
// it is answered "The access token expired" rather than "Invalid".
const acctExpiredGrace = 6 * time.Hour

// sweep drops expired codes and long-expired access tokens about once a
// minute, so a long load test does not grow the maps without bound.
// st.mu must be held.
func (st *spotifyState) sweep(now time.Time) {
	if now.Sub(st.lastSweep) < time.Minute {
		return
	}
	st.lastSweep = now
	for k, c := range st.codes {
		if !now.Before(c.expires) {
			delete(st.codes, k)
		}
	}
	for k, t := range st.access {
		if now.Sub(t.expires) > acctExpiredGrace {
			delete(st.access, k)
		}
	}
}

// spRandomToken returns prefix followed by random URL-safe characters,
// n characters in all.
func spRandomToken(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	s := prefix + base64.RawURLEncoding.EncodeToString(b)
	return s[:n]
}
