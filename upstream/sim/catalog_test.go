package sim

import (
	"reflect"
	"testing"
)

func TestCatalogIsDeterministicAndLargeEnough(t *testing.T) {
	a, err := NewCatalog(7, CatalogConfig{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCatalog(7, CatalogConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Tracks, b.Tracks) || !reflect.DeepEqual(a.Users, b.Users) {
		t.Fatal("same seed gave different catalogs")
	}
	c, err := NewCatalog(8, CatalogConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Tracks[0].ID == c.Tracks[0].ID {
		t.Fatal("different seeds gave the same first track id")
	}
	s := a.Summary()
	if s.Tracks < 5000 || s.Artists < 800 {
		t.Fatalf("catalog too small: %d tracks, %d artists", s.Tracks, s.Artists)
	}
	if s.MissingDeezer == 0 || s.MissingLastfm == 0 {
		t.Fatalf("want some tracks missing from Deezer and Last.fm, got %d and %d", s.MissingDeezer, s.MissingLastfm)
	}
	if len(s.Users) < 4 || len(s.Users[0].Playlists) == 0 {
		t.Fatalf("want demo users with playlists, got %+v", s.Users)
	}
}

func TestCatalogTracksAreConsistent(t *testing.T) {
	c, err := NewCatalog(1, CatalogConfig{})
	if err != nil {
		t.Fatal(err)
	}
	decades := map[int]bool{}
	isrcs := map[string]bool{}
	for i := range c.Tracks {
		tr := &c.Tracks[i]
		if tr.BPM < 60 || tr.BPM > 180 {
			t.Fatalf("track %d bpm %v out of 60–180", i, tr.BPM)
		}
		if tr.Energy <= 0 || tr.Energy >= 1 || tr.Gain >= 0 {
			t.Fatalf("track %d energy %v gain %v", i, tr.Energy, tr.Gain)
		}
		if len(tr.ISRC) != 12 || isrcs[tr.ISRC] {
			t.Fatalf("track %d isrc %q invalid or repeated", i, tr.ISRC)
		}
		isrcs[tr.ISRC] = true
		if len(tr.ID) != 22 {
			t.Fatalf("track %d id %q is not 22 characters", i, tr.ID)
		}
		decades[tr.Year/10*10] = true
		for _, lookup := range []func() (*Track, bool){
			func() (*Track, bool) { return c.TrackByID(tr.ID) },
			func() (*Track, bool) { return c.TrackByISRC(tr.ISRC) },
			func() (*Track, bool) { return c.TrackByName(c.Artists[tr.Artist].Name, tr.Name) },
		} {
			if got, ok := lookup(); !ok || got.Index != i {
				t.Fatalf("track %d not found consistently", i)
			}
		}
		if tr.InDeezer {
			if got, _, ok := c.TrackByDeezerID(tr.DeezerID); !ok || got.Index != i {
				t.Fatalf("track %d not found by Deezer id", i)
			}
		}
	}
	if len(decades) < 6 {
		t.Fatalf("want release years across decades, got %v", decades)
	}
}
