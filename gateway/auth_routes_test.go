package gateway_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dj/internal/djtest"
)

func TestLoginFlowIssuesOpaqueSessionNeverSpotifyTokens(t *testing.T) {
	env := djtest.Start(t)
	var auth struct{ URL string }
	if status := env.JSON("GET", "/api/spotify/auth-url?demo_user=bob", "", nil, &auth); status != 200 {
		t.Fatalf("auth-url %d", status)
	}
	u, err := url.Parse(auth.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("user") != "bob" {
		t.Fatalf("authorize URL lacks PKCE or state: %s", auth.URL)
	}
	token := env.Login("bob")
	if len(token) < 22 { // at least 128 bits, base64url
		t.Fatalf("session token too short: %d chars", len(token))
	}
	// The session works, and the Spotify token never appears anywhere the
	// browser sees: the token exchange answer holds only our token.
	var me map[string]any
	if status := env.JSON("POST", "/api/auth/logout", token, nil, &me); status != 200 {
		t.Fatalf("logout %d", status)
	}
	if status := env.JSON("POST", "/api/auth/logout", token, nil, nil); status != 401 {
		t.Fatalf("revoked token still accepted: %d", status)
	}
}

func TestLoginCodeIsSingleUse(t *testing.T) {
	env := djtest.Start(t)
	var auth struct{ URL string }
	env.JSON("GET", "/api/spotify/auth-url", "", nil, &auth)
	resp, err := env.HTTP.Get(auth.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = env.HTTP.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if strings.Contains(loc, "token") {
		t.Fatalf("callback redirect carries a token: %s", loc)
	}
	app, _ := url.Parse(loc)
	code := app.Query().Get("auth_code")
	if status := env.JSON("POST", "/api/auth/exchange", "", map[string]string{"code": code}, nil); status != 200 {
		t.Fatalf("first exchange %d", status)
	}
	if status := env.JSON("POST", "/api/auth/exchange", "", map[string]string{"code": code}, nil); status != 401 {
		t.Fatalf("second exchange %d, want 401", status)
	}
}

func TestCallbackErrorsRedirectWithoutSecrets(t *testing.T) {
	env := djtest.Start(t)
	for _, tt := range []struct{ query, reason string }{
		{"error=access_denied&state=x", "access_denied"},
		{"code=abc", "missing_parameters"},
		{"code=abc&state=never-issued", "state_mismatch"},
	} {
		resp, err := env.HTTP.Get(env.URL + "/api/spotify/callback?" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != tt.reason {
			t.Fatalf("%s: %d %s", tt.query, resp.StatusCode, loc)
		}
	}
}
