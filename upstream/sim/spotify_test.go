package sim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSpotifyBearerChecks(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	e.api("GET", "/me", "", nil).wantSpError(t, http.StatusUnauthorized, "No token provided")
	e.api("GET", "/me", "nonsense", nil).wantSpError(t, http.StatusUnauthorized, "Invalid access token")
	r := e.api("GET", "/me", tok, nil).wantStatus(t, http.StatusOK)
	me := r.json(t)
	if me["id"] != "alice" || me["uri"] != "spotify:user:alice" || me["account_id"] == "" {
		t.Fatalf("me %v", me)
	}
	for _, removed := range []string{"country", "email", "product", "followers", "explicit_content"} {
		if _, ok := me[removed]; ok {
			t.Errorf("dev-mode /me has %q", removed)
		}
	}
	e.clock.Advance(e.srv.cfg.AccessTokenTTL)
	e.api("GET", "/me", tok, nil).wantSpError(t, http.StatusUnauthorized, "The access token expired")
}

func TestSpotifyRemovedAndUnknownEndpoints(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	pl := e.dump("alice").Playlists[0].ID
	tr := e.srv.Catalog().Tracks[0].ID
	for _, c := range []struct{ method, path string }{
		{"GET", "/playlists/" + pl + "/tracks"},
		{"POST", "/playlists/" + pl + "/tracks"},
		{"DELETE", "/playlists/" + pl + "/tracks"},
		{"GET", "/tracks?ids=" + tr},
		{"GET", "/users/alice"},
		{"POST", "/users/alice/playlists"},
		{"GET", "/artists/" + e.srv.Catalog().Artists[0].ID + "/top-tracks"},
		{"GET", "/audio-features/" + tr},
		{"GET", "/recommendations"},
	} {
		e.api(c.method, c.path, tok, nil).wantSpError(t, http.StatusForbidden, "Forbidden")
	}
	e.api("GET", "/nope", tok, nil).wantSpError(t, http.StatusNotFound, "Service not found")
	e.api("GET", "/tracks/notanid", tok, nil).wantSpError(t, http.StatusBadRequest, "Invalid base62 id")
	e.api("GET", "/tracks/0000000000000000000000", tok, nil).wantSpError(t, http.StatusNotFound, "")
}

func TestSpotifyObjectFidelity(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	cat := e.srv.Catalog()
	ct := cat.Tracks[10]
	tr := e.api("GET", "/tracks/"+ct.ID, tok, nil).wantStatus(t, http.StatusOK).json(t)
	checks := map[string]any{
		"id": ct.ID, "uri": "spotify:track:" + ct.ID, "type": "track", "is_local": false,
		"duration_ms": float64(ct.DurationMs), "explicit": ct.Explicit, "preview_url": nil, "name": ct.Name,
	}
	for k, want := range checks {
		if got, ok := tr[k]; !ok || got != want {
			t.Errorf("track %s = %v, want %v", k, got, want)
		}
	}
	if spDig(t, tr, "external_ids", "isrc") != ct.ISRC {
		t.Errorf("isrc %v", tr["external_ids"])
	}
	if _, ok := tr["popularity"]; ok {
		t.Error("dev-mode track has popularity")
	}
	alb := spDig(t, tr, "album").(map[string]any)
	if alb["uri"] != "spotify:album:"+alb["id"].(string) || alb["release_date"] == "" || alb["release_date_precision"] == "" {
		t.Errorf("album %v", alb)
	}
	if len(alb["images"].([]any)) == 0 || spDig(t, alb, "images", 0, "height") != float64(640) {
		t.Errorf("album images %v", alb["images"])
	}
	if spDig(t, tr, "artists", 0, "id") != cat.Artists[ct.Artist].ID {
		t.Errorf("artists %v", tr["artists"])
	}

	ar := e.api("GET", "/artists/"+cat.Artists[ct.Artist].ID, tok, nil).wantStatus(t, http.StatusOK).json(t)
	if len(ar["genres"].([]any)) == 0 || ar["type"] != "artist" {
		t.Errorf("artist %v", ar)
	}
	al := e.api("GET", "/albums/"+cat.Albums[ct.Album].ID, tok, nil).wantStatus(t, http.StatusOK).json(t)
	if spDig(t, al, "tracks", "total") != float64(len(cat.Albums[ct.Album].Tracks)) {
		t.Errorf("album tracks %v", al["tracks"])
	}

	// EQM brings the removed fields back.
	e.call("PUT", "/_sim/spotify/mode", "", map[string]string{"mode": "eqm"}).wantStatus(t, http.StatusOK)
	tr = e.api("GET", "/tracks/"+ct.ID, tok, nil).wantStatus(t, http.StatusOK).json(t)
	if tr["popularity"] != float64(ct.Popularity) {
		t.Errorf("eqm popularity %v", tr["popularity"])
	}
	if me := e.api("GET", "/me", tok, nil).json(t); me["product"] != "premium" {
		t.Errorf("eqm me %v", me)
	}
}

