package spotify_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	sp "github.com/zmb3/spotify/v2"

	"dj/upstream"
)

func TestCatalogAndPlaylistReads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.user("alice")
	d := e.dump("alice")
	cat := e.srv.Catalog()

	t.Run("me", func(t *testing.T) {
		me, err := u.Me(ctx)
		if err != nil || me.ID != "alice" || me.URI != "spotify:user:alice" {
			t.Fatalf("me %+v, %v", me, err)
		}
	})
	t.Run("my playlists", func(t *testing.T) {
		page, err := u.MyPlaylists(ctx, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if int(page.Total) != len(d.Playlists) || len(page.Playlists) != 2 || page.Next == "" {
			t.Fatalf("page total %d, %d items, next %q", page.Total, len(page.Playlists), page.Next)
		}
		got := page.Playlists[0]
		if string(got.ID) != d.Playlists[1].ID || int(got.Tracks.Total) != len(d.Playlists[1].URIs) {
			t.Fatalf("playlist %s with %d tracks, want %s with %d", got.ID, got.Tracks.Total, d.Playlists[1].ID, len(d.Playlists[1].URIs))
		}
	})
	own := d.Playlists[0]
	t.Run("playlist", func(t *testing.T) {
		pl, err := u.Playlist(ctx, own.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Name != own.Name || int(pl.Tracks.Total) != len(own.URIs) || len(pl.Tracks.Tracks) == 0 ||
			string(pl.Tracks.Tracks[0].Track.URI) != own.URIs[0] || pl.SimplePlaylist.Tracks.Total != pl.Tracks.Total {
			t.Fatalf("playlist %s: total %d, %d embedded", pl.Name, pl.Tracks.Total, len(pl.Tracks.Tracks))
		}
	})
	t.Run("playlist items", func(t *testing.T) {
		page, err := u.PlaylistItems(ctx, own.ID, 5, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 5 || page.Items[0].Track.Track == nil || string(page.Items[0].Track.Track.URI) != own.URIs[1] {
			t.Fatalf("items %+v", page.Items)
		}
		if int(page.Total) != len(own.URIs) {
			t.Fatalf("total %d", page.Total)
		}
	})
	t.Run("followed playlist items are forbidden", func(t *testing.T) {
		followed := d.Playlists[len(d.Playlists)-1]
		if followed.Owner == "alice" {
			t.Fatal("want a followed playlist last")
		}
		if _, err := u.Playlist(ctx, followed.ID); err != nil {
			t.Fatalf("metadata of a followed playlist: %v", err)
		}
		if _, err := u.PlaylistItems(ctx, followed.ID, 10, 0); !errors.Is(err, upstream.ErrForbidden) {
			t.Fatalf("items of a followed playlist: %v", err)
		}
	})
	t.Run("legacy tracks path is 403 for the SDK", func(t *testing.T) {
		access, _ := e.tokens("alice")
		raw := sp.New(&http.Client{Transport: bearer(access)}, sp.WithBaseURL(e.srv.BaseURL("spotify")))
		_, err := raw.GetPlaylistItems(ctx, sp.ID(own.ID))
		var se sp.Error
		if !errors.As(err, &se) || se.Status != http.StatusForbidden {
			t.Fatalf("SDK GetPlaylistItems: %v, want 403", err)
		}
	})
	ct := cat.Tracks[33]
	t.Run("track artist album", func(t *testing.T) {
		tr, err := u.Track(ctx, ct.ID)
		if err != nil || tr.ExternalIDs["isrc"] != ct.ISRC || int(tr.Duration) != ct.DurationMs || tr.Album.ReleaseDate == "" {
			t.Fatalf("track %+v, %v", tr, err)
		}
		ar, err := u.Artist(ctx, string(tr.Artists[0].ID))
		if err != nil || len(ar.Genres) == 0 {
			t.Fatalf("artist %+v, %v", ar, err)
		}
		al, err := u.Album(ctx, string(tr.Album.ID))
		if err != nil || len(al.Tracks.Tracks) == 0 {
			t.Fatalf("album %+v, %v", al, err)
		}
		if _, err := u.Track(ctx, "0000000000000000000000"); !errors.Is(err, upstream.ErrNotFound) {
			t.Fatalf("unknown track: %v", err)
		}
	})
	t.Run("search", func(t *testing.T) {
		res, err := u.Search(ctx, "isrc:"+ct.ISRC, sp.SearchTypeTrack, 1)
		if err != nil || res.Tracks == nil || len(res.Tracks.Tracks) != 1 || string(res.Tracks.Tracks[0].ID) != ct.ID {
			t.Fatalf("isrc search %+v, %v", res, err)
		}
		res, err = u.Search(ctx, `artist:"`+cat.Artists[ct.Artist].Name+`"`, sp.SearchTypeArtist|sp.SearchTypeTrack, 0)
		if err != nil || len(res.Tracks.Tracks) == 0 || len(res.Artists.Artists) == 0 || res.Tracks.Limit != 5 {
			t.Fatalf("artist search %+v, %v", res, err)
		}
		_, err = u.Search(ctx, "love", sp.SearchTypeTrack, 11)
		var ue *upstream.Error
		if !errors.Is(err, upstream.ErrBadRequest) || !errors.As(err, &ue) || ue.Status != http.StatusBadRequest {
			t.Fatalf("limit 11: %v, want ErrBadRequest", err)
		}
	})
	t.Run("history", func(t *testing.T) {
		recent, err := u.RecentlyPlayed(ctx, 7)
		if err != nil || len(recent) != 7 || recent[0].PlayedAt.IsZero() {
			t.Fatalf("recently played %d, %v", len(recent), err)
		}
		top, err := u.TopTracks(ctx, 6)
		if err != nil || len(top.Tracks) != 6 {
			t.Fatalf("top tracks %+v, %v", top, err)
		}
	})
}

func TestPlaylistEdits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.user("carol")
	cat := e.srv.Catalog()
	uri := func(i int) string { return "spotify:track:" + cat.Tracks[i].ID }

	pl, err := u.CreatePlaylist(ctx, "Friday mix", "made by dj", false)
	if err != nil {
		t.Fatal(err)
	}
	if pl.ID == "" || pl.Owner.ID != "carol" || pl.IsPublic || pl.Tracks.Total != 0 {
		t.Fatalf("created %+v", pl.SimplePlaylist)
	}
	id := string(pl.ID)
	snap1, err := u.AddPlaylistItems(ctx, id, []string{uri(1), uri(2), uri(3)})
	if err != nil || snap1 == "" {
		t.Fatalf("add: %q, %v", snap1, err)
	}
	page, err := u.PlaylistItems(ctx, id, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range page.Items {
		got = append(got, string(it.Track.Track.URI))
	}
	if !slices.Equal(got, []string{uri(1), uri(2), uri(3)}) {
		t.Fatalf("items after add %v", got)
	}
	snap2, err := u.ReorderPlaylistItems(ctx, id, 2, 0, 1)
	if err != nil || snap2 == snap1 {
		t.Fatalf("reorder: %q, %v", snap2, err)
	}
	if _, err := u.RemovePlaylistItems(ctx, id, []string{uri(1)}); err != nil {
		t.Fatal(err)
	}
	d := e.dump("carol")
	if d.Playlists[0].ID != id || !slices.Equal(d.Playlists[0].URIs, []string{uri(3), uri(2)}) {
		t.Fatalf("dump %+v", d.Playlists[0])
	}
	lists, err := u.MyPlaylists(ctx, 1, 0)
	if err != nil || string(lists.Playlists[0].ID) != id || lists.Playlists[0].Tracks.Total != 2 {
		t.Fatalf("my playlists after create: %+v, %v", lists, err)
	}

	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = uri(i)
	}
	before := e.srv.Stats().APIs["spotify"].Requests
	if _, err := u.AddPlaylistItems(ctx, id, tooMany); !errors.Is(err, upstream.ErrBadRequest) {
		t.Fatalf("101 URIs: %v", err)
	}
	if after := e.srv.Stats().APIs["spotify"].Requests; after != before {
		t.Fatal("101 URIs went to the wire")
	}
	if _, err := u.AddPlaylistItems(ctx, id, []string{"spotify:track:nope"}); !errors.Is(err, upstream.ErrBadRequest) {
		t.Fatalf("bad URI: %v", err)
	}
}

func TestConcurrentUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	users := []string{"alice", "bob", "carol", "dave"}
	var wg sync.WaitGroup
	errs := make(chan error, len(users)*5)
	for _, name := range users {
		u := e.user(name)
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				me, err := u.Me(ctx)
				if err == nil && me.ID != name {
					err = errors.New("wrong user " + me.ID)
				}
				if err == nil {
					_, err = u.PlayerState(ctx)
				}
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// bearer is a transport that authenticates the raw SDK client.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(b)))
	return http.DefaultTransport.RoundTrip(r)
}
