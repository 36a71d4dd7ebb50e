package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const acctTestVerifier = "abcdefghijklmnopqrstuvwxyz0123456789-._~ABCDEFGH"

func acctTestChallenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func acctTestParams() url.Values {
	return url.Values{
		"client_id":             {"testclient"},
		"response_type":         {"code"},
		"redirect_uri":          {"http://127.0.0.1:8080/cb"},
		"code_challenge_method": {"S256"},
		"code_challenge":        {acctTestChallenge(acctTestVerifier)},
		"state":                 {"st8"},
		"scope":                 {"user-read-private user-modify-playback-state"},
	}
}

// authorize follows /authorize by hand and returns the redirect target.
func (e *spEnv) authorize(p url.Values) (int, *url.URL) {
	e.t.Helper()
	r := e.call("GET", "/accounts/authorize?"+p.Encode(), "", nil)
	if r.status != http.StatusFound {
		return r.status, nil
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	return r.status, loc
}

func (e *spEnv) code(p url.Values) string {
	e.t.Helper()
	_, loc := e.authorize(p)
	if loc == nil || loc.Query().Get("code") == "" {
		e.t.Fatalf("no code in redirect %v", loc)
	}
	return loc.Query().Get("code")
}

func TestAccountsAuthorizeValidates(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tests := []struct {
		name      string
		change    func(url.Values)
		wantPage  bool   // 400 error page instead of a redirect
		wantError string // error= in the redirect; "" means a code
	}{
		{name: "ok", change: func(url.Values) {}},
		{name: "https redirect", change: func(p url.Values) { p.Set("redirect_uri", "https://dj.example/cb") }},
		{name: "ipv6 loopback", change: func(p url.Values) { p.Set("redirect_uri", "http://[::1]:9000/cb") }},
		{name: "other user", change: func(p url.Values) { p.Set("user", "bob") }},
		{name: "no client id", change: func(p url.Values) { p.Del("client_id") }, wantPage: true},
		{name: "bad client id", change: func(p url.Values) { p.Set("client_id", "a b") }, wantPage: true},
		{name: "localhost refused", change: func(p url.Values) { p.Set("redirect_uri", "http://localhost:8080/cb") }, wantPage: true},
		{name: "plain http elsewhere", change: func(p url.Values) { p.Set("redirect_uri", "http://10.1.2.3/cb") }, wantPage: true},
		{name: "no redirect", change: func(p url.Values) { p.Del("redirect_uri") }, wantPage: true},
		{name: "implicit grant", change: func(p url.Values) { p.Set("response_type", "token") }, wantError: "unsupported_response_type"},
		{name: "plain method", change: func(p url.Values) { p.Set("code_challenge_method", "plain") }, wantError: "invalid_request"},
		{name: "short challenge", change: func(p url.Values) { p.Set("code_challenge", "abc") }, wantError: "invalid_request"},
		{name: "no state", change: func(p url.Values) { p.Del("state") }, wantError: "invalid_request"},
		{name: "unknown scope", change: func(p url.Values) { p.Set("scope", "user-read-private bogus") }, wantError: "invalid_scope"},
		{name: "unknown user", change: func(p url.Values) { p.Set("user", "mallory") }, wantError: "access_denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := acctTestParams()
			tc.change(p)
			status, loc := e.authorize(p)
			if tc.wantPage {
				if status != http.StatusBadRequest {
					t.Fatalf("status %d, want an error page", status)
				}
				return
			}
			if loc == nil {
				t.Fatalf("status %d, want a redirect", status)
			}
			q := loc.Query()
			if got := loc.Scheme + "://" + loc.Host + loc.Path; !strings.HasPrefix(p.Get("redirect_uri"), got) {
				t.Fatalf("redirected to %s, want %s", got, p.Get("redirect_uri"))
			}
			if q.Get("error") != tc.wantError {
				t.Fatalf("error=%q, want %q", q.Get("error"), tc.wantError)
			}
			if p.Get("state") != "" && q.Get("state") != p.Get("state") {
				t.Fatalf("state %q not echoed", q.Get("state"))
			}
			if (tc.wantError == "") != (q.Get("code") != "") {
				t.Fatalf("code=%q with error=%q", q.Get("code"), q.Get("error"))
			}
		})
	}
}

