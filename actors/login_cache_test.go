package actors

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"dj/store"

	"github.com/stretchr/testify/require"
)

func TestTokenCacheEntries(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	key := sha256.Sum256([]byte("token"))
	tests := []struct {
		name    string
		ttl     time.Duration
		session time.Time     // the session record's expiry
		at      time.Duration // lookup this long after put
		evict   bool          // logout between get and put
		want    bool
	}{
		{name: "fresh", ttl: 10 * time.Second, session: now.Add(time.Hour), at: 9 * time.Second, want: true},
		{name: "past the ttl", ttl: 10 * time.Second, session: now.Add(time.Hour), at: 10 * time.Second},
		{name: "past the session", ttl: 10 * time.Second, session: now.Add(2 * time.Second), at: 3 * time.Second},
		{name: "session already over", ttl: 10 * time.Second, session: now},
		{name: "logout while the store was read", ttl: 10 * time.Second, session: now.Add(time.Hour), evict: true},
		{name: "off", ttl: 0, session: now.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTokenCache(tt.ttl, 10)
			_, ok, epoch := c.get(key, now)
			require.False(t, ok)
			if tt.evict {
				c.evict(sha256.Sum256([]byte("another token")))
			}
			c.put(key, "alice", tt.session, now, epoch)
			user, ok, _ := c.get(key, now.Add(tt.at))
			require.Equal(t, tt.want, ok)
			if tt.want {
				require.Equal(t, "alice", user)
			}
		})
	}
}

func TestTokenCacheStaysBounded(t *testing.T) {
	now := time.Now()
	c := newTokenCache(time.Minute, 64)
	for i := range 1000 {
		key := sha256.Sum256(fmt.Appendf(nil, "token-%d", i))
		_, _, epoch := c.get(key, now)
		c.put(key, "u", now.Add(time.Hour), now, epoch)
		require.LessOrEqual(t, c.len(), 64)
	}
	last := sha256.Sum256([]byte("token-999"))
	_, ok, _ := c.get(last, now)
	require.True(t, ok, "the newest entry is kept")
}

// loginEnv is a Login on a real store, without Spotify: sessions are
// issued from login codes put in the store the way the callback does.
type loginEnv struct {
	l        *Login
	sessions *store.Table[*sessionRecord]
	now      *fakeNow
}

// fakeNow is a clock the test moves.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeNow) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func newLoginEnv(t *testing.T, cacheTTL time.Duration) *loginEnv {
	t.Helper()
	st, err := store.Open(store.Config{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	ts := newTestSystem(t, Config{})
	now := &fakeNow{t: time.Now()}
	l := NewLogin(LoginConfig{RedirectURL: "http://127.0.0.1/cb", AppURL: "http://127.0.0.1/", TokenCacheTTL: cacheTTL, Now: now.Now}, ts.System, st, nil)
	return &loginEnv{l: l, sessions: store.Sessions[*sessionRecord](st), now: now}
}

// signIn issues a session token for user through a login code.
func (e *loginEnv) signIn(t *testing.T, user string) string {
	t.Helper()
	code := randomToken(24)
	require.NoError(t, e.l.codes.Put(context.Background(), "code:"+hashToken(code), &loginCode{UserID: user, ExpiresAt: e.now.Now().Add(time.Minute)}))
	token, _, err := e.l.Exchange(context.Background(), code)
	require.NoError(t, err)
	return token
}

// TestAuthenticateTokenCache: a validated token is served from memory
// for at most the cache TTL (a record deleted behind the node's back,
// as another cluster node's logout would, keeps working until then),
// and a logout on this node revokes it at once.
func TestAuthenticateTokenCache(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		ttl  time.Duration
		// after deleting the record from the store directly:
		validNow, validAfterTTL bool
	}{
		{name: "cached", ttl: 10 * time.Second, validNow: true},
		{name: "no cache", ttl: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newLoginEnv(t, tt.ttl)
			token := e.signIn(t, "alice")
			user, err := e.l.Authenticate(ctx, token)
			require.NoError(t, err)
			require.Equal(t, "alice", user)

			require.NoError(t, e.sessions.Delete(ctx, sessionTokenKey(token)))
			_, err = e.l.Authenticate(ctx, token)
			if tt.validNow {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrNoSession)
			}
			e.now.add(max(tt.ttl, 0) + time.Millisecond)
			_, err = e.l.Authenticate(ctx, token)
			require.ErrorIs(t, err, ErrNoSession, "trusted past the cache TTL")

			// Logout on this node: no grace at all.
			other := e.signIn(t, "bob")
			_, err = e.l.Authenticate(ctx, other)
			require.NoError(t, err)
			require.NoError(t, e.l.Logout(ctx, other))
			_, err = e.l.Authenticate(ctx, other)
			require.ErrorIs(t, err, ErrNoSession)
		})
	}
}

// TestAuthenticateExpiredSessionNotCached: the cache never outlives the
// session itself.
func TestAuthenticateExpiredSessionNotCached(t *testing.T) {
	e := newLoginEnv(t, 10*time.Hour)
	token := e.signIn(t, "alice")
	_, err := e.l.Authenticate(context.Background(), token)
	require.NoError(t, err)
	e.now.add(4*time.Hour + time.Second) // the default session lifetime
	_, err = e.l.Authenticate(context.Background(), token)
	require.ErrorIs(t, err, ErrNoSession)
}
