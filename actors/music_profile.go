package actors

import (
	"context"
	"fmt"
	"slices"
	"strings"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream/spotify"
)

// Profile is the user's Spotify profile (one /v1/me call).
func (m *Music) Profile(ctx context.Context, userID string) (*Profile, error) {
	me, err := m.me(m.request(ctx), userID)
	if err != nil {
		return nil, err
	}
	return &Profile{
		Country: me.Country, DisplayName: optString(me.DisplayName), Email: me.Email,
		ID: me.ID, Product: me.Product,
	}, nil
}

func (m *Music) me(ctx context.Context, userID string) (*sp.PrivateUser, error) {
	var me *sp.PrivateUser
	err := m.call(ctx, userID, "me", func(ctx context.Context, c *spotify.UserClient) (err error) {
		me, err = c.Me(ctx)
		return err
	})
	return me, err
}

// Scopes reports the scopes dj asks for against those Spotify granted at
// sign-in (kept with the user's tokens), with the account's details. The
// reference probed two endpoints to guess; the grant says it exactly, so
// this costs one call (/v1/me) instead of two.
func (m *Music) Scopes(ctx context.Context, userID string) (*ScopeReport, error) {
	ctx = m.request(ctx)
	me, err := m.me(ctx, userID)
	if err != nil {
		return nil, err
	}
	granted, err := m.deps.Login.grantedScopes(ctx, userID)
	if err != nil {
		return nil, err
	}
	required := spotify.DefaultScopes()
	r := &ScopeReport{
		RequiredScopes: required, GrantedScopes: granted, MissingScopes: []string{},
		ScopeTests: make(map[string]bool, len(required)),
		TokenInfo: TokenInfo{
			Country: orText(me.Country, "Unknown"), DisplayName: orText(me.DisplayName, "Unknown"),
			Email: orText(me.Email, "Not provided"), Product: orText(me.Product, "Unknown"), UserID: me.ID,
		},
	}
	for _, s := range required {
		ok := slices.Contains(granted, s)
		r.ScopeTests[s] = ok
		if !ok {
			r.MissingScopes = append(r.MissingScopes, s)
		}
	}
	return r, nil
}

// grantedScopes lists the scopes of the user's Spotify grant.
func (l *Login) grantedScopes(ctx context.Context, userID string) ([]string, error) {
	g, ok, err := l.grants.Get(ctx, grantKey(userID))
	if err != nil {
		return nil, fmt.Errorf("read spotify grant: %w", err)
	}
	if !ok {
		return nil, ErrNoSession
	}
	return append([]string{}, strings.Fields(g.Scope)...), nil
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// SearchTypes are the kinds of item search accepts, as the reference.
func SearchTypes() []string { return []string{"track", "album", "artist"} }

var searchTypes = map[string]sp.SearchType{
	"track": sp.SearchTypeTrack, "album": sp.SearchTypeAlbum, "artist": sp.SearchTypeArtist,
}

// SearchQuery is one catalogue search.
type SearchQuery struct {
	Query string
	// Type is one of SearchTypes; "" means track.
	Type string
	// Limit is 1 to spotify.MaxSearchLimit (10 since 2026); 0 means 10.
	Limit int
}

// Search runs a catalogue search; the result holds one page, under the
// searched type's key.
func (m *Music) Search(ctx context.Context, userID string, q SearchQuery) (*SearchResult, error) {
	if q.Type == "" {
		q.Type = "track"
	}
	kind, ok := searchTypes[q.Type]
	if !ok {
		return nil, &InputError{Field: "type", Err: fmt.Errorf("unknown search type %q", q.Type)}
	}
	if q.Limit <= 0 || q.Limit > spotify.MaxSearchLimit {
		q.Limit = spotify.MaxSearchLimit
	}
	var res *sp.SearchResult
	err := m.call(m.request(ctx), userID, "search", func(ctx context.Context, c *spotify.UserClient) (err error) {
		res, err = c.Search(ctx, q.Query, kind, q.Limit)
		return err
	})
	if err != nil {
		return nil, inputError(err, "query")
	}
	return searchResultOf(res), nil
}
