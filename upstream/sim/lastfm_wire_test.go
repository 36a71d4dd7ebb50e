package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// lfmServer starts a simulator with a small catalog for wire tests.
func lfmServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Config{Catalog: CatalogConfig{Tracks: 1500, Artists: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// lfmCall sends one Last.fm request (format=json and a key unless params
// override them) and returns the status and the decoded body.
func lfmCall(t *testing.T, s *Server, params url.Values) (int, map[string]any) {
	t.Helper()
	q := url.Values{"format": {"json"}, "api_key": {"test-key"}}
	for k, v := range params {
		q[k] = v
	}
	resp, err := http.Get(s.BaseURL("lastfm") + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return resp.StatusCode, body
}

// lfmPick finds the first track that satisfies keep.
func lfmPick(t *testing.T, c *Catalog, keep func(*Track) bool) *Track {
	t.Helper()
	for i := range c.Tracks {
		if keep(&c.Tracks[i]) {
			return &c.Tracks[i]
		}
	}
	t.Fatal("no catalog track fits")
	return nil
}

func lfmObj(t *testing.T, v any, path string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want an object, got %T (%v)", path, v, v)
	}
	return m
}

func lfmWantError(t *testing.T, status int, body map[string]any, code int) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200", status)
	}
	if got, ok := body["error"].(float64); !ok || int(got) != code {
		t.Fatalf("want error %d, got %v", code, body)
	}
	if links, ok := body["links"].([]any); !ok || len(links) != 0 {
		t.Fatalf("want links [], got %v", body["links"])
	}
}

func testLastfmTrackGetInfoShape(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool {
		return t.InLastfm && t.Index%11 != 0 && t.Index%13 != 0 && t.Popularity >= 55 && len(t.Tags) >= 2
	})
	artist := c.Artists[tr.Artist]
	status, body := lfmCall(t, s, url.Values{"method": {"track.getInfo"}, "artist": {artist.Name}, "track": {tr.Name}})
	if status != http.StatusOK || body["error"] != nil {
		t.Fatalf("status %d body %v", status, body)
	}
	track := lfmObj(t, body["track"], "track")
	for field, want := range map[string]string{
		"name":      tr.Name,
		"listeners": strconv.FormatInt(tr.Listeners, 10),
		"playcount": strconv.FormatInt(tr.Playcount, 10),
		"duration":  strconv.Itoa(tr.DurationMs),
	} {
		if got, ok := track[field].(string); !ok || got != want {
			t.Errorf("track.%s = %#v, want the string %q", field, track[field], want)
		}
	}
	if st := lfmObj(t, track["streamable"], "streamable"); st["#text"] != "0" || st["fulltrack"] != "0" {
		t.Errorf("streamable = %v", st)
	}
	if a := lfmObj(t, track["artist"], "artist"); a["name"] != artist.Name || a["mbid"] != artist.MBID {
		t.Errorf("artist = %v", a)
	}
	album := lfmObj(t, track["album"], "album")
	if attr := lfmObj(t, album["@attr"], "album.@attr"); attr["position"] != strconv.Itoa(tr.TrackNumber) {
		t.Errorf("album @attr = %v", attr)
	}
	images, _ := album["image"].([]any)
	if len(images) != 4 || lfmObj(t, images[0], "image")["#text"] == "" {
		t.Errorf("album images = %v", album["image"])
	}
	tags, ok := lfmObj(t, track["toptags"], "toptags")["tag"].([]any)
	if !ok || len(tags) != min(5, len(tr.Tags)) {
		t.Fatalf("toptags.tag = %v", track["toptags"])
	}
	for i, tg := range tags {
		m := lfmObj(t, tg, "tag")
		if m["name"] != tr.Tags[i].Name || m["count"] != nil {
			t.Errorf("tag %d = %v, want %q without a count", i, m, tr.Tags[i].Name)
		}
	}
	if wiki := lfmObj(t, track["wiki"], "wiki"); !strings.Contains(wiki["summary"].(string), "<a href=") {
		t.Errorf("wiki summary lacks its anchor: %v", wiki)
	}
}

