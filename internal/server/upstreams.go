package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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

func simBases(base string) upstreamBases {
	return upstreamBases{
		accounts: sim.APIURL(base, "accounts"), spotify: sim.APIURL(base, "spotify"),
		lastfm: sim.APIURL(base, "lastfm"), deezer: sim.APIURL(base, "deezer"), anthropic: sim.APIURL(base, "anthropic"),
	}
}

// externalDemoUsers asks a simulator another process runs for its users
// (GET /_sim/catalog), which also proves it is reachable before djd
// says it is ready.
func externalDemoUsers(ctx context.Context, base string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_sim/catalog", nil)
	if err != nil {
		return nil, fmt.Errorf("simulator URL %q: %w", base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("simulator at %s not reachable: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("simulator at %s: GET /_sim/catalog answered %s", base, resp.Status)
	}
	var summary sim.CatalogSummary
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&summary); err != nil {
		return nil, fmt.Errorf("simulator at %s: catalog summary: %w", base, err)
	}
	ids := make([]string, 0, 4)
	for _, u := range summary.Users[:min(4, len(summary.Users))] {
		ids = append(ids, u.ID)
	}
	return ids, nil
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
