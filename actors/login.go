package actors

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"dj/store"
	"dj/upstream/spotify"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// Login errors the gateway maps to statuses.
var (
	// ErrNoSession: the session token is unknown, expired or revoked.
	ErrNoSession = errors.New("no such session")
	// ErrBadLoginCode: the one-time login code is unknown, used or expired.
	ErrBadLoginCode = errors.New("login code invalid or expired")
)

// LoginConfig sets up the login flow.
type LoginConfig struct {
	// RedirectURL is our callback as registered with Spotify
	// (…/api/spotify/callback).
	RedirectURL string
	// AppURL is where the callback sends the browser back (the SPA root).
	AppURL string
	// AllowDemoUser lets the login page pick a simulator demo user; only
	// in sim mode.
	AllowDemoUser bool
	SessionTTL    time.Duration // default 4 h, the SESSIONS TTL
	CodeTTL       time.Duration // default 60 s
	StateTTL      time.Duration // default 10 min
	// RefreshBefore refreshes a Spotify token this long before it expires
	// (default 2 min).
	RefreshBefore time.Duration
	// TokenCacheTTL is how long Authenticate trusts a validated session
	// token without reading the store again (default
	// DefaultTokenCacheTTL; negative: no cache, every request reads the
	// store). Logout on this node takes effect at once either way; a
	// token revoked on another node of a cluster stays valid here for up
	// to this long.
	TokenCacheTTL time.Duration
	// TokenCacheSize bounds the cached tokens (default
	// DefaultTokenCacheSize; negative: no cache).
	TokenCacheSize int
	Now            func() time.Time
}

