package server

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"dj/actors"
	"dj/upstream/anthropic"
	"dj/upstream/deezer"
	"dj/upstream/lastfm"
	"dj/upstream/sim"
	"dj/upstream/spotify"
)

// simCredential is what djd presents to the simulator, which accepts any.
const simCredential = "dj-offline"

// upstreamBases are the addresses of the four APIs.
type upstreamBases struct {
	accounts, spotify, lastfm, deezer, anthropic string
}

func simBases(s *sim.Server) upstreamBases {
	return upstreamBases{
		accounts: s.BaseURL("accounts"), spotify: s.BaseURL("spotify"),
		lastfm: s.BaseURL("lastfm"), deezer: s.BaseURL("deezer"), anthropic: s.BaseURL("anthropic"),
	}
}

// buildUpstreams makes the four clients. In real mode an API without a
// key is left out (its features report themselves unavailable); in sim
// mode every client points at the simulator with a dummy credential.
func buildUpstreams(cfg Config, bases upstreamBases, redirectURL string) (actors.Upstreams, error) {
	hc := &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
		ForceAttemptHTTP2:   true,
	}}
	sim := cfg.Upstream == "sim"
	pick := func(real, simValue string) string {
		if sim {
			return simValue
		}
		return real
	}
	var u actors.Upstreams
	var err error
	u.Spotify, err = spotify.New(spotify.Config{
		AccountsURL: bases.accounts, APIURL: bases.spotify, RedirectURL: redirectURL, HTTPClient: hc,
		ClientID: pick(cfg.SpotifyClientID, simCredential), ClientSecret: pick(cfg.SpotifyClientSecret, ""),
	})
	if err != nil {
		return u, fmt.Errorf("spotify client: %w", err)
	}
	if u.Deezer, err = deezer.New(deezer.Config{BaseURL: bases.deezer, HTTPClient: hc}); err != nil {
		return u, fmt.Errorf("deezer client: %w", err)
	}
	if key := pick(cfg.LastfmAPIKey, simCredential); key != "" {
		if u.Lastfm, err = lastfm.New(lastfm.Config{BaseURL: bases.lastfm, APIKey: key, HTTPClient: hc}); err != nil {
			return u, fmt.Errorf("last.fm client: %w", err)
		}
	}
	if key := pick(cfg.AnthropicAPIKey, simCredential); key != "" {
		if u.Anthropic, err = anthropic.New(anthropic.Config{BaseURL: bases.anthropic, APIKey: key, HTTPClient: hc}); err != nil {
			return u, fmt.Errorf("anthropic client: %w", err)
		}
	}
	return u, nil
}
