package reliability

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"dj/store"
)

// grantRecord mirrors the Spotify grant djd keeps per user in SESSIONS
// (actors' spotifyGrant), so the test can learn the Spotify tokens it
// must never find in a body or a log line.
type grantRecord struct {
	UserID       string    `json:"user_id"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Scope        string    `json:"scope,omitempty"`
	Expiry       time.Time `json:"expiry"`
}

func (g *grantRecord) Validate() error {
	if g.AccessToken == "" || g.RefreshToken == "" {
		return errors.New("grant without tokens")
	}
	return nil
}

// spotifyTokens reads the Spotify access and refresh tokens djd holds for
// users from the store in dataDir. The server must be stopped (Badger
// locks its directories).
func spotifyTokens(t *testing.T, dataDir string, users []string) []string {
	t.Helper()
	st, err := store.Open(store.Config{Dir: dataDir, Logger: slog.New(slog.DiscardHandler)}, nil)
	if err != nil {
		t.Fatalf("open the stopped server's store: %v", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	}()
	grants := store.Sessions[*grantRecord](st)
	var out []string
	for _, u := range users {
		g, ok, err := grants.Get(context.Background(), "spotify:"+u)
		if err != nil || !ok {
			t.Fatalf("no Spotify grant stored for %s: %v", u, err)
		}
		out = append(out, g.AccessToken, g.RefreshToken)
	}
	return out
}

// assertNoSecrets fails for every secret found in one of texts (name →
// text); secrets shorter than 16 characters are a test bug.
func assertNoSecrets(t *testing.T, secrets []string, texts map[string]string) {
	t.Helper()
	for _, s := range secrets {
		if len(s) < 16 {
			t.Fatalf("secret %q is too short to grep for", s)
		}
		for name, text := range texts {
			if i := strings.Index(text, s); i >= 0 {
				excerpt := strings.ReplaceAll(text[max(0, i-160):min(len(text), i+len(s)+60)], s, "<SECRET>")
				t.Errorf("a secret appears in %s: …%s…", name, excerpt)
			}
		}
	}
}
