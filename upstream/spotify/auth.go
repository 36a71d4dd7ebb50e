package spotify

import (
	"context"

	"golang.org/x/oauth2"
)

// AuthCodeURL is the Accounts address to send the browser to. state is
// the caller's CSRF value; verifier is a fresh oauth2.GenerateVerifier()
// the caller keeps for Exchange (only its S256 challenge goes out).
func (c *Client) AuthCodeURL(state, verifier string) string {
	return c.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

// Exchange trades the code from the redirect for tokens, proving with the
// PKCE verifier that we started the login. A code works once.
func (c *Client) Exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	return c.token(ctx, "token.exchange", func(ctx context.Context) (*oauth2.Token, error) {
		return c.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	})
}

// Refresh gets a new access token. Spotify rotates refresh tokens, so the
// caller must store the returned RefreshToken (the old one stops working);
// when none comes back the old one is kept in the result.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	return c.token(ctx, "token.refresh", func(ctx context.Context) (*oauth2.Token, error) {
		return c.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	})
}

// token runs one token request with the call timeout and our transport.
func (c *Client) token(ctx context.Context, op string, f func(context.Context) (*oauth2.Token, error)) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ctx, p := withProbe(ctx)
	tok, err := f(context.WithValue(ctx, oauth2.HTTPClient, c.http))
	if err != nil {
		return nil, tokenError(op, p, err)
	}
	return tok, nil
}
