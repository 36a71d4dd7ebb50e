package spotify_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"dj/upstream"
)

// login follows the authorize redirect by hand, as a browser would, and
// returns the code and state from the callback address.
func (e *env) login(authURL string) (code, state string) {
	e.t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(loc.String(), testRedirect+"?") {
		e.t.Fatalf("redirected to %s", loc)
	}
	if msg := loc.Query().Get("error"); msg != "" {
		e.t.Fatalf("authorize error %s", msg)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func TestPKCELoginRefreshAndRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()

	authURL := e.client.AuthCodeURL("state-123", verifier)
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("client_id") != "djtestclient" ||
		q.Get("redirect_uri") != testRedirect || !strings.Contains(q.Get("scope"), "user-modify-playback-state") {
		t.Fatalf("auth URL %s", authURL)
	}
	code, state := e.login(authURL + "&user=bob")
	if state != "state-123" || code == "" {
		t.Fatalf("callback code %q state %q", code, state)
	}

	tok, err := e.client.Exchange(ctx, code, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("token %+v", tok)
	}
	me, err := e.client.ForUser(tok.AccessToken).Me(ctx)
	if err != nil || me.ID != "bob" {
		t.Fatalf("me: %v, %v", me, err)
	}
	if _, err := e.client.Exchange(ctx, code, verifier); !errors.Is(err, upstream.ErrUnauthorized) {
		t.Fatalf("reused code: %v, want ErrUnauthorized", err)
	}

	next, err := e.client.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if next.RefreshToken == tok.RefreshToken || next.AccessToken == tok.AccessToken {
		t.Fatal("refresh did not rotate")
	}
	if _, err := e.client.Refresh(ctx, tok.RefreshToken); !errors.Is(err, upstream.ErrUnauthorized) {
		t.Fatalf("old refresh token: %v, want ErrUnauthorized", err)
	}
	if _, err := e.client.Refresh(ctx, next.RefreshToken); err != nil {
		t.Fatalf("new refresh token: %v", err)
	}

	// A code presented with the wrong verifier is refused (and burnt).
	code, _ = e.login(e.client.AuthCodeURL("s2", verifier))
	if _, err := e.client.Exchange(ctx, code, oauth2.GenerateVerifier()); !errors.Is(err, upstream.ErrUnauthorized) {
		t.Fatalf("wrong verifier: %v", err)
	}
	if _, err := e.client.Exchange(ctx, code, verifier); !errors.Is(err, upstream.ErrUnauthorized) {
		t.Fatalf("code after a failed exchange: %v", err)
	}
}

func TestExpiredTokenIsUnauthorized(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	access, _ := e.tokens("alice")
	u := e.client.ForUser(access)
	if _, err := u.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	_, err := u.Me(context.Background())
	var ue *upstream.Error
	if !errors.Is(err, upstream.ErrUnauthorized) || !errors.As(err, &ue) || ue.Status != http.StatusUnauthorized {
		t.Fatalf("expired token: %v", err)
	}
	if !strings.Contains(err.Error(), "The access token expired") {
		t.Fatalf("want Spotify's message in %q", err)
	}
}

func TestErrorsNeverCarryTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	access, refresh := e.tokens("alice")
	bogus := access + "x"
	var errs []error
	_, err := e.client.ForUser(bogus).Me(ctx)
	errs = append(errs, err)
	if _, err := e.client.Refresh(ctx, refresh); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.Refresh(ctx, refresh) // rotated away
	errs = append(errs, err)
	dead := e.newClient(time.Second)
	_ = e.srv.Close()
	_, err = dead.ForUser(access).Me(ctx)
	errs = append(errs, err)
	_, err = dead.Refresh(ctx, refresh)
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("want an error")
		}
		for _, secret := range []string{access, refresh, bogus} {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error %q contains a token", err)
			}
		}
	}
}
