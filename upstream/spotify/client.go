// Package spotify is dj's client for Spotify Accounts (PKCE login, token
// refresh) and the Web API as a development-mode app sees it in 2026.
//
// It is built on github.com/zmb3/spotify/v2 and golang.org/x/oauth2 and
// returns the SDK's types, so Spotify's JSON passes through in its own
// shapes. Where the SDK predates the 2026 changes (the /items paths,
// POST /me/playlists, the "items" keys) single calls are written by hand
// beside it. Every failure is an *upstream.Error; nothing retries here,
// so a 429 reaches the caller (and its lane) at once.
package spotify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// The public Spotify addresses, used when Config leaves them empty.
const (
	DefaultAccountsURL = "https://accounts.spotify.com"
	DefaultAPIURL      = "https://api.spotify.com/v1/"
	// DefaultTimeout bounds every call when Config.Timeout is zero.
	DefaultTimeout = 10 * time.Second
)

// apiName is the API name every *upstream.Error from this package carries.
const apiName = "spotify"

// DefaultScopes are the scopes the reference app asks for: enough to read
// the profile, playlists, history and top tracks, edit playlists and
// control playback.
func DefaultScopes() []string {
	return []string{
		"playlist-modify-public", "playlist-modify-private", "user-read-private",
		"user-read-playback-state", "user-read-currently-playing", "user-read-recently-played",
		"user-top-read", "playlist-read-private", "playlist-read-collaborative",
		"user-modify-playback-state", "streaming",
	}
}

// Config points the client at Spotify or at the simulator. Only ClientID
// is required; the addresses default to the real service.
type Config struct {
	// AccountsURL is the Accounts base, without /authorize or /api/token.
	AccountsURL string
	// APIURL is the Web API base including /v1; a trailing slash is added
	// because the SDK joins paths by string concatenation.
	APIURL string
	// ClientID identifies the app. ClientSecret is optional: a PKCE public
	// client has none, and when set it is sent in the form body.
	ClientID     string
	ClientSecret string
	// RedirectURL must match the one registered with Spotify (HTTPS, or
	// http://127.0.0.1:PORT/… for local use).
	RedirectURL string
	// Scopes are requested at login; nil means DefaultScopes().
	Scopes []string
	// HTTPClient supplies the transport (and its connection pool); nil
	// means http.DefaultClient. Its Timeout is ignored in favour of Timeout.
	HTTPClient *http.Client
	// Timeout bounds each call, including reading the body; 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// Client holds what all users share: the OAuth configuration, the API
// base and the transport. It is safe for concurrent use.
type Client struct {
	oauth   *oauth2.Config
	apiURL  string
	base    http.RoundTripper
	http    *http.Client // for token calls: records status and Retry-After
	jar     http.CookieJar
	timeout time.Duration
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("spotify: Config.ClientID is required")
	}
	accounts := strings.TrimRight(orDefault(cfg.AccountsURL, DefaultAccountsURL), "/")
	api := strings.TrimRight(orDefault(cfg.APIURL, DefaultAPIURL), "/") + "/"
	for _, u := range []string{accounts, api} {
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" {
			return nil, fmt.Errorf("spotify: bad base address %q", u)
		}
	}
	scopes := cfg.Scopes
	if scopes == nil {
		scopes = DefaultScopes()
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := &Client{
		oauth: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Scopes:       scopes,
			Endpoint: oauth2.Endpoint{
				AuthURL:  accounts + "/authorize",
				TokenURL: accounts + "/api/token",
				// One request per exchange: client_id in the form, never a
				// Basic header with an empty secret that Spotify refuses.
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
		apiURL:  api,
		base:    base,
		jar:     hc.Jar,
		timeout: timeout,
	}
	c.http = c.httpClient("")
	return c, nil
}

// httpClient makes a client whose transport adds the bearer token (when
// given) and reports each response's status to the calling operation.
func (c *Client) httpClient(token string) *http.Client {
	return &http.Client{Transport: &transport{base: c.base, token: token}, Jar: c.jar}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
