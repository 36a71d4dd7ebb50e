package actors

import (
	"context"
	"errors"
	"strings"

	"dj/mix"
	"dj/upstream/lastfm"
)

// lastfm asks Last.fm for the track: track.getInfo (autocorrected names,
// listeners, play count), and only when that misses, track.getCorrection
// and getInfo again under the corrected names; then the top tags and the
// similar tracks under Last.fm's own spelling. Each is its own call, one
// after the other. Without a Last.fm client the source is skipped, which
// counts as "does not know the track".
func (r *lookupRun) lastfm(ctx context.Context) (mix.LastFmInfo, sourceResult) {
	if r.e.lf == nil || strings.TrimSpace(r.ref.Artist) == "" || strings.TrimSpace(r.ref.Name) == "" {
		return mix.LastFmInfo{}, sourceResult{}
	}
	info, res := r.lastfmInfo(ctx, r.ref.Artist, r.ref.Name)
	if !res.found && res.err == nil {
		info, res = r.lastfmCorrected(ctx)
	}
	if !res.found {
		return mix.LastFmInfo{}, res
	}
	artist, track := info.Artist, info.Name
	if artist == "" || track == "" {
		artist, track = r.ref.Artist, r.ref.Name
	}
	out := mix.LastFmInfo{
		CanonicalArtist: info.Artist, CanonicalTrack: info.Name,
		Listeners: info.Listeners, Playcount: info.Playcount, Tags: info.Tags,
	}
	var errs []error
	if tags, err := r.lastfmTags(ctx, artist, track); err != nil {
		errs = append(errs, err)
	} else if len(tags) > 0 {
		out.Tags = tags
	}
	if similar, err := r.lastfmSimilar(ctx, artist, track); err != nil {
		errs = append(errs, err)
	} else {
		out.Similar = similar
	}
	return out, sourceResult{found: true, err: errors.Join(errs...)}
}

func (r *lookupRun) lastfmInfo(ctx context.Context, artist, track string) (lastfm.TrackInfo, sourceResult) {
	var info lastfm.TrackInfo
	err := r.call(ctx, LaneLastfm, "track.getInfo", func(ctx context.Context) (err error) {
		info, err = r.e.lf.TrackInfo(ctx, artist, track)
		return err
	})
	switch answerOf(err) {
	case answerAbsent:
		return info, sourceResult{}
	case answerFailed:
		return info, sourceResult{err: err}
	}
	return info, sourceResult{found: true}
}

// lastfmCorrected asks for Last.fm's spelling of the track and, when it
// differs from ours, looks the track up under it.
func (r *lookupRun) lastfmCorrected(ctx context.Context) (lastfm.TrackInfo, sourceResult) {
	var corr lastfm.Correction
	err := r.call(ctx, LaneLastfm, "track.getCorrection", func(ctx context.Context) (err error) {
		corr, err = r.e.lf.TrackCorrection(ctx, r.ref.Artist, r.ref.Name)
		return err
	})
	switch answerOf(err) {
	case answerAbsent:
		return lastfm.TrackInfo{}, sourceResult{}
	case answerFailed:
		return lastfm.TrackInfo{}, sourceResult{err: err}
	}
	if strings.EqualFold(corr.Artist, r.ref.Artist) && strings.EqualFold(corr.Track, r.ref.Name) {
		return lastfm.TrackInfo{}, sourceResult{} // nothing to correct: Last.fm does not know it
	}
	return r.lastfmInfo(ctx, corr.Artist, corr.Track)
}

// lastfmTags returns up to mix.MaxTags tag names; a track Last.fm does
// not tag is an empty list, not an error.
func (r *lookupRun) lastfmTags(ctx context.Context, artist, track string) ([]string, error) {
	var tags []lastfm.Tag
	err := r.call(ctx, LaneLastfm, "track.getTopTags", func(ctx context.Context) (err error) {
		tags, err = r.e.lf.TrackTopTags(ctx, artist, track)
		return err
	})
	if answerOf(err) == answerFailed {
		return nil, err
	}
	names := make([]string, 0, min(len(tags), mix.MaxTags))
	for _, t := range tags {
		if len(names) == mix.MaxTags {
			break
		}
		names = append(names, t.Name)
	}
	return names, nil
}

// lastfmSimilar returns up to mix.MaxSimilar similar tracks.
func (r *lookupRun) lastfmSimilar(ctx context.Context, artist, track string) ([]mix.SimilarTrack, error) {
	var sim []lastfm.SimilarTrack
	err := r.call(ctx, LaneLastfm, "track.getSimilar", func(ctx context.Context) (err error) {
		sim, err = r.e.lf.TrackSimilar(ctx, artist, track, mix.MaxSimilar)
		return err
	})
	if answerOf(err) == answerFailed {
		return nil, err
	}
	out := make([]mix.SimilarTrack, 0, min(len(sim), mix.MaxSimilar))
	for _, s := range sim {
		if len(out) == mix.MaxSimilar {
			break
		}
		out = append(out, mix.SimilarTrack{Artist: s.Artist, Name: s.Name, Match: s.Match})
	}
	return out, nil
}
