package sim

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestSpotifyPlaylistReads(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	alice := e.dump("alice")

	page := e.api("GET", "/me/playlists?limit=2", tok, nil).wantStatus(t, http.StatusOK).json(t)
	if page["total"] != float64(len(alice.Playlists)) || len(page["items"].([]any)) != 2 {
		t.Fatalf("page total %v, %d items", page["total"], len(page["items"].([]any)))
	}
	if next := page["next"].(string); next != e.srv.URL()+"/spotify/v1/me/playlists?limit=2&offset=2" {
		t.Fatalf("next %q", next)
	}
	first := spDig(t, page, "items", 0).(map[string]any)
	if spDig(t, first, "items", "total") != float64(len(alice.Playlists[0].URIs)) || first["tracks"] != nil {
		t.Fatalf("dev-mode summary %v / %v", first["items"], first["tracks"])
	}
	e.api("GET", "/me/playlists?limit=51", tok, nil).wantSpError(t, http.StatusBadRequest, "Invalid limit")

	// The last one is followed, not owned: metadata yes, items no.
	followed := alice.Playlists[len(alice.Playlists)-1]
	if followed.Owner == "alice" {
		t.Fatal("want a followed playlist last")
	}
	meta := e.api("GET", "/playlists/"+followed.ID, tok, nil).wantStatus(t, http.StatusOK).json(t)
	if _, hasPage := spDig(t, meta, "items").(map[string]any)["items"]; hasPage {
		t.Fatal("embedded entries for a playlist alice cannot read")
	}
	e.api("GET", "/playlists/"+followed.ID+"/items", tok, nil).wantSpError(t, http.StatusForbidden, "")

	own := alice.Playlists[0]
	items := e.api("GET", "/playlists/"+own.ID+"/items?limit=3&offset=1", tok, nil).wantStatus(t, http.StatusOK).json(t)
	entry := spDig(t, items, "items", 0).(map[string]any)
	if spDig(t, entry, "item", "uri") != own.URIs[1] || spDig(t, entry, "track", "uri") != own.URIs[1] {
		t.Fatalf("entry %v, want %s under item and track", entry, own.URIs[1])
	}
	if next := items["next"].(string); !strings.HasPrefix(next, e.srv.URL()+"/spotify/v1/playlists/"+own.ID+"/items?") {
		t.Fatalf("next %q", next)
	}
	e.api("GET", "/playlists/"+own.ID+"/items?limit=51", tok, nil).wantSpError(t, http.StatusBadRequest, "")
	full := e.api("GET", "/playlists/"+own.ID, tok, nil).wantStatus(t, http.StatusOK).json(t)
	if spDig(t, full, "items", "total") != float64(len(own.URIs)) || spDig(t, full, "owner", "id") != "alice" {
		t.Fatalf("playlist %v", full)
	}

	t.Run("fields projection", func(t *testing.T) {
		r := e.api("GET", "/playlists/"+own.ID+"/items?limit=1&fields=total,items(item(name,uri,artists(name)))", tok, nil).wantStatus(t, http.StatusOK).json(t)
		if len(r) != 2 {
			t.Fatalf("top-level keys %v", r)
		}
		item := spDig(t, r, "items", 0, "item").(map[string]any)
		if len(item) != 3 || item["uri"] != own.URIs[0] {
			t.Fatalf("projected item %v", item)
		}
		if art := spDig(t, item, "artists", 0).(map[string]any); len(art) != 1 {
			t.Fatalf("projected artist %v", art)
		}
		r = e.api("GET", "/playlists/"+own.ID+"/items?limit=1&fields=items(!track)", tok, nil).wantStatus(t, http.StatusOK).json(t)
		if entry := spDig(t, r, "items", 0).(map[string]any); entry["track"] != nil || entry["item"] == nil {
			t.Fatalf("exclusion %v", entry)
		}
		e.api("GET", "/playlists/"+own.ID+"/items?fields=items(", tok, nil).wantSpError(t, http.StatusBadRequest, "")
	})
}

