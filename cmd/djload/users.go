package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// demoUser is one simulator account and what djload knows about its mix.
// Virtual users that share a demo user (more users than the simulator's
// 50 accounts) share its one mix, so edits of that mix are serialized
// through mu: two people cannot both hold one phone.
type demoUser struct {
	id        string
	playlists []string

	mu         sync.Mutex
	started    bool     // a mix was started by this run
	queue      []queued // the mix queue as last answered by djd
	candidates []string // track URIs seen in suggestions, search and playlists
}

// queued is the part of a queued track djload uses.
type queued struct {
	TrackID  string `json:"trackId"`
	TrackURI string `json:"trackUri"`
}

// maxCandidates bounds the remembered track URIs per user.
const maxCandidates = 100

// addCandidates remembers track URIs to queue later; call with mu held.
func (u *demoUser) addCandidates(uris ...string) {
	for _, x := range uris {
		if strings.HasPrefix(x, "spotify:track:") && !slices.Contains(u.candidates, x) {
			u.candidates = append(u.candidates, x)
		}
	}
	if n := len(u.candidates); n > maxCandidates {
		u.candidates = u.candidates[n-maxCandidates:]
	}
}

// candidate picks a remembered track that is not queued; mu held.
func (u *demoUser) candidate(rng *rand.Rand) (string, bool) {
	var free []string
	for _, c := range u.candidates {
		if !slices.ContainsFunc(u.queue, func(q queued) bool { return q.TrackURI == c }) {
			free = append(free, c)
		}
	}
	if len(free) == 0 {
		return "", false
	}
	return free[rng.IntN(len(free))], true
}

// catalogSummary is the part of the simulator's /_sim/catalog djload uses.
type catalogSummary struct {
	Users []struct {
		ID        string   `json:"id"`
		Playlists []string `json:"playlists"`
	} `json:"users"`
}

// loadDemoUsers reads the simulator's accounts, the load-test accounts
// (user-0005 …) first so the named ones people use by hand come last.
func loadDemoUsers(ctx context.Context, hc *http.Client, simURL string) ([]*demoUser, error) {
	var cat catalogSummary
	if err := getJSON(ctx, hc, simURL+"/_sim/catalog", &cat); err != nil {
		return nil, fmt.Errorf("simulator catalog: %w", err)
	}
	var load, named []*demoUser
	for _, u := range cat.Users {
		du := &demoUser{id: u.ID, playlists: u.Playlists}
		if strings.HasPrefix(u.ID, "user-") {
			load = append(load, du)
		} else {
			named = append(named, du)
		}
	}
	all := append(load, named...)
	if len(all) == 0 {
		return nil, fmt.Errorf("simulator catalog lists no demo users")
	}
	return all, nil
}