func TestAccountsCodeExchangeAndRefresh(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	exchange := func(code, verifier, redirect, client string) spResp {
		return e.form(url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
			"redirect_uri": {redirect}, "client_id": {client},
		})
	}
	wantOAuthError := func(t *testing.T, r spResp, code string) {
		t.Helper()
		r.wantStatus(t, http.StatusBadRequest)
		if got := r.json(t)["error"]; got != code {
			t.Fatalf("error %v, want %s (%s)", got, code, r.body)
		}
	}
	good := acctTestParams()
	redirect := good.Get("redirect_uri")

	t.Run("wrong verifier burns the code", func(t *testing.T) {
		code := e.code(good)
		wantOAuthError(t, exchange(code, strings.Repeat("x", 43), redirect, "testclient"), "invalid_grant")
		wantOAuthError(t, exchange(code, acctTestVerifier, redirect, "testclient"), "invalid_grant")
	})
	t.Run("redirect mismatch", func(t *testing.T) {
		wantOAuthError(t, exchange(e.code(good), acctTestVerifier, "http://127.0.0.1:8080/other", "testclient"), "invalid_grant")
	})
	t.Run("other client", func(t *testing.T) {
		wantOAuthError(t, exchange(e.code(good), acctTestVerifier, redirect, "otherclient"), "invalid_grant")
	})
	t.Run("missing verifier", func(t *testing.T) {
		wantOAuthError(t, exchange(e.code(good), "", redirect, "testclient"), "invalid_request")
	})
	t.Run("expired code", func(t *testing.T) {
		code := e.code(good)
		e.clock.Advance(acctCodeTTL + time.Second)
		wantOAuthError(t, exchange(code, acctTestVerifier, redirect, "testclient"), "invalid_grant")
	})
	t.Run("json body refused", func(t *testing.T) {
		wantOAuthError(t, e.call("POST", "/accounts/api/token", "", map[string]string{"grant_type": "refresh_token"}), "invalid_request")
	})
	t.Run("unknown grant", func(t *testing.T) {
		wantOAuthError(t, e.form(url.Values{"grant_type": {"password"}, "client_id": {"testclient"}}), "unsupported_grant_type")
	})
	t.Run("basic with empty secret", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.srv.URL()+"/accounts/api/token", strings.NewReader("grant_type=refresh_token&refresh_token=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("testclient", "")
		wantOAuthError(t, e.send(req), "invalid_client")
	})

	t.Run("full flow", func(t *testing.T) {
		r := exchange(e.code(good), acctTestVerifier, redirect, "testclient").wantStatus(t, http.StatusOK)
		tok := r.json(t)
		if tok["token_type"] != "Bearer" || tok["expires_in"].(float64) != 3600 || tok["scope"] != good.Get("scope") {
			t.Fatalf("token response %v", tok)
		}
		access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
		me := e.api("GET", "/me", access, nil).wantStatus(t, http.StatusOK).json(t)
		if me["id"] != "alice" {
			t.Fatalf("logged in as %v, want alice", me["id"])
		}
		// The token lacks user-read-playback-state.
		e.api("GET", "/me/player", access, nil).wantSpError(t, http.StatusForbidden, "Insufficient client scope")

		// Refresh with the client in Basic auth; the refresh token rotates.
		req, _ := http.NewRequest("POST", e.srv.URL()+"/accounts/api/token", strings.NewReader(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("testclient", "secret")
		next := e.send(req).wantStatus(t, http.StatusOK).json(t)
		if next["refresh_token"] == refresh || next["access_token"] == access {
			t.Fatal("refresh did not rotate the tokens")
		}
		wantOAuthError(t, e.form(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"testclient"}}), "invalid_grant")
		e.form(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next["refresh_token"].(string)}, "client_id": {"testclient"}}).wantStatus(t, http.StatusOK)

		e.clock.Advance(time.Hour)
		e.api("GET", "/me", next["access_token"].(string), nil).wantSpError(t, http.StatusUnauthorized, "The access token expired")
	})
}

func TestAccountsFaultShape(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	if err := e.srv.AddFault(Fault{API: "accounts", Kind: Fault503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	r := e.form(url.Values{"grant_type": {"refresh_token"}}).wantStatus(t, http.StatusServiceUnavailable)
	if r.json(t)["error"] != "temporarily_unavailable" {
		t.Fatalf("fault body %s", r.body)
	}
	// /authorize is a browser redirect and never faulted.
	if err := e.srv.AddFault(Fault{API: "accounts", Kind: Fault500}); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.authorize(acctTestParams()); status != http.StatusFound {
		t.Fatalf("authorize faulted: %d", status)
	}
}