func testLastfmUnknownDurationIsStringZero(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InLastfm && t.Index%13 == 0 })
	_, body := lfmCall(t, s, url.Values{"method": {"track.getInfo"}, "artist": {c.Artists[tr.Artist].Name}, "track": {tr.Name}})
	if d := lfmObj(t, body["track"], "track")["duration"]; d != "0" {
		t.Fatalf("duration = %#v, want \"0\"", d)
	}
}

func testLastfmSimilarAndTopTagsAreNumbers(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InLastfm && len(t.Similar) >= 3 })
	name := c.Artists[tr.Artist].Name
	_, body := lfmCall(t, s, url.Values{"method": {"track.getSimilar"}, "artist": {name}, "track": {tr.Name}, "limit": {"3"}})
	sim := lfmObj(t, body["similartracks"], "similartracks")
	if attr := lfmObj(t, sim["@attr"], "@attr"); attr["artist"] != name {
		t.Errorf("@attr = %v", attr)
	}
	list, ok := sim["track"].([]any)
	if !ok || len(list) != 3 {
		t.Fatalf("similar tracks = %v", sim["track"])
	}
	prev := 2.0
	for i, item := range list {
		m := lfmObj(t, item, "similar")
		want := &c.Tracks[tr.Similar[i].Track]
		match, okM := m["match"].(float64)
		playcount, okP := m["playcount"].(float64)
		duration, okD := m["duration"].(float64)
		if !okM || !okP || !okD {
			t.Fatalf("similar %d: match, playcount and duration must be numbers: %v", i, m)
		}
		if m["name"] != want.Name || int64(playcount) != want.Playcount || match > prev {
			t.Errorf("similar %d = %v, want %q (%d plays) in descending match", i, m, want.Name, want.Playcount)
		}
		if want.Index%13 != 0 && int(duration) != want.DurationMs/1000 {
			t.Errorf("similar %d duration %v s, want %d", i, duration, want.DurationMs/1000)
		}
		prev = match
	}

	_, body = lfmCall(t, s, url.Values{"method": {"track.getTopTags"}, "artist": {name}, "track": {tr.Name}})
	tags := lfmObj(t, body["toptags"], "toptags")["tag"].([]any)
	if len(tags) != len(tr.Tags) {
		t.Fatalf("top tags = %v, want %d", tags, len(tr.Tags))
	}
	for i, tg := range tags {
		m := lfmObj(t, tg, "tag")
		if count, ok := m["count"].(float64); !ok || int(count) != tr.Tags[i].Count || m["name"] != tr.Tags[i].Name {
			t.Errorf("tag %d = %v, want %+v with a numeric count", i, m, tr.Tags[i])
		}
	}
}

func testLastfmSingleEntryListIsABareObject(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InLastfm && len(t.Similar) >= 2 })
	_, body := lfmCall(t, s, url.Values{"method": {"track.getSimilar"}, "artist": {c.Artists[tr.Artist].Name}, "track": {tr.Name}, "limit": {"1"}})
	one := lfmObj(t, lfmObj(t, body["similartracks"], "similartracks")["track"], "similartracks.track")
	if one["name"] != c.Tracks[tr.Similar[0].Track].Name {
		t.Fatalf("bare similar track = %v", one)
	}
}

func testLastfmNotFound(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return !t.InLastfm })
	name := c.Artists[tr.Artist].Name
	args := url.Values{"artist": {name}, "track": {tr.Name}, "autocorrect": {"1"}}
	with := func(method string) url.Values {
		q := url.Values{"method": {method}}
		for k, v := range args {
			q[k] = v
		}
		return q
	}
	status, body := lfmCall(t, s, with("track.getInfo"))
	lfmWantError(t, status, body, 6)
	if body["message"] != "Track not found" {
		t.Errorf("message = %v", body["message"])
	}
	_, body = lfmCall(t, s, with("track.getSimilar"))
	if list, ok := lfmObj(t, body["similartracks"], "similartracks")["track"].([]any); !ok || len(list) != 0 {
		t.Errorf("similar of an unknown track = %v, want []", body)
	}
	_, body = lfmCall(t, s, with("track.getTopTags"))
	if list, ok := lfmObj(t, body["toptags"], "toptags")["tag"].([]any); !ok || len(list) != 0 {
		t.Errorf("top tags of an unknown track = %v, want []", body)
	}
	_, body = lfmCall(t, s, with("track.getCorrection"))
	node := lfmObj(t, lfmObj(t, lfmObj(t, body["corrections"], "corrections")["correction"], "correction")["track"], "track")
	if node["name"] != nil || node["url"] != "" || lfmObj(t, node["artist"], "artist")["url"] != "" {
		t.Errorf("correction of an unknown track = %v", node)
	}
	status, body = lfmCall(t, s, url.Values{"method": {"artist.getTopTags"}, "artist": {"Nobody At All"}})
	lfmWantError(t, status, body, 6)
	if body["message"] != "The artist you supplied could not be found" {
		t.Errorf("message = %v", body["message"])
	}
	status, body = lfmCall(t, s, url.Values{"method": {"artist.getInfo"}, "artist": {"Nobody At All"}})
	lfmWantError(t, status, body, 6)
}

