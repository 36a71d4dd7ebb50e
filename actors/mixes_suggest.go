package actors

import (
	"context"

	"dj/mix"
)

// SuggestionsResult is a ranked list of suggestions and what they were
// based on.
type SuggestionsResult struct {
	Suggestions []mix.Suggestion
	// CurrentTrack is the name of the latest played track ("" for none).
	CurrentTrack string
	// VibeProfile is the one-line vibe summary ("Energy: 6/10 (steady), …").
	VibeProfile string
}

// Suggestions offers up to count tracks for the mix, best first, without
// changing it: Last.fm tracks similar to the latest plays and Spotify
// tracks matching the vibe's genres and era, scored against the vibe and
// the flow from the latest play. Discovery is bounded by the fill
// timeout; fewer (or no) suggestions is an answer, not an error.
func (m *Mixes) Suggestions(ctx context.Context, userID string, count int) (SuggestionsResult, error) {
	ctx, t := m.begin(ctx)
	defer t.Finish()
	snap, err := m.existing(ctx, userID)
	if err != nil {
		return SuggestionsResult{}, err
	}
	c, err := m.spotifyClient(ctx, userID)
	if err != nil {
		return SuggestionsResult{}, err
	}
	dctx, cancel := context.WithTimeout(ctx, m.cfg.fillTimeout)
	defer cancel()
	res := SuggestionsResult{
		Suggestions: m.suggest(dctx, c, snap, count, m.cfg.enrichTimeout),
		VibeProfile: snap.Vibe.Summary(),
	}
	if len(snap.History) > 0 {
		res.CurrentTrack = snap.History[0].Name
	}
	return res, nil
}
