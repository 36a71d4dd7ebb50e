package lastfm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dj/upstream"
	"dj/upstream/lastfm"
	"dj/upstream/sim"
)

// start runs a simulator with a small catalog and a client pointed at it.
func start(t *testing.T, timeout time.Duration) (*sim.Server, *lastfm.Client) {
	t.Helper()
	s, err := sim.New(sim.Config{Catalog: sim.CatalogConfig{Tracks: 1500, Artists: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c, err := lastfm.New(lastfm.Config{BaseURL: s.BaseURL("lastfm"), APIKey: "test-key", Timeout: timeout})
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

// wantKind checks err is an *upstream.Error of kind from Last.fm.
func wantKind(t *testing.T, err, kind error) *upstream.Error {
	t.Helper()
	var ue *upstream.Error
	if !errors.As(err, &ue) || !errors.Is(err, kind) || ue.API != "lastfm" {
		t.Fatalf("got %v (%T), want an upstream.Error of kind %v", err, err, kind)
	}
	return ue
}

func TestClientAgainstSimulator(t *testing.T) {
	t.Parallel()
	s, lf := start(t, 0)
	cat := s.Catalog()
	ctx := context.Background()
	tr := pick(t, cat, func(t *sim.Track) bool {
		return t.InLastfm && len(t.Similar) >= 3 && t.Index%11 != 0 && t.Index%13 != 0 && t.MBID != ""
	})
	artist := cat.Artists[tr.Artist]

	info, err := lf.TrackInfo(ctx, artist.Name, tr.Name+" (feat. Someone)")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != tr.Name || info.Artist != artist.Name || info.Listeners != tr.Listeners || info.Playcount != tr.Playcount ||
		info.MBID != tr.MBID || info.Duration != time.Duration(tr.DurationMs)*time.Millisecond || info.URL == "" {
		t.Fatalf("TrackInfo = %+v, want the catalog's %+v", info, tr)
	}
	if info.Album == nil || info.Album.Title != cat.Albums[tr.Album].Name || info.Album.Position != tr.TrackNumber || info.Album.Image == "" {
		t.Fatalf("album = %+v", info.Album)
	}
	if len(info.Tags) == 0 || info.Tags[0] != tr.Tags[0].Name {
		t.Fatalf("tags = %v, want %v first", info.Tags, tr.Tags[0].Name)
	}

	tags, err := lf.TrackTopTags(ctx, artist.Name, tr.Name)
	if err != nil || len(tags) != len(tr.Tags) || tags[0].Count != 100 || tags[0].Name != tr.Tags[0].Name {
		t.Fatalf("TrackTopTags = %+v, %v", tags, err)
	}

	similar, err := lf.TrackSimilar(ctx, artist.Name, tr.Name, 3)
	if err != nil || len(similar) != 3 {
		t.Fatalf("TrackSimilar = %+v, %v", similar, err)
	}
	first := cat.Tracks[tr.Similar[0].Track]
	if similar[0].Name != first.Name || similar[0].Artist != cat.Artists[first.Artist].Name || similar[0].Match != tr.Similar[0].Match || similar[0].Playcount != first.Playcount {
		t.Fatalf("similar[0] = %+v, want %q", similar[0], first.Name)
	}
	one, err := lf.TrackSimilar(ctx, artist.Name, tr.Name, 1) // a bare object on the wire
	if err != nil || len(one) != 1 || one[0].Name != first.Name {
		t.Fatalf("TrackSimilar(limit 1) = %+v, %v", one, err)
	}

	corr, err := lf.TrackCorrection(ctx, strings.ToLower(artist.Name), tr.Name+" feat. Someone")
	if err != nil || corr.Artist != artist.Name || corr.Track != tr.Name || !corr.TrackCorrected || !corr.ArtistCorrected {
		t.Fatalf("TrackCorrection = %+v, %v", corr, err)
	}

	ai, err := lf.ArtistInfo(ctx, artist.Name)
	if err != nil || ai.Name != artist.Name || ai.Listeners != artist.Listeners || ai.Playcount != artist.Playcount || len(ai.Tags) == 0 || ai.Images.Large == "" {
		t.Fatalf("ArtistInfo = %+v, %v", ai, err)
	}
	at, err := lf.ArtistTopTags(ctx, artist.Name)
	if err != nil || len(at) == 0 || at[0].Count != 100 {
		t.Fatalf("ArtistTopTags = %+v, %v", at, err)
	}
}

func TestClientMisses(t *testing.T) {
	t.Parallel()
	s, lf := start(t, 0)
	cat := s.Catalog()
	ctx := context.Background()
	tr := pick(t, cat, func(t *sim.Track) bool { return !t.InLastfm })
	name := cat.Artists[tr.Artist].Name

	_, err := lf.TrackInfo(ctx, name, tr.Name)
	if ue := wantKind(t, err, upstream.ErrNotFound); ue.Code != 6 || ue.Status != 200 {
		t.Fatalf("miss = %+v", ue)
	}
	if tags, err := lf.TrackTopTags(ctx, name, tr.Name); err != nil || len(tags) != 0 {
		t.Fatalf("TrackTopTags of a miss = %v, %v; want empty", tags, err)
	}
	if sim, err := lf.TrackSimilar(ctx, name, tr.Name, 20); err != nil || len(sim) != 0 {
		t.Fatalf("TrackSimilar of a miss = %v, %v; want empty", sim, err)
	}
	_, err = lf.TrackCorrection(ctx, name, tr.Name)
	wantKind(t, err, upstream.ErrNotFound)
	_, err = lf.ArtistInfo(ctx, "Nobody At All")
	wantKind(t, err, upstream.ErrNotFound)
	_, err = lf.ArtistTopTags(ctx, "Nobody At All")
	wantKind(t, err, upstream.ErrNotFound)
}

func TestKeyErrors(t *testing.T) {
	t.Parallel()
	s, _ := start(t, 0)
	for key, kind := range map[string]error{"invalid-key": upstream.ErrUnauthorized, "suspended-key": upstream.ErrForbidden} {
		c, err := lastfm.New(lastfm.Config{BaseURL: s.BaseURL("lastfm"), APIKey: key})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ArtistInfo(context.Background(), "anyone")
		wantKind(t, err, kind)
	}
	if _, err := lastfm.New(lastfm.Config{BaseURL: s.BaseURL("lastfm")}); err == nil {
		t.Fatal("New without a key succeeded")
	}
	if _, err := lastfm.New(lastfm.Config{BaseURL: "not a url", APIKey: "k"}); err == nil {
		t.Fatal("New with a relative base URL succeeded")
	}
}
