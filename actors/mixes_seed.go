package actors

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"dj/mix"
	"dj/upstream/spotify"

	sp "github.com/zmb3/spotify/v2"
)

// seedLimit is how many seed tracks session start reads (the reference's
// first 50 of a playlist, or 50 top plus 50 recent).
const seedLimit = 50

// seedResult is what session start derives from the seed tracks.
type seedResult struct {
	vibe   mix.Vibe
	pool   []string
	tracks int
}

// seed derives the starting vibe and fallback pool from a playlist's
// first tracks or, without one, the user's top and recent tracks. A
// playlist that does not exist or may not be read is an error (the
// session is not started); any other failure keeps the default vibe.
func (m *Mixes) seed(ctx context.Context, c *spotify.UserClient, playlistID string) (seedResult, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.seedTimeout)
	defer cancel()
	tracks, err := m.seedTracks(ctx, c, playlistID)
	if err != nil {
		if playlistID != "" && (errors.Is(err, ErrUpstreamNotFound) || errors.Is(err, ErrUpstreamForbidden)) {
			return seedResult{}, err
		}
		m.log.WarnContext(ctx, "mix seeding failed; starting from the default vibe",
			"request_id", RequestID(ctx), "err", err)
		return seedResult{vibe: mix.DefaultVibe(), pool: []string{}}, nil
	}
	seeds := make([]mix.SeedTrack, len(tracks))
	ids := map[string]string{}
	for i, t := range tracks {
		seeds[i] = t.seed()
		for j, name := range t.artists {
			if j < len(t.artistIDs) && ids[name] == "" {
				ids[name] = t.artistIDs[j]
			}
		}
	}
	genres := m.seedGenres(ctx, c, mix.SeedArtists(seeds), ids)
	tempos := m.seedTempos(ctx, tracks[:min(len(tracks), mix.SeedBPMLookups)])
	vibe, pool := mix.SeedVibe(mix.DefaultVibe(), seeds, genres, tempos)
	return seedResult{vibe: vibe, pool: pool, tracks: len(tracks)}, nil
}

// seedTracks reads the seed tracks.
func (m *Mixes) seedTracks(ctx context.Context, c *spotify.UserClient, playlistID string) ([]trackInfo, error) {
	if playlistID != "" {
		if !validSpotifyID(playlistID) {
			return nil, fmt.Errorf("playlist id: %w", ErrUpstreamNotFound)
		}
		var page *sp.PlaylistItemPage
		err := m.sys.Do(ctx, LaneSpotify, "mix.seed.playlist", func(ctx context.Context) (err error) {
			page, err = c.PlaylistItems(ctx, playlistID, seedLimit, 0)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("seed playlist: %w", err)
		}
		var out []trackInfo
		for _, it := range page.Items {
			if it.Track.Track != nil {
				if t := fromFullTrack(it.Track.Track); t.usable() {
					out = append(out, t)
				}
			}
		}
		return out, nil
	}
	return m.surpriseTracks(ctx, c)
}

// surpriseTracks are the user's top tracks then recent plays, each track
// once; either list alone is enough.
func (m *Mixes) surpriseTracks(ctx context.Context, c *spotify.UserClient) ([]trackInfo, error) {
	var top *sp.FullTrackPage
	topErr := m.sys.Do(ctx, LaneSpotify, "mix.seed.top", func(ctx context.Context) (err error) {
		top, err = c.TopTracks(ctx, seedLimit)
		return err
	})
	var recent []sp.RecentlyPlayedItem
	recentErr := m.sys.Do(ctx, LaneSpotify, "mix.seed.recent", func(ctx context.Context) (err error) {
		recent, err = c.RecentlyPlayed(ctx, seedLimit)
		return err
	})
	if topErr != nil && recentErr != nil {
		return nil, fmt.Errorf("seed from top and recent tracks: %w", errors.Join(topErr, recentErr))
	}
	seen := map[string]bool{}
	var out []trackInfo
	add := func(t trackInfo) {
		if t.usable() && !seen[t.id] {
			seen[t.id] = true
			out = append(out, t)
		}
	}
	if top != nil {
		for i := range top.Tracks {
			add(fromFullTrack(&top.Tracks[i]))
		}
	}
	for _, it := range recent {
		add(fromSimpleTrack(it.Track))
	}
	return out, nil
}

// seedGenres looks up each named artist's genres (by id when a seed track
// gave one, else by a one-result artist search), concurrently; a failed
// lookup counts as no genres.
func (m *Mixes) seedGenres(ctx context.Context, c *spotify.UserClient, names []string, ids map[string]string) [][]string {
	out := make([][]string, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			var genres []string
			err := m.sys.Do(ctx, LaneSpotify, "mix.seed.artist", func(ctx context.Context) error {
				if id := ids[name]; validSpotifyID(id) {
					a, err := c.Artist(ctx, id)
					if err == nil && a != nil {
						genres = a.Genres
					}
					return err
				}
				res, err := c.Search(ctx, "artist:"+quoteTerm(name), sp.SearchTypeArtist, 1)
				if err == nil && res != nil && res.Artists != nil && len(res.Artists.Artists) > 0 {
					genres = res.Artists.Artists[0].Genres
				}
				return err
			})
			if err != nil {
				m.log.DebugContext(ctx, "seed artist lookup failed", "request_id", RequestID(ctx), "err", err)
			}
			out[i] = genres
		})
	}
	wg.Wait()
	return out
}

// seedTempos enriches the tracks and lists the tempos found, in order.
func (m *Mixes) seedTempos(ctx context.Context, tracks []trackInfo) []float64 {
	refs := make([]TrackRef, len(tracks))
	for i, t := range tracks {
		refs[i] = t.ref()
	}
	found := map[string]float64{}
	_ = m.features.Enrich(ctx, refs, func(id string, f mix.Features) {
		if f.BPM != nil {
			found[id] = *f.BPM
		}
	})
	var out []float64
	for _, t := range tracks {
		if b, ok := found[t.id]; ok {
			out = append(out, b)
		}
	}
	return out
}