func TestSpotifyPlaylistEdits(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	cat := e.srv.Catalog()
	uri := func(i int) string { return "spotify:track:" + cat.Tracks[i].ID }

	e.api("POST", "/me/playlists", tok, map[string]any{"description": "x"}).wantSpError(t, http.StatusBadRequest, "")
	created := e.api("POST", "/me/playlists", tok, map[string]any{"name": "DJ set", "public": false, "description": "made by dj"}).
		wantStatus(t, http.StatusCreated).json(t)
	id := created["id"].(string)
	if !spValidID(id) || created["uri"] != "spotify:playlist:"+id || created["public"] != false || spDig(t, created, "owner", "id") != "alice" {
		t.Fatalf("created %v", created)
	}
	if first := spDig(t, e.api("GET", "/me/playlists", tok, nil).json(t), "items", 0, "id"); first != id {
		t.Fatalf("new playlist not listed first: %v", first)
	}

	snapshots := map[string]bool{created["snapshot_id"].(string): true}
	edit := func(method string, body any, query string, want int) {
		t.Helper()
		r := e.api(method, "/playlists/"+id+"/items"+query, tok, body).wantStatus(t, want).json(t)
		snap := r["snapshot_id"].(string)
		if snapshots[snap] {
			t.Fatalf("snapshot %s reused", snap)
		}
		snapshots[snap] = true
	}
	wantURIs := func(want ...string) {
		t.Helper()
		for _, pl := range e.dump("alice").Playlists {
			if pl.ID == id {
				if !reflect.DeepEqual(pl.URIs, want) && !(len(want) == 0 && len(pl.URIs) == 0) {
					t.Fatalf("playlist holds %v, want %v", pl.URIs, want)
				}
				return
			}
		}
		t.Fatal("created playlist missing from the dump")
	}

	edit("POST", map[string]any{"uris": []string{uri(1), uri(2)}}, "", http.StatusCreated)
	edit("POST", map[string]any{"uris": []string{uri(3)}, "position": 0}, "", http.StatusCreated)
	edit("POST", nil, "?uris="+uri(4)+"&position=1", http.StatusCreated)
	wantURIs(uri(3), uri(4), uri(1), uri(2))
	got := e.api("GET", "/playlists/"+id+"/items", tok, nil).json(t)
	if got["total"] != float64(4) || spDig(t, got, "items", 0, "item", "uri") != uri(3) {
		t.Fatalf("GET items after adds: %v", got)
	}

	edit("PUT", map[string]any{"range_start": 0, "insert_before": 3}, "", http.StatusOK)
	wantURIs(uri(4), uri(1), uri(3), uri(2))
	edit("PUT", map[string]any{"range_start": 2, "range_length": 2, "insert_before": 0}, "", http.StatusOK)
	wantURIs(uri(3), uri(2), uri(4), uri(1))
	edit("DELETE", map[string]any{"items": []map[string]string{{"uri": uri(2)}}}, "", http.StatusOK)
	wantURIs(uri(3), uri(4), uri(1))
	edit("PUT", map[string]any{"uris": []string{uri(9)}}, "", http.StatusOK)
	wantURIs(uri(9))

	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = uri(i)
	}
	for _, bad := range []struct {
		method string
		body   any
	}{
		{"POST", map[string]any{"uris": tooMany}},
		{"POST", map[string]any{"uris": []string{"spotify:album:" + cat.Albums[0].ID}}},
		{"POST", map[string]any{"uris": []string{uri(1)}, "position": 5}},
		{"POST", map[string]any{}},
		{"DELETE", map[string]any{"tracks": []map[string]string{{"uri": uri(9)}}}},
		{"PUT", map[string]any{"range_start": 3, "insert_before": 0}},
	} {
		e.api(bad.method, "/playlists/"+id+"/items", tok, bad.body).wantSpError(t, http.StatusBadRequest, "")
	}
	wantURIs(uri(9))

	// Someone else's playlist cannot be changed.
	bob := e.token("bob")
	e.api("POST", "/playlists/"+id+"/items", bob, map[string]any{"uris": []string{uri(1)}}).wantSpError(t, http.StatusForbidden, "")
	// A token without playlist-modify scopes cannot create.
	narrow := e.call("POST", "/_sim/spotify/token?user=alice&scope=user-read-private", "", nil).json(t)["access_token"].(string)
	e.api("POST", "/me/playlists", narrow, map[string]any{"name": "x"}).wantSpError(t, http.StatusForbidden, "Insufficient client scope")
}

func TestSpotifyMoveRange(t *testing.T) {
	t.Parallel()
	mk := func(ids ...int) []spEntry {
		out := make([]spEntry, len(ids))
		for i, id := range ids {
			out[i].track = id
		}
		return out
	}
	tests := []struct {
		start, n, before int
		want             []spEntry
	}{
		{0, 1, 3, mk(1, 2, 0, 3, 4)},
		{0, 2, 5, mk(2, 3, 4, 0, 1)},
		{3, 2, 0, mk(3, 4, 0, 1, 2)},
		{1, 2, 2, mk(0, 1, 2, 3, 4)},
		{4, 1, 1, mk(0, 4, 1, 2, 3)},
	}
	for _, tc := range tests {
		if got := spMoveRange(mk(0, 1, 2, 3, 4), tc.start, tc.n, tc.before); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("move(%d,%d,%d) = %v, want %v", tc.start, tc.n, tc.before, got, tc.want)
		}
	}
}
