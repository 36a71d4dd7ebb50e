package actors

import (
	"errors"
	"time"
)

// oauthPending is a login in progress: the PKCE verifier for a state.
type oauthPending struct {
	Verifier  string    `json:"verifier"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (p *oauthPending) Validate() error {
	if n := len(p.Verifier); n < 43 || n > 128 {
		return errors.New("verifier length out of range")
	}
	return requireTime(p.ExpiresAt)
}

// loginCode is the single-use code the callback hands the browser.
type loginCode struct {
	UserID    string    `json:"user_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (c *loginCode) Validate() error {
	if c.UserID == "" {
		return errors.New("login code without user")
	}
	return requireTime(c.ExpiresAt)
}

// sessionRecord is one dj session (one browser sign-in).
type sessionRecord struct {
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *sessionRecord) Validate() error {
	if s.UserID == "" {
		return errors.New("session without user")
	}
	if !s.ExpiresAt.After(s.CreatedAt) {
		return errors.New("session expires before it starts")
	}
	return nil
}

// spotifyGrant is a user's Spotify tokens; it never leaves the server.
type spotifyGrant struct {
	UserID       string    `json:"user_id"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Scope        string    `json:"scope,omitempty"`
	Expiry       time.Time `json:"expiry"`
}

func (g *spotifyGrant) Validate() error {
	if g.UserID == "" || g.AccessToken == "" || g.RefreshToken == "" {
		return errors.New("grant missing user or tokens")
	}
	return requireTime(g.Expiry)
}

func requireTime(t time.Time) error {
	if t.IsZero() {
		return errors.New("missing time")
	}
	return nil
}
