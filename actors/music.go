package actors

import (
	"context"
	"fmt"

	"dj/upstream/spotify"
)

// Music serves the Spotify pass-through routes (profile, scopes, search,
// playlists, player) for a signed-in user. Every method makes its Spotify
// calls with the user's server-held token (Login refreshes it; it never
// leaves the server) and runs each one inside the Spotify lane and the
// global rate via System.Do, at interactive priority: a person is waiting
// for each of these answers. Nothing here keeps state between calls, so
// Music is a plain service rather than an actor; the limiter actors are
// where concurrency is governed. It is safe for concurrent use.
type Music struct {
	deps Deps
}

// NewMusic builds the pass-through service.
func NewMusic(d Deps) *Music {
	d.defaults()
	return &Music{deps: d}
}

// request prepares ctx for one user request: interactive priority, and
// the seed's per-request budget unless the caller attached one already.
func (m *Music) request(ctx context.Context) context.Context {
	ctx = WithPriority(ctx, PriorityInteractive)
	if BudgetOf(ctx) == nil {
		ctx = WithBudget(ctx, NewBudget(DefaultBudgetLimit, DefaultBudgetReserve))
	}
	return ctx
}

// client is the user's Web API client. It is fetched before any permit is
// taken: a token refresh is an upstream call of its own, and Do refuses
// to nest one call inside another's permit.
func (m *Music) client(ctx context.Context, userID string) (*spotify.UserClient, error) {
	c, err := m.deps.Login.SpotifyClient(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("spotify client for user: %w", err)
	}
	return c, nil
}

// call runs fn, one upstream request, in the Spotify lane for userID.
func (m *Music) call(ctx context.Context, userID, op string, fn func(context.Context, *spotify.UserClient) error) error {
	c, err := m.client(ctx, userID)
	if err != nil {
		return err
	}
	if err := m.deps.System.Do(ctx, LaneSpotify, op, func(ctx context.Context) error { return fn(ctx, c) }); err != nil {
		return fmt.Errorf("spotify %s: %w", op, err)
	}
	return nil
}
