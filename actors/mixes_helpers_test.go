package actors

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"dj/mix"
	"dj/store"
	"dj/upstream/anthropic"
	"dj/upstream/deezer"
	"dj/upstream/lastfm"
	"dj/upstream/sim"
	"dj/upstream/spotify"

	"github.com/stretchr/testify/require"
)

// mixOpts sets up a mixEnv; zero values are production settings except a
// fast global rate (the simulator has no latency here) and a small catalog.
type mixOpts struct {
	idle time.Duration // session passivation (default: production 10 min)
	noAI bool          // no Anthropic client
}

// mixEnv is the mix service on real parts: the simulator on loopback, a
// Badger store in a temporary directory, a real System, Login and
// Enricher.
type mixEnv struct {
	srv   *sim.Server
	ts    *testSystem
	st    *store.Store
	login *Login
	m     *Mixes
	http  *http.Client
}

func newMixEnv(t *testing.T, o mixOpts) *mixEnv {
	t.Helper()
	srv, err := sim.New(sim.Config{Seed: 7, Catalog: sim.CatalogConfig{Tracks: 600, Artists: 80}})
	require.NoError(t, err)
	require.NoError(t, srv.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = srv.Close() })

	st, err := store.Open(store.Config{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })

	client := newHTTPClient(t)
	ts := newTestSystem(t, Config{RatePerSecond: 1000})
	ups := Upstreams{}
	ups.Spotify, err = spotify.New(spotify.Config{
		AccountsURL: srv.BaseURL("accounts"), APIURL: srv.BaseURL("spotify"), ClientID: "dj-sim", HTTPClient: client,
	})
	require.NoError(t, err)
	ups.Deezer, err = deezer.New(deezer.Config{BaseURL: srv.BaseURL("deezer"), HTTPClient: client})
	require.NoError(t, err)
	ups.Lastfm, err = lastfm.New(lastfm.Config{BaseURL: srv.BaseURL("lastfm"), APIKey: "test-key", HTTPClient: client})
	require.NoError(t, err)
	if !o.noAI {
		ups.Anthropic, err = anthropic.New(anthropic.Config{BaseURL: srv.BaseURL("anthropic"), APIKey: "test-key", HTTPClient: client})
		require.NoError(t, err)
	}
	login := NewLogin(LoginConfig{RedirectURL: "http://127.0.0.1/cb", AppURL: "http://127.0.0.1/"}, ts.System, st, ups.Spotify)
	deps := Deps{System: ts.System, Store: st, Upstreams: ups, Login: login}
	e, err := NewEnricher(deps)
	require.NoError(t, err)
	opts := []MixesOption{WithMixEnricher(e)}
	if o.idle > 0 {
		opts = append(opts, WithMixIdleTimeout(o.idle))
	}
	m, err := NewMixes(deps, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, m.Close(ctx))
	})
	return &mixEnv{srv: srv, ts: ts, st: st, login: login, m: m, http: client}
}

// signIn stores Spotify tokens for a demo user the way a login would,
// using the simulator's control route instead of the browser redirect.
func (env *mixEnv) signIn(t *testing.T, user string) {
	t.Helper()
	resp, err := env.http.Post(env.srv.URL()+"/_sim/spotify/token?user="+user, "application/json", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
		ExpiresIn    int    `json:"expires_in"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	g := &spotifyGrant{UserID: user, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken,
		Scope: tok.Scope, Expiry: time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)}
	require.NoError(t, env.login.grants.Put(context.Background(), grantKey(user), g))
}

// playlist is the id of one of the demo user's playlists with tracks.
func (env *mixEnv) playlist(t *testing.T, user string) string {
	t.Helper()
	u, ok := env.srv.Catalog().UserByID(user)
	require.True(t, ok)
	for _, p := range u.Playlists {
		if len(p.Tracks) >= 10 {
			return p.ID
		}
	}
	t.Fatalf("%s has no playlist with tracks", user)
	return ""
}

// trackURIs lists n catalog track URIs (not in the given set).
func (env *mixEnv) trackURIs(n int, except map[string]bool) []string {
	var out []string
	for _, tr := range env.srv.Catalog().Tracks {
		uri := "spotify:track:" + tr.ID
		if len(out) == n {
			break
		}
		if !except[uri] {
			out = append(out, uri)
		}
	}
	return out
}

// stored reads the user's mix straight from the store.
func (env *mixEnv) stored(t *testing.T, user string) *mix.Session {
	t.Helper()
	s, found, err := store.Mixes[*mix.Session](env.st).Get(context.Background(), sessionKey(user))
	require.NoError(t, err)
	if !found {
		return nil
	}
	return s
}

// noFill are preferences with auto-fill off, for tests that count tracks.
func noFill() *mix.Preferences {
	p := mix.DefaultPreferences()
	p.AutoFill = false
	return &p
}

// uris lists the queue's track URIs in order.
func uris(q []mix.QueuedTrack) []string {
	out := make([]string, len(q))
	for i, t := range q {
		out[i] = t.TrackURI
	}
	return out
}

// testCtx is a request context with an ID.
func testCtx(id string) context.Context { return WithRequestID(context.Background(), id) }