func (c *LoginConfig) defaults() {
	if c.SessionTTL <= 0 {
		c.SessionTTL = 4 * time.Hour
	}
	if c.CodeTTL <= 0 {
		c.CodeTTL = time.Minute
	}
	if c.StateTTL <= 0 {
		c.StateTTL = 10 * time.Minute
	}
	if c.RefreshBefore <= 0 {
		c.RefreshBefore = 2 * time.Minute
	}
	if c.TokenCacheTTL == 0 {
		c.TokenCacheTTL = DefaultTokenCacheTTL
	}
	if c.TokenCacheSize == 0 {
		c.TokenCacheSize = DefaultTokenCacheSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Login is the server side of signing in with Spotify: PKCE state kept
// server-side, a single-use login code for the browser, our own opaque
// session tokens, and the user's Spotify tokens, refreshed here and never
// handed out. Only token hashes are stored, so a copy of the database does
// not hold usable bearer tokens.
type Login struct {
	cfg      LoginConfig
	sys      *System
	accounts *spotify.Client
	log      *slog.Logger
	states   *store.Table[*oauthPending]
	codes    *store.Table[*loginCode]
	sessions *store.Table[*sessionRecord]
	grants   *store.Table[*spotifyGrant]
	tokens   *tokenCache        // validated session tokens; nil: off
	refresh  singleflight.Group // one refresh per user at a time (tokens rotate)
}

// NewLogin wires the login flow to the store and the Spotify client.
func NewLogin(cfg LoginConfig, sys *System, st *store.Store, accounts *spotify.Client) *Login {
	cfg.defaults()
	return &Login{
		cfg: cfg, sys: sys, accounts: accounts, log: sys.log.With("component", "login"),
		states:   store.Sessions[*oauthPending](st),
		codes:    store.Sessions[*loginCode](st),
		sessions: store.Sessions[*sessionRecord](st),
		grants:   store.Sessions[*spotifyGrant](st),
		tokens:   newTokenCache(cfg.TokenCacheTTL, cfg.TokenCacheSize),
	}
}

// AuthURL starts a login: it keeps a fresh state and PKCE verifier
// server-side and returns the Spotify address to send the browser to.
func (l *Login) AuthURL(ctx context.Context, demoUser string) (string, error) {
	state := randomToken(16)
	verifier := oauth2.GenerateVerifier()
	pending := &oauthPending{Verifier: verifier, ExpiresAt: l.cfg.Now().Add(l.cfg.StateTTL)}
	if err := l.states.Put(ctx, "oauth:"+state, pending); err != nil {
		return "", fmt.Errorf("keep login state: %w", err)
	}
	u := l.accounts.AuthCodeURL(state, verifier)
	if demoUser != "" && l.cfg.AllowDemoUser {
		u += "&user=" + url.QueryEscape(demoUser)
	}
	return u, nil
}

// Callback finishes the Spotify side of a login and returns where to send
// the browser: the app with a single-use login code, or with an error
// code. It never puts a token in the address.
func (l *Login) Callback(ctx context.Context, code, state, spotifyError string) string {
	reason, err := l.callback(ctx, code, state, spotifyError)
	if err != nil {
		l.log.WarnContext(ctx, "login callback failed", "request_id", RequestID(ctx), "reason", reason, "err", err)
		return l.appURL("error", reason)
	}
	return l.appURL("auth_code", reason)
}

// callback returns the login code on success, or an error reason.
func (l *Login) callback(ctx context.Context, code, state, spotifyError string) (string, error) {
	switch {
	case spotifyError != "":
		return "access_denied", errors.New("spotify refused the login")
	case code == "" || state == "":
		return "missing_parameters", errors.New("callback without code or state")
	}
	pending, ok, err := l.states.Take(ctx, "oauth:"+state)
	if err != nil {
		return "callback_failed", err
	}
	if !ok || l.cfg.Now().After(pending.ExpiresAt) {
		return "state_mismatch", errors.New("unknown or expired state")
	}
	ctx = WithOverhead(WithPriority(ctx, PriorityInteractive))
	var tok *oauth2.Token
	err = l.sys.Do(ctx, LaneSpotify, "token.exchange", func(ctx context.Context) (err error) {
		tok, err = l.accounts.Exchange(ctx, code, pending.Verifier)
		return err
	})
	if err != nil {
		return "token_exchange_failed", err
	}
	userID, err := l.userOf(ctx, tok.AccessToken)
	if err != nil {
		return "profile_failed", err
	}
	if err := l.grants.Put(ctx, grantKey(userID), grantFrom(userID, tok)); err != nil {
		return "callback_failed", err
	}
	issued := randomToken(24)
	if err := l.codes.Put(ctx, "code:"+hashToken(issued), &loginCode{UserID: userID, ExpiresAt: l.cfg.Now().Add(l.cfg.CodeTTL)}); err != nil {
		return "callback_failed", err
	}
	return issued, nil
}

func (l *Login) userOf(ctx context.Context, accessToken string) (string, error) {
	var id string
	err := l.sys.Do(ctx, LaneSpotify, "me", func(ctx context.Context) error {
		me, err := l.accounts.ForUser(accessToken).Me(ctx)
		if err == nil {
			id = me.ID
		}
		return err
	})
	if err == nil && id == "" {
		err = errors.New("profile without id")
	}
	return id, err
}

func (l *Login) appURL(key, value string) string {
	return l.cfg.AppURL + "?" + url.Values{key: {value}}.Encode()
}

// Exchange trades a login code (single use, short-lived) for a dj session
// token. It returns the token and its lifetime.
func (l *Login) Exchange(ctx context.Context, code string) (string, time.Duration, error) {
	rec, ok, err := l.codes.Take(ctx, "code:"+hashToken(code))
	if err != nil {
		return "", 0, err
	}
	if !ok || l.cfg.Now().After(rec.ExpiresAt) {
		return "", 0, ErrBadLoginCode
	}
	token := randomToken(32)
	now := l.cfg.Now()
	sess := &sessionRecord{UserID: rec.UserID, CreatedAt: now, ExpiresAt: now.Add(l.cfg.SessionTTL)}
	if err := l.sessions.Put(ctx, sessionTokenKey(token), sess); err != nil {
		return "", 0, err
	}
	return token, l.cfg.SessionTTL, nil
}

// Authenticate resolves a session token to its user: from the token
// cache when this node validated it recently (see TokenCacheTTL), else
// from the store.
func (l *Login) Authenticate(ctx context.Context, token string) (string, error) {
	sum := sha256.Sum256([]byte(token))
	now := l.cfg.Now()
	user, ok, epoch := l.tokens.get(sum, now)
	if ok {
		return user, nil
	}
	rec, ok, err := l.sessions.Get(ctx, "session:"+hex.EncodeToString(sum[:]))
	if err != nil {
		return "", err
	}
	if !ok || now.After(rec.ExpiresAt) {
		return "", ErrNoSession
	}
	l.tokens.put(sum, rec.UserID, rec.ExpiresAt, now, epoch)
	return rec.UserID, nil
}

// Logout revokes a session token at once: its record leaves the store,
// then this node's token cache.
func (l *Login) Logout(ctx context.Context, token string) error {
	err := l.sessions.Delete(ctx, sessionTokenKey(token))
	l.tokens.evict(sha256.Sum256([]byte(token)))
	return err
}

// SpotifyClient returns a Web API client for the user with a token that is
// valid for at least RefreshBefore, refreshing (and storing the rotated
// refresh token) when needed. Concurrent callers share one refresh.
func (l *Login) SpotifyClient(ctx context.Context, userID string) (*spotify.UserClient, error) {
	g, ok, err := l.grants.Get(ctx, grantKey(userID))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoSession
	}
	if l.cfg.Now().Add(l.cfg.RefreshBefore).Before(g.Expiry) {
		return l.accounts.ForUser(g.AccessToken), nil
	}
	v, err, _ := l.refresh.Do(userID, func() (any, error) { return l.refreshGrant(ctx, g) })
	if err != nil {
		return nil, err
	}
	return l.accounts.ForUser(v.(*spotifyGrant).AccessToken), nil
}

func (l *Login) refreshGrant(ctx context.Context, g *spotifyGrant) (*spotifyGrant, error) {
	// Another caller may have refreshed while we waited for the group.
	if cur, ok, err := l.grants.Get(ctx, grantKey(g.UserID)); err == nil && ok && cur.AccessToken != g.AccessToken {
		return cur, nil
	}
	var tok *oauth2.Token
	err := l.sys.Do(WithOverhead(ctx), LaneSpotify, "token.refresh", func(ctx context.Context) (err error) {
		tok, err = l.accounts.Refresh(ctx, g.RefreshToken)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("refresh spotify token: %w", err)
	}
	fresh := grantFrom(g.UserID, tok)
	if fresh.RefreshToken == "" {
		fresh.RefreshToken = g.RefreshToken
	}
	if err := l.grants.Put(ctx, grantKey(g.UserID), fresh); err != nil {
		return nil, err
	}
	return fresh, nil
}

func grantFrom(userID string, tok *oauth2.Token) *spotifyGrant {
	scope, _ := tok.Extra("scope").(string)
	return &spotifyGrant{UserID: userID, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Scope: scope, Expiry: tok.Expiry}
}

func grantKey(userID string) string { return "spotify:" + userID }

func sessionTokenKey(token string) string { return "session:" + hashToken(token) }

// hashToken is how bearer secrets are keyed in the store.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
