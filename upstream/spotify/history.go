package spotify

import (
	"context"

	sp "github.com/zmb3/spotify/v2"
)

// RecentlyPlayed is the user's last plays, newest first (limit 1–50).
func (u *UserClient) RecentlyPlayed(ctx context.Context, limit int) ([]sp.RecentlyPlayedItem, error) {
	var out []sp.RecentlyPlayedItem
	_, err := u.call(ctx, "recently-played", func(ctx context.Context) (err error) {
		out, err = u.sdk.PlayerRecentlyPlayedOpt(ctx, &sp.RecentlyPlayedOptions{Limit: sp.Numeric(limit)})
		return err
	})
	return out, err
}

// TopTracks is the user's most played tracks of the last four weeks
// (short_term, as the reference app asks), limit 1–50 (0: Spotify's 20).
func (u *UserClient) TopTracks(ctx context.Context, limit int) (*sp.FullTrackPage, error) {
	opts := []sp.RequestOption{sp.Timerange(sp.ShortTermRange)}
	if limit != 0 {
		opts = append(opts, sp.Limit(limit))
	}
	var out *sp.FullTrackPage
	_, err := u.call(ctx, "top-tracks", func(ctx context.Context) (err error) {
		out, err = u.sdk.CurrentUsersTopTracks(ctx, opts...)
		return err
	})
	return out, err
}
