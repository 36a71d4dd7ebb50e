package actors

import (
	"context"
	"math"
	"strings"
	"time"

	"dj/mix"
	"dj/upstream/deezer"
)

// Deezer matching tolerances, in seconds of track length.
const (
	// isrcSlack: an edition filed under the ISRC whose length differs by
	// more than this is probably another edition (a remaster, a radio
	// edit); the ISRC search may list a closer one.
	isrcSlack = 2
	// titleSlack: without an ISRC, a search hit whose length differs by
	// more than this is taken for another recording (a live take, a
	// cover), and Deezer is said not to know the track.
	titleSlack = 10
	// deezerSearchLimit bounds a search page: an ISRC has a handful of
	// editions, and a title search's right answer is near the top.
	deezerSearchLimit = 25
)

// deezer asks Deezer for the track: by ISRC, falling back to the ISRC
// search when the direct lookup does not know it; by artist and title
// when there is no ISRC. Each step is its own call.
func (r *lookupRun) deezer(ctx context.Context) (mix.DeezerInfo, sourceResult) {
	if r.ref.ISRC != "" {
		return r.deezerByISRC(ctx)
	}
	if r.ref.Artist == "" || r.ref.Name == "" {
		return mix.DeezerInfo{}, sourceResult{}
	}
	return r.deezerBySearch(ctx, deezer.TrackQuery(r.ref.Artist, r.ref.Name), "", titleSlack)
}

func (r *lookupRun) deezerByISRC(ctx context.Context) (mix.DeezerInfo, sourceResult) {
	var t deezer.Track
	err := r.call(ctx, LaneDeezer, "track.isrc", func(ctx context.Context) (err error) {
		t, err = r.e.dz.TrackByISRC(ctx, r.ref.ISRC)
		return err
	})
	switch answerOf(err) {
	case answerAbsent:
		return r.deezerBySearch(ctx, deezer.ISRCQuery(r.ref.ISRC), r.ref.ISRC, -1)
	case answerFailed:
		return mix.DeezerInfo{}, sourceResult{err: err}
	}
	if r.offBy(t.Duration) <= isrcSlack {
		return deezerInfo(t), sourceResult{found: true}
	}
	// Deezer picked an edition of another length; look for a closer one,
	// keeping this one if the search finds none or fails.
	pick, res := r.deezerPick(ctx, deezer.ISRCQuery(r.ref.ISRC), r.ref.ISRC)
	if !res.found || pick.ID == t.ID || r.offBy(pick.Duration) >= r.offBy(t.Duration) {
		return deezerInfo(t), sourceResult{found: true}
	}
	if better, res := r.deezerTrack(ctx, pick.ID); res.found {
		return deezerInfo(better), res
	}
	return deezerInfo(t), sourceResult{found: true}
}

// deezerBySearch searches, picks the result closest in length and fetches
// its full record (search results carry no tempo or gain). isrc, when
// set, must match; slack < 0 accepts any length.
func (r *lookupRun) deezerBySearch(ctx context.Context, q, isrc string, slack int) (mix.DeezerInfo, sourceResult) {
	pick, res := r.deezerPick(ctx, q, isrc)
	if !res.found {
		return mix.DeezerInfo{}, res
	}
	if slack >= 0 && r.ref.DurationMs > 0 && r.offBy(pick.Duration) > slack {
		return mix.DeezerInfo{}, sourceResult{}
	}
	t, res := r.deezerTrack(ctx, pick.ID)
	if !res.found {
		return mix.DeezerInfo{}, res
	}
	return deezerInfo(t), res
}

// deezerPick runs one search and returns the result closest in length to
// the Spotify track (the first, Deezer's best ranked, among equals or
// when the length is unknown). With isrc set, results filed under
// another ISRC are passed over: search is fuzzier than the ISRC index.
func (r *lookupRun) deezerPick(ctx context.Context, q, isrc string) (deezer.SearchTrack, sourceResult) {
	var res deezer.SearchResult
	err := r.call(ctx, LaneDeezer, "search", func(ctx context.Context) (err error) {
		res, err = r.e.dz.Search(ctx, q, deezerSearchLimit)
		return err
	})
	switch answerOf(err) {
	case answerAbsent:
		return deezer.SearchTrack{}, sourceResult{}
	case answerFailed:
		return deezer.SearchTrack{}, sourceResult{err: err}
	}
	best := -1
	for i, c := range res.Tracks {
		if c.ID <= 0 || (isrc != "" && c.ISRC != "" && !strings.EqualFold(c.ISRC, isrc)) {
			continue
		}
		if best < 0 || r.offBy(c.Duration) < r.offBy(res.Tracks[best].Duration) {
			best = i
		}
	}
	if best < 0 {
		return deezer.SearchTrack{}, sourceResult{}
	}
	return res.Tracks[best], sourceResult{found: true}
}

func (r *lookupRun) deezerTrack(ctx context.Context, id int64) (deezer.Track, sourceResult) {
	var t deezer.Track
	err := r.call(ctx, LaneDeezer, "track", func(ctx context.Context) (err error) {
		t, err = r.e.dz.Track(ctx, id)
		return err
	})
	switch answerOf(err) {
	case answerAbsent:
		return t, sourceResult{}
	case answerFailed:
		return t, sourceResult{err: err}
	}
	return t, sourceResult{found: true}
}

// offBy is how many seconds a Deezer length (whole seconds) is from the
// Spotify one; 0 when Spotify's is unknown, so every edition is as good.
func (r *lookupRun) offBy(seconds int) int {
	if r.ref.DurationMs <= 0 {
		return 0
	}
	want := int(math.Floor(float64(r.ref.DurationMs)/1000 + 0.5))
	return max(seconds-want, want-seconds)
}

// deezerInfo converts a Deezer track for mix.Features.MergeDeezer, which
// drops a tempo outside 45–220 (Deezer's 0 for "not analysed") and a rank
// of 0. A gain of exactly 0 is how the client reports a missing one, and
// a release date that is not a date ("0000-00-00") is dropped.
func deezerInfo(t deezer.Track) mix.DeezerInfo {
	d := mix.DeezerInfo{Source: mix.DeezerDirect}
	bpm := t.BPM
	d.BPM = &bpm
	if t.Gain != 0 {
		g := t.Gain
		d.Gain = &g
	}
	if t.Rank > 0 {
		rank := int64(t.Rank)
		d.Rank = &rank
	}
	if _, err := time.Parse(time.DateOnly, t.ReleaseDate); err == nil {
		d.ReleaseDate = t.ReleaseDate
	}
	return d
}
