package gateway

import (
	"context"
	"errors"
	"net/http"

	"dj/actors"
)

// AuthURLInput asks for a login address; in sim mode the login page may
// pick a demo user.
type AuthURLInput struct {
	DemoUser string `query:"demo_user" maxLength:"64" pattern:"^[a-z0-9-]+$" doc:"simulator demo user (sim mode only)"`
}

// AuthURLResponse is where the browser goes to sign in with Spotify.
type AuthURLResponse struct {
	URL string `json:"url"`
}

// CallbackInput is what Spotify appends to our redirect URI.
type CallbackInput struct {
	Code  string `query:"code" maxLength:"2048"`
	State string `query:"state" maxLength:"256"`
	Error string `query:"error" maxLength:"256"`
}

// ExchangeRequest carries the single-use login code from the callback.
type ExchangeRequest struct {
	Code string `json:"code" minLength:"1" maxLength:"256"`
}

// ExchangeInput is the body of POST /api/auth/exchange.
type ExchangeInput struct{ Body ExchangeRequest }

// ExchangeResponse is the dj session: an opaque bearer token. It is not a
// Spotify token; those never leave the server.
type ExchangeResponse struct {
	Token     string `json:"token"`
	ExpiresIn int    `json:"expires_in" doc:"seconds"`
}

// SuccessResponse is the reference's plain acknowledgement.
type SuccessResponse struct {
	Success bool `json:"success"`
}

func (s *Server) authRoutes() {
	handle(s, operation{Method: "GET", Path: "/api/spotify/auth-url", ID: "authUrl", Tag: "auth",
		Summary: "Start a Spotify login (PKCE); state and verifier stay on the server"}, s.authURL)
	handle(s, operation{Method: "GET", Path: "/api/spotify/callback", ID: "callback", Tag: "auth", Redirect: true,
		Summary: "Spotify's redirect target; redirects to the app with a single-use auth_code (or error)"}, s.callback)
	handle(s, operation{Method: "POST", Path: "/api/auth/exchange", ID: "exchange", Tag: "auth", Errors: []int{http.StatusUnauthorized},
		Summary: "Trade the single-use auth_code for a dj session token"}, s.exchange)
	handle(s, operation{Method: "POST", Path: "/api/auth/logout", ID: "logout", Tag: "auth", Auth: true,
		Summary: "End this session: its token stops working at once"}, s.logout)
}

func (s *Server) authURL(c *Call, in *AuthURLInput) (*AuthURLResponse, error) {
	u, err := s.deps.Login.AuthURL(c.Ctx, in.DemoUser)
	if err != nil {
		return nil, err
	}
	return &AuthURLResponse{URL: u}, nil
}

func (s *Server) callback(c *Call, in *CallbackInput) (*struct{}, error) {
	target := s.deps.Login.Callback(c.Ctx, in.Code, in.State, in.Error)
	c.fiber.Set("Cache-Control", "no-store")
	return nil, c.fiber.Redirect(target, http.StatusFound)
}

func (s *Server) exchange(c *Call, in *ExchangeInput) (*ExchangeResponse, error) {
	token, ttl, err := s.deps.Login.Exchange(c.Ctx, in.Body.Code)
	if errors.Is(err, actors.ErrBadLoginCode) {
		return nil, Problemf(http.StatusUnauthorized, "the login code is invalid, used or expired; sign in again")
	}
	if err != nil {
		return nil, err
	}
	c.fiber.Set("Cache-Control", "no-store")
	return &ExchangeResponse{Token: token, ExpiresIn: int(ttl.Seconds())}, nil
}

func (s *Server) logout(c *Call, _ *struct{}) (*SuccessResponse, error) {
	if err := s.deps.Login.Logout(c.Ctx, c.Identity.Token); err != nil {
		return nil, err
	}
	return &SuccessResponse{Success: true}, nil
}

// loginAuthenticator adapts the login flow to the gateway's Authenticator.
type loginAuthenticator struct{ login *actors.Login }

func (a loginAuthenticator) Authenticate(ctx context.Context, token string) (Identity, error) {
	user, err := a.login.Authenticate(ctx, token)
	if errors.Is(err, actors.ErrNoSession) {
		return Identity{}, ErrUnauthenticated
	}
	if err != nil {
		return Identity{}, err
	}
	return Identity{UserID: user}, nil
}
