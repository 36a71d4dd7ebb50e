package deezer_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"dj/upstream"
	"dj/upstream/deezer"
	"dj/upstream/sim"
)

// start runs a simulator with a small catalog and a client pointed at it.
func start(t *testing.T, timeout time.Duration) (*sim.Server, *deezer.Client) {
	t.Helper()
	s, err := sim.New(sim.Config{Catalog: sim.CatalogConfig{Tracks: 1500, Artists: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c, err := deezer.New(deezer.Config{BaseURL: s.BaseURL("deezer"), Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func pick(t *testing.T, c *sim.Catalog, keep func(*sim.Track) bool) *sim.Track {
	t.Helper()
	for i := range c.Tracks {
		if keep(&c.Tracks[i]) {
			return &c.Tracks[i]
		}
	}
	t.Fatal("no catalog track fits")
	return nil
}

// wantKind checks err is an *upstream.Error of kind from Deezer.
func wantKind(t *testing.T, err, kind error) *upstream.Error {
	t.Helper()
	var ue *upstream.Error
	if !errors.As(err, &ue) || !errors.Is(err, kind) || ue.API != "deezer" {
		t.Fatalf("got %v (%T), want an upstream.Error of kind %v", err, err, kind)
	}
	return ue
}

func TestClientAgainstSimulator(t *testing.T) {
	t.Parallel()
	s, dz := start(t, 0)
	cat := s.Catalog()
	ctx := context.Background()
	tr := pick(t, cat, func(t *sim.Track) bool {
		return t.InDeezer && t.DeezerBPMKnown && t.DeezerAltID == 0 && len(t.Featured) > 0
	})
	artist := cat.Artists[tr.Artist]

	byISRC, err := dz.TrackByISRC(ctx, strings.ToLower(tr.ISRC))
	if err != nil {
		t.Fatal(err)
	}
	if byISRC.ID != tr.DeezerID || byISRC.BPM != tr.BPM || byISRC.Gain != tr.Gain || byISRC.Rank != tr.Rank || byISRC.ISRC != tr.ISRC ||
		byISRC.ReleaseDate != cat.Albums[tr.Album].ReleaseDate || byISRC.Artist.Name != artist.Name || byISRC.Album.Title != cat.Albums[tr.Album].Name {
		t.Fatalf("TrackByISRC = %+v, want the catalog's %+v", byISRC, tr)
	}
	if math.Abs(float64(byISRC.Duration)-float64(tr.DurationMs)/1000) > 1.5 {
		t.Fatalf("duration %d s vs Spotify %d ms", byISRC.Duration, tr.DurationMs)
	}
	if len(byISRC.Contributors) != 2 || byISRC.Contributors[1].Role != "Featured" || byISRC.Album.Cover == "" {
		t.Fatalf("contributors %+v, album %+v", byISRC.Contributors, byISRC.Album)
	}
	byID, err := dz.Track(ctx, tr.DeezerID)
	if err != nil || byID.ID != byISRC.ID || byID.BPM != byISRC.BPM || byID.Title != tr.Name {
		t.Fatalf("Track(%d) = %+v, %v", tr.DeezerID, byID, err)
	}

	res, err := dz.Search(ctx, deezer.TrackQuery(artist.Name, tr.Name), 10)
	if err != nil || len(res.Tracks) == 0 || res.Tracks[0].ID != tr.DeezerID || res.Tracks[0].ISRC != tr.ISRC || res.Total < 1 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	res, err = dz.Search(ctx, deezer.ISRCQuery(tr.ISRC), 0)
	if err != nil || len(res.Tracks) != 1 || res.Tracks[0].ID != tr.DeezerID || res.Next != "" {
		t.Fatalf("ISRC search = %+v, %v", res, err)
	}
	broad, err := dz.Search(ctx, "the", 500)
	if err != nil || len(broad.Tracks) != deezer.MaxSearchLimit || broad.Next == "" || broad.Total <= deezer.MaxSearchLimit {
		t.Fatalf("broad search: %d tracks, total %d, next %q, %v", len(broad.Tracks), broad.Total, broad.Next, err)
	}
	page2, err := dz.SearchPage(ctx, "the", deezer.MaxSearchLimit, deezer.MaxSearchLimit)
	if err != nil || len(page2.Tracks) == 0 || page2.Tracks[0].ID == broad.Tracks[0].ID {
		t.Fatalf("second page: %+v, %v", page2.Tracks[:min(1, len(page2.Tracks))], err)
	}
	none, err := dz.Search(ctx, "zzzqqqxxx", 10)
	if err != nil || len(none.Tracks) != 0 || none.Total != 0 {
		t.Fatalf("no match = %+v, %v; want an empty result", none, err)
	}
}

func TestMissesAndBadQueries(t *testing.T) {
	t.Parallel()
	s, dz := start(t, 0)
	cat := s.Catalog()
	ctx := context.Background()
	missing := pick(t, cat, func(t *sim.Track) bool { return !t.InDeezer })
	_, err := dz.TrackByISRC(ctx, missing.ISRC)
	if ue := wantKind(t, err, upstream.ErrNotFound); ue.Code != 800 || ue.Status != 200 {
		t.Fatalf("miss = %+v", ue)
	}
	_, err = dz.Track(ctx, 1)
	wantKind(t, err, upstream.ErrNotFound)
	_, err = dz.Search(ctx, "", 10)
	if ue := wantKind(t, err, upstream.ErrBadRequest); ue.Code != 500 {
		t.Fatalf("empty q = %+v", ue)
	}
	if _, err := deezer.New(deezer.Config{BaseURL: "/relative"}); err == nil {
		t.Fatal("New with a relative base URL succeeded")
	}
}

func TestUnknownBPMIsZero(t *testing.T) {
	t.Parallel()
	s, dz := start(t, 0)
	tr := pick(t, s.Catalog(), func(t *sim.Track) bool { return t.InDeezer && !t.DeezerBPMKnown })
	got, err := dz.Track(context.Background(), tr.DeezerID)
	if err != nil || got.BPM != 0 || got.Gain != tr.Gain {
		t.Fatalf("Track = %+v, %v; want bpm 0 and the catalog gain", got, err)
	}
}

func TestQuotaIsRateLimited(t *testing.T) {
	t.Parallel()
	s, dz := start(t, 0)
	ctx := context.Background()
	// The quota model is off by default; the fault makes its answer.
	if err := s.AddFault(sim.Fault{API: "deezer", Kind: sim.FaultError200, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := dz.Track(ctx, 1)
	if ue := wantKind(t, err, upstream.ErrRateLimited); ue.Code != 4 || ue.RetryAfter != 0 {
		t.Fatalf("quota = %+v (Deezer sends no Retry-After)", ue)
	}
}
