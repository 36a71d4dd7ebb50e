package actors

import (
	"context"
	"fmt"

	"dj/upstream/spotify"

	sp "github.com/zmb3/spotify/v2"
)

// SaveRequest is what saving a mix as a playlist asks for.
type SaveRequest struct {
	Name        string
	Description string // empty: "DJ Mix created on <date>"
	// IncludeQueue adds the queued tracks after the played ones.
	IncludeQueue bool
	// Public makes the playlist public (the reference always made it
	// private, which stays the default).
	Public bool
}

// SaveResult is the playlist a mix was saved to.
type SaveResult struct {
	PlaylistID  string
	PlaylistURL string
	// TrackCount is how many tracks were actually added; Requested is how
	// many should have been (they differ when Spotify refused a batch).
	TrackCount int
	Requested  int
}

// Save creates a playlist in the user's account with the mix's tracks:
// history oldest first, then (optionally) the queue, each track once.
// Errors: ErrNoMix, ErrNothingToSave, and Spotify's when the playlist
// could not be created. A batch Spotify refuses ends the adding (later
// batches would be out of order); the result counts what was added.
func (m *Mixes) Save(ctx context.Context, userID string, req SaveRequest) (SaveResult, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	snap, err := m.existing(ctx, userID)
	if err != nil {
		return SaveResult{}, err
	}
	uris := distinct(snap.MixURIs(req.IncludeQueue))
	if len(uris) == 0 {
		return SaveResult{}, ErrNothingToSave
	}
	c, err := m.spotifyClient(ctx, userID)
	if err != nil {
		return SaveResult{}, err
	}
	desc := req.Description
	if desc == "" {
		desc = "DJ Mix created on " + m.deps.Now().UTC().Format("2006-01-02")
	}
	var pl *sp.FullPlaylist
	err = m.sys.Do(ctx, LaneSpotify, "mix.save.create", func(ctx context.Context) (err error) {
		pl, err = c.CreatePlaylist(ctx, req.Name, desc, req.Public)
		return err
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("create playlist: %w", err)
	}
	id := string(pl.ID)
	added := m.addInBatches(ctx, c, id, uris)
	url := pl.ExternalURLs["spotify"]
	if url == "" {
		url = "https://open.spotify.com/playlist/" + id
	}
	m.log.InfoContext(ctx, "mix saved as a playlist", "request_id", RequestID(ctx), "user_id", userID,
		"tracks", added, "requested", len(uris))
	return SaveResult{PlaylistID: id, PlaylistURL: url, TrackCount: added, Requested: len(uris)}, nil
}

// addInBatches adds uris in Spotify-sized batches, in order, and returns
// how many were added. Adding is not idempotent, so nothing is retried.
func (m *Mixes) addInBatches(ctx context.Context, c *spotify.UserClient, playlistID string, uris []string) int {
	added := 0
	for start := 0; start < len(uris); start += spotify.MaxURIsPerRequest {
		batch := uris[start:min(len(uris), start+spotify.MaxURIsPerRequest)]
		err := m.sys.Do(ctx, LaneSpotify, "mix.save.add", func(ctx context.Context) error {
			_, err := c.AddPlaylistItems(ctx, playlistID, batch)
			return err
		})
		if err != nil {
			m.log.WarnContext(ctx, "playlist batch not added; stopping", "request_id", RequestID(ctx),
				"added", added, "batch", len(batch), "err", err)
			break
		}
		added += len(batch)
	}
	return added
}

// distinct keeps the first occurrence of each entry, in order.
func distinct(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