func TestSpotifySearch(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	cat := e.srv.Catalog()
	ct := cat.Tracks[42]
	artist := cat.Artists[ct.Artist].Name
	search := func(q url.Values) spResp { return e.api("GET", "/search?"+q.Encode(), tok, nil) }
	firstTrack := func(t *testing.T, q url.Values) map[string]any {
		t.Helper()
		r := search(q).wantStatus(t, http.StatusOK).json(t)
		items := spDig(t, r, "tracks", "items").([]any)
		if len(items) == 0 {
			t.Fatalf("no tracks for %v", q)
		}
		return items[0].(map[string]any)
	}

	t.Run("isrc", func(t *testing.T) {
		got := firstTrack(t, url.Values{"q": {"isrc:" + ct.ISRC}, "type": {"track"}})
		if got["id"] != ct.ID {
			t.Fatalf("isrc search found %v", got["id"])
		}
	})
	t.Run("track and artist filters", func(t *testing.T) {
		q := `track:"` + ct.Name + `" artist:"` + artist + `"`
		if got := firstTrack(t, url.Values{"q": {q}, "type": {"track"}}); got["id"] != ct.ID {
			t.Fatalf("filter search found %v", got["name"])
		}
	})
	t.Run("free text", func(t *testing.T) {
		if got := firstTrack(t, url.Values{"q": {ct.Name + " " + artist}, "type": {"track"}}); got["id"] != ct.ID {
			t.Fatalf("free text found %v", got["name"])
		}
	})
	t.Run("year range and genre", func(t *testing.T) {
		q := url.Values{"q": {`genre:"` + ct.Genre + `" year:1900-2100`}, "type": {"track"}, "limit": {"10"}}
		for _, it := range spDig(t, search(q).wantStatus(t, http.StatusOK).json(t), "tracks", "items").([]any) {
			tr, _ := cat.TrackByID(it.(map[string]any)["id"].(string))
			if tr.Genre != ct.Genre {
				t.Fatalf("genre filter let %s through", tr.Genre)
			}
		}
		search(url.Values{"q": {"year:19x0"}, "type": {"track"}}).wantSpError(t, http.StatusBadRequest, "")
	})
	t.Run("paging and types", func(t *testing.T) {
		r := search(url.Values{"q": {"year:1900-2100"}, "type": {"track,artist,album"}}).wantStatus(t, http.StatusOK).json(t)
		tracks := r["tracks"].(map[string]any)
		if tracks["limit"] != float64(5) || len(tracks["items"].([]any)) != 5 {
			t.Fatalf("default limit: %v items, limit %v", len(tracks["items"].([]any)), tracks["limit"])
		}
		next, _ := tracks["next"].(string)
		if !strings.HasPrefix(next, e.srv.URL()+"/spotify/v1/search?") || !strings.Contains(next, "offset=5") {
			t.Fatalf("next %q is not absolute on the simulator", next)
		}
		if _, ok := r["artists"]; !ok {
			t.Fatal("no artists key")
		}
		if _, ok := r["albums"]; !ok {
			t.Fatal("no albums key")
		}
		ar := firstArtist(t, search(url.Values{"q": {`artist:"` + artist + `"`}, "type": {"artist"}}))
		if ar["name"] != artist {
			t.Fatalf("artist search found %v", ar["name"])
		}
	})
	t.Run("limits", func(t *testing.T) {
		for _, bad := range []url.Values{
			{"q": {"a"}, "type": {"track"}, "limit": {"11"}},
			{"q": {"a"}, "type": {"track"}, "limit": {"0"}},
			{"q": {"a"}, "type": {"track"}, "offset": {"1001"}},
			{"q": {"a"}, "type": {"bogus"}},
			{"q": {""}, "type": {"track"}},
			{"q": {"a"}},
		} {
			search(bad).wantSpError(t, http.StatusBadRequest, "")
		}
		search(url.Values{"q": {"a"}, "type": {"track"}, "limit": {"10"}, "offset": {"1000"}}).wantStatus(t, http.StatusOK)
	})
}

func firstArtist(t *testing.T, r spResp) map[string]any {
	t.Helper()
	items := spDig(t, r.wantStatus(t, http.StatusOK).json(t), "artists", "items").([]any)
	if len(items) == 0 {
		t.Fatal("no artists")
	}
	return items[0].(map[string]any)
}

func TestSpotifyFaultShape(t *testing.T) {
	t.Parallel()
	e := newSpEnv(t)
	tok := e.token("alice")
	for _, f := range []Fault{
		{API: "spotify", Kind: Fault429, RetryAfter: 7, Count: 1},
		{API: "spotify", Kind: Fault500, Count: 1},
		{API: "spotify", Kind: Fault401, Count: 1},
	} {
		if err := e.srv.AddFault(f); err != nil {
			t.Fatal(err)
		}
		r := e.api("GET", "/me", tok, nil)
		r.wantSpError(t, injectedStatus(f.Kind), "")
		if f.Kind == Fault429 && r.header.Get("Retry-After") != "7" {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	e.api("GET", "/me", tok, nil).wantStatus(t, http.StatusOK)
}