func testLastfmRequestChecks(t *testing.T, s *Server) {
	status, body := lfmCall(t, s, url.Values{"method": {"track.getInfo"}, "api_key": {""}})
	lfmWantError(t, status, body, 10)
	status, body = lfmCall(t, s, url.Values{"method": {"track.getInfo"}, "api_key": {"suspended-key"}})
	lfmWantError(t, status, body, 26)
	status, body = lfmCall(t, s, url.Values{"method": {"track.fly"}})
	lfmWantError(t, status, body, 3)
	status, body = lfmCall(t, s, url.Values{"method": {"track.getInfo"}})
	lfmWantError(t, status, body, 6)

	resp, err := http.Get(s.BaseURL("lastfm") + "?method=track.getInfo&api_key=k&artist=a&track=b")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `<lfm status="failed">`) {
		t.Errorf("without format=json: %s", raw)
	}
}

func testLastfmMethodNamesAndAutocorrect(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InLastfm && t.MBID != "" })
	artist := c.Artists[tr.Artist].Name
	messy := "  " + strings.ToUpper(artist) + "   feat. Somebody Else"
	title := strings.ReplaceAll(tr.Name, " ", "  ") + " (feat. Somebody Else)"

	status, body := lfmCall(t, s, url.Values{"method": {"TRACK.GETINFO"}, "artist": {strings.ToLower(artist)}, "track": {strings.ToUpper(tr.Name)}})
	if status != http.StatusOK || lfmObj(t, body["track"], "track")["name"] != tr.Name {
		t.Fatalf("case-insensitive method and names: %v", body)
	}
	status, body = lfmCall(t, s, url.Values{"method": {"track.getInfo"}, "artist": {messy}, "track": {title}})
	lfmWantError(t, status, body, 6)
	_, body = lfmCall(t, s, url.Values{"method": {"track.getInfo"}, "artist": {messy}, "track": {title}, "autocorrect": {"1"}})
	got := lfmObj(t, body["track"], "track")
	if got["name"] != tr.Name || lfmObj(t, got["artist"], "artist")["name"] != artist {
		t.Fatalf("autocorrect did not give canonical names: %v", body)
	}
	_, body = lfmCall(t, s, url.Values{"method": {"track.getInfo"}, "mbid": {tr.MBID}})
	if lfmObj(t, body["track"], "track")["name"] != tr.Name {
		t.Fatalf("lookup by mbid: %v", body)
	}

	_, body = lfmCall(t, s, url.Values{"method": {"track.getCorrection"}, "artist": {artist}, "track": {tr.Name + " (feat. Somebody Else)"}})
	corr := lfmObj(t, lfmObj(t, body["corrections"], "corrections")["correction"], "correction")
	attr := lfmObj(t, corr["@attr"], "@attr")
	if lfmObj(t, corr["track"], "track")["name"] != tr.Name || attr["trackcorrected"] != "1" || attr["artistcorrected"] != "0" || attr["index"] != "0" {
		t.Fatalf("correction = %v", corr)
	}
}

