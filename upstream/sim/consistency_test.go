package sim_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"dj/upstream"
	"dj/upstream/deezer"
	"dj/upstream/lastfm"
	"dj/upstream/sim"
)

// TestCrossAPIConsistency walks a spread of catalog tracks the way dj's
// enrichment does, starting from what Spotify would say about each (ISRC,
// first artist's name, title) and going through the real clients: Deezer
// must answer with the catalog's tempo, gain and rank, Last.fm with its
// tags and listeners, and tracks either service lacks must be misses.
func TestCrossAPIConsistency(t *testing.T) {
	t.Parallel()
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dz, err := deezer.New(deezer.Config{BaseURL: s.BaseURL("deezer")})
	if err != nil {
		t.Fatal(err)
	}
	lf, err := lastfm.New(lastfm.Config{BaseURL: s.BaseURL("lastfm"), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	cat := s.Catalog()
	ctx := context.Background()
	var seen struct{ deezer, deezerMissing, remasters, lastfm, lastfmMissing int }
	var wg sync.WaitGroup
	work := make(chan *sim.Track)
	for range 8 {
		wg.Go(func() {
			for tr := range work {
				consistTrack(t, ctx, dz, lf, cat, tr)
			}
		})
	}
	for i := 0; i < len(cat.Tracks); i += 13 {
		tr := &cat.Tracks[i]
		switch {
		case !tr.InDeezer:
			seen.deezerMissing++
		case tr.DeezerAltID != 0:
			seen.remasters++
			fallthrough
		default:
			seen.deezer++
		}
		if tr.InLastfm {
			seen.lastfm++
		} else {
			seen.lastfmMissing++
		}
		work <- tr
	}
	close(work)
	wg.Wait()
	if seen.deezer < 300 || seen.deezerMissing == 0 || seen.remasters == 0 || seen.lastfm < 300 || seen.lastfmMissing == 0 {
		t.Fatalf("sample too narrow: %+v", seen)
	}
}

// consistTrack checks one track on both services.
func consistTrack(t *testing.T, ctx context.Context, dz *deezer.Client, lf *lastfm.Client, cat *sim.Catalog, tr *sim.Track) {
	artist := cat.Artists[tr.Artist].Name
	title := tr.Name
	if len(tr.Featured) > 0 { // Spotify-style title credit
		title += " (feat. " + cat.Artists[tr.Featured[0]].Name + ")"
	}
	if tr.InDeezer {
		consistDeezer(t, ctx, dz, cat, tr)
	} else {
		if _, err := dz.TrackByISRC(ctx, tr.ISRC); !errors.Is(err, upstream.ErrNotFound) {
			t.Errorf("track %d is not on Deezer but TrackByISRC gave %v", tr.Index, err)
		}
		if res, err := dz.Search(ctx, deezer.ISRCQuery(tr.ISRC), 0); err != nil || len(res.Tracks) != 0 {
			t.Errorf("track %d is not on Deezer but search found %+v (%v)", tr.Index, res.Tracks, err)
		}
	}
	if tr.InLastfm {
		consistLastfm(t, ctx, lf, tr, artist, title)
		return
	}
	if _, err := lf.TrackInfo(ctx, artist, title); !errors.Is(err, upstream.ErrNotFound) {
		t.Errorf("track %d is not on Last.fm but TrackInfo gave %v", tr.Index, err)
	}
	if tags, err := lf.TrackTopTags(ctx, artist, title); err != nil || len(tags) != 0 {
		t.Errorf("track %d is not on Last.fm but has tags %v (%v)", tr.Index, tags, err)
	}
}

// consistDeezer resolves a track by ISRC as dj does: /track/isrc: first,
// and when that gives another edition, search by ISRC, take the closest
// duration and fetch it by id.
func consistDeezer(t *testing.T, ctx context.Context, dz *deezer.Client, cat *sim.Catalog, tr *sim.Track) {
	t.Helper()
	wantBPM := 0.0
	if tr.DeezerBPMKnown {
		wantBPM = tr.BPM
	}
	got, err := dz.TrackByISRC(ctx, tr.ISRC)
	if err != nil {
		t.Errorf("track %d: TrackByISRC: %v", tr.Index, err)
		return
	}
	if got.ISRC != tr.ISRC || got.BPM != wantBPM || got.Gain != tr.Gain || got.Artist.Name != cat.Artists[tr.Artist].Name {
		t.Errorf("track %d: Deezer says %+v, catalog bpm %v gain %v", tr.Index, got, wantBPM, tr.Gain)
	}
	if got.ID == tr.DeezerAltID {
		if !strings.Contains(got.Title, "Remastered") || got.Rank > tr.Rank {
			t.Errorf("track %d: remaster edition %+v", tr.Index, got)
		}
		res, err := dz.Search(ctx, deezer.ISRCQuery(tr.ISRC), 0)
		if err != nil || len(res.Tracks) != 2 {
			t.Errorf("track %d: ISRC search %+v, %v; want both editions", tr.Index, res.Tracks, err)
			return
		}
		spotifySecs := int(math.Round(float64(tr.DurationMs) / 1000))
		best := res.Tracks[0]
		for _, c := range res.Tracks[1:] {
			if consistAbs(c.Duration-spotifySecs) < consistAbs(best.Duration-spotifySecs) {
				best = c
			}
		}
		if got, err = dz.Track(ctx, best.ID); err != nil {
			t.Errorf("track %d: Track(%d): %v", tr.Index, best.ID, err)
			return
		}
	}
	if got.ID != tr.DeezerID || got.Rank != tr.Rank || got.BPM != wantBPM || got.ReleaseDate != cat.Albums[tr.Album].ReleaseDate {
		t.Errorf("track %d: original edition %+v, want id %d rank %d", tr.Index, got, tr.DeezerID, tr.Rank)
	}
	if d := float64(got.Duration) - float64(tr.DurationMs)/1000; math.Abs(d) > 1.5 {
		t.Errorf("track %d: Deezer %d s vs Spotify %d ms", tr.Index, got.Duration, tr.DurationMs)
	}
}

func consistLastfm(t *testing.T, ctx context.Context, lf *lastfm.Client, tr *sim.Track, artist, title string) {
	t.Helper()
	info, err := lf.TrackInfo(ctx, artist, title)
	if err != nil {
		t.Errorf("track %d: TrackInfo(%q, %q): %v", tr.Index, artist, title, err)
		return
	}
	if info.Name != tr.Name || info.Artist != artist || info.Listeners != tr.Listeners || info.Playcount != tr.Playcount || info.MBID != tr.MBID {
		t.Errorf("track %d: Last.fm says %+v", tr.Index, info)
	}
	for k, name := range info.Tags {
		if name != tr.Tags[k].Name {
			t.Errorf("track %d: getInfo tag %d = %q, want %q", tr.Index, k, name, tr.Tags[k].Name)
		}
	}
	tags, err := lf.TrackTopTags(ctx, artist, title)
	if err != nil || len(tags) != len(tr.Tags) {
		t.Errorf("track %d: TrackTopTags = %v, %v; want %v", tr.Index, tags, err, tr.Tags)
		return
	}
	for k, tg := range tags {
		if tg.Name != tr.Tags[k].Name || tg.Count != tr.Tags[k].Count {
			t.Errorf("track %d: tag %d = %+v, want %+v", tr.Index, k, tg, tr.Tags[k])
		}
	}
}

func consistAbs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
