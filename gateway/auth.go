package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Identity is who an authenticated request comes from.
type Identity struct {
	// UserID is the Spotify user id; every per-user resource is keyed by
	// it, so one user can never address another's.
	UserID string
	// Token is the dj session token the request presented (for logout).
	Token string
}

// ErrUnauthenticated is what an Authenticator returns for a token that is
// unknown, expired or revoked.
var ErrUnauthenticated = errors.New("not authenticated")

// Authenticator resolves a dj session token to an identity.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Identity, error)
}

const maxTokenLen = 256

// bearerToken reads "Authorization: Bearer <token>" (scheme case-insensitive).
func bearerToken(c *fiber.Ctx) (string, bool) {
	scheme, token, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxTokenLen {
		return "", false
	}
	return strings.Clone(token), true
}

// authenticate answers 401 for a missing, malformed, expired or revoked
// token — always before the input is validated, so an anonymous caller
// learns nothing about a route's inputs.
func (s *Server) authenticate(c *fiber.Ctx) (Identity, error) {
	token, ok := bearerToken(c)
	if !ok {
		return Identity{}, unauthorized(c, "missing or malformed bearer token")
	}
	if s.auth == nil {
		return Identity{}, unauthorized(c, "invalid or expired session")
	}
	id, err := s.auth.Authenticate(c.UserContext(), token)
	if errors.Is(err, ErrUnauthenticated) {
		return Identity{}, unauthorized(c, "invalid or expired session")
	}
	if err != nil {
		return Identity{}, err
	}
	id.Token = token
	return id, nil
}

func unauthorized(c *fiber.Ctx, detail string) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="dj"`)
	return &ProblemError{Status: http.StatusUnauthorized, Detail: detail}
}