func testLastfmArtistMethods(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InLastfm })
	a := c.Artists[tr.Artist]
	_, body := lfmCall(t, s, url.Values{"method": {"artist.getInfo"}, "artist": {a.Name}, "username": {"alice"}})
	info := lfmObj(t, body["artist"], "artist")
	stats := lfmObj(t, info["stats"], "stats")
	if stats["listeners"] != strconv.FormatInt(a.Listeners, 10) || stats["playcount"] != strconv.FormatInt(a.Playcount, 10) {
		t.Errorf("stats = %v, want string figures %d/%d", stats, a.Listeners, a.Playcount)
	}
	if _, ok := stats["userplaycount"].(string); !ok {
		t.Errorf("userplaycount missing with username: %v", stats)
	}
	if info["streamable"] != "0" || (info["ontour"] != "0" && info["ontour"] != "1") {
		t.Errorf("flags = %v %v", info["streamable"], info["ontour"])
	}
	images := info["image"].([]any)
	if last := lfmObj(t, images[len(images)-1], "image"); last["size"] != "" {
		t.Errorf("last image size = %v, want \"\"", last["size"])
	}
	bio := lfmObj(t, info["bio"], "bio")
	link := lfmObj(t, lfmObj(t, bio["links"], "links")["link"], "link")
	if link["rel"] != "original" || link["#text"] != "" {
		t.Errorf("bio link = %v", link)
	}
	_, body = lfmCall(t, s, url.Values{"method": {"artist.getTopTags"}, "artist": {a.Name}})
	top := lfmObj(t, body["toptags"], "toptags")
	tags := top["tag"].([]any)
	if first := lfmObj(t, tags[0], "tag"); first["count"] != float64(100) {
		t.Errorf("top artist tag = %v, want count 100", first)
	}
	if lfmObj(t, top["@attr"], "@attr")["artist"] != a.Name {
		t.Errorf("@attr = %v", top["@attr"])
	}
}

func testLastfmFaultShapes(t *testing.T, s *Server) {
	q := url.Values{"method": {"track.getInfo"}, "artist": {"x"}, "track": {"y"}}
	if err := s.AddFault(Fault{API: "lastfm", Kind: FaultError200, Count: 1}); err != nil {
		t.Fatal(err)
	}
	status, body := lfmCall(t, s, q)
	lfmWantError(t, status, body, 8)
	if err := s.AddFault(Fault{API: "lastfm", Kind: FaultError200, Code: 29, Path: "track.getinfo", Count: 1}); err != nil {
		t.Fatal(err)
	}
	status, body = lfmCall(t, s, q)
	lfmWantError(t, status, body, 29)
	if err := s.AddFault(Fault{API: "lastfm", Kind: Fault429, RetryAfter: 3, Count: 1}); err != nil {
		t.Fatal(err)
	}
	q2 := url.Values{"format": {"json"}, "api_key": {"k"}, "method": {"track.getInfo"}}
	resp, err := http.Get(s.BaseURL("lastfm") + "?" + q2.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var e lastfmError
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" || e.Error != 29 {
		t.Fatalf("429 fault: status %d, Retry-After %q, body %+v", resp.StatusCode, resp.Header.Get("Retry-After"), e)
	}
}

// TestLastfmWire checks the Last.fm projection on the wire: shapes,
// typing, misses, request checks, autocorrect and fault rendering.
// Cases share one simulator (a catalog build per case would dominate the
// run); the ones that change its state (faults, quota) run last and undo
// what they set.
func TestLastfmWire(t *testing.T) {
	t.Parallel()
	s := lfmServer(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *Server)
	}{
		{"TrackGetInfoShape", testLastfmTrackGetInfoShape},
		{"UnknownDurationIsStringZero", testLastfmUnknownDurationIsStringZero},
		{"SimilarAndTopTagsAreNumbers", testLastfmSimilarAndTopTagsAreNumbers},
		{"SingleEntryListIsABareObject", testLastfmSingleEntryListIsABareObject},
		{"NotFound", testLastfmNotFound},
		{"RequestChecks", testLastfmRequestChecks},
		{"MethodNamesAndAutocorrect", testLastfmMethodNamesAndAutocorrect},
		{"ArtistMethods", testLastfmArtistMethods},
		{"FaultShapes", testLastfmFaultShapes},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, s) })
	}
}
