package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// dzGet fetches path under the Deezer prefix and decodes the body; every
// Deezer answer, errors included, must be HTTP 200.
func dzGet(t *testing.T, s *Server, path string) map[string]any {
	t.Helper()
	resp, err := http.Get(s.BaseURL("deezer") + strings.TrimPrefix(path, "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", path, resp.StatusCode)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: decode: %v", path, err)
	}
	return body
}

// dzWantCode checks a Deezer error object.
func dzWantCode(t *testing.T, body map[string]any, code int, typ string) {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok || e["code"] != float64(code) || e["type"] != typ || e["message"] == "" {
		t.Fatalf("want error %d %s, got %v", code, typ, body)
	}
}

func testDeezerFullTrackShape(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InDeezer && t.DeezerBPMKnown && t.DeezerAltID == 0 })
	body := dzGet(t, s, fmt.Sprintf("track/%d", tr.DeezerID))
	for field, want := range map[string]any{
		"id":             float64(tr.DeezerID),
		"title":          tr.Name,
		"isrc":           tr.ISRC,
		"bpm":            tr.BPM,
		"gain":           tr.Gain,
		"rank":           float64(tr.Rank),
		"release_date":   c.Albums[tr.Album].ReleaseDate,
		"track_position": float64(tr.TrackNumber),
		"type":           "track",
	} {
		if body[field] != want {
			t.Errorf("%s = %#v, want %#v", field, body[field], want)
		}
	}
	if d := body["duration"].(float64); math.Abs(d-math.Round(float64(tr.DurationMs)/1000)) > 1 {
		t.Errorf("duration %v s is not the Spotify length %d ms ± 1 s", d, tr.DurationMs)
	}
	for _, f := range []string{"contributors", "available_countries", "preview", "md5_image", "share"} {
		if body[f] == nil {
			t.Errorf("full track lacks %s", f)
		}
	}
	if !strings.Contains(body["preview"].(string), "exp=") {
		t.Errorf("preview %v is not signed", body["preview"])
	}
	artist := lfmObj(t, body["artist"], "artist")
	album := lfmObj(t, body["album"], "album")
	if artist["name"] != c.Artists[tr.Artist].Name || album["title"] != c.Albums[tr.Album].Name || album["release_date"] == nil {
		t.Errorf("artist %v album %v", artist, album)
	}

	unknown := lfmPick(t, c, func(t *Track) bool { return t.InDeezer && !t.DeezerBPMKnown })
	if bpm := dzGet(t, s, fmt.Sprintf("track/%d", unknown.DeezerID))["bpm"]; bpm != float64(0) {
		t.Errorf("bpm where Deezer does not know it = %v, want 0", bpm)
	}
}

func testDeezerISRCLookup(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InDeezer && t.DeezerAltID == 0 })
	if got := dzGet(t, s, "track/isrc:"+strings.ToLower(tr.ISRC)); got["id"] != float64(tr.DeezerID) {
		t.Fatalf("lower-case ISRC lookup = %v", got)
	}
	dashed := tr.ISRC[:2] + "-" + tr.ISRC[2:5] + "-" + tr.ISRC[5:7] + "-" + tr.ISRC[7:]
	dzWantCode(t, dzGet(t, s, "track/isrc:"+dashed), 800, "DataException")
	dzWantCode(t, dzGet(t, s, "track/isrc:ZZZZZ0000000"), 800, "DataException")
	dzWantCode(t, dzGet(t, s, "track/0"), 800, "DataException")
	dzWantCode(t, dzGet(t, s, "track/abc"), 800, "DataException")

	missing := lfmPick(t, c, func(t *Track) bool { return !t.InDeezer })
	dzWantCode(t, dzGet(t, s, "track/isrc:"+missing.ISRC), 800, "DataException")
	if got := dzGet(t, s, "search?q=isrc:"+missing.ISRC); got["total"] != float64(0) || len(got["data"].([]any)) != 0 {
		t.Fatalf("search for a track Deezer lacks = %v", got)
	}
	name := url.QueryEscape(fmt.Sprintf(`artist:"%s" track:"%s"`, c.Artists[missing.Artist].Name, missing.Name))
	for _, item := range dzGet(t, s, "search?q="+name)["data"].([]any) {
		if lfmObj(t, item, "item")["isrc"] == missing.ISRC {
			t.Fatalf("search by name found a track Deezer lacks: %v", item)
		}
	}
}

func testDeezerDuplicateISRCEditions(t *testing.T, s *Server) {
	c := s.Catalog()
	sawAlt, sawOriginal := false, false
	for i := range c.Tracks {
		tr := &c.Tracks[i]
		if !tr.InDeezer || tr.DeezerAltID == 0 {
			continue
		}
		found := dzGet(t, s, "search?q=isrc:"+tr.ISRC)
		data := found["data"].([]any)
		if len(data) != 2 || found["total"] != float64(2) {
			t.Fatalf("search isrc:%s = %v, want both editions", tr.ISRC, found)
		}
		first, second := lfmObj(t, data[0], "first"), lfmObj(t, data[1], "second")
		if first["id"] != float64(tr.DeezerID) || second["id"] != float64(tr.DeezerAltID) {
			t.Fatalf("editions %v, %v: want the original ranked first", first["id"], second["id"])
		}
		if second["title"] != tr.Name+" (Remastered)" || second["isrc"] != tr.ISRC || second["duration"] == first["duration"] {
			t.Fatalf("remaster edition = %v", second)
		}
		byISRC := dzGet(t, s, "track/isrc:"+tr.ISRC)["id"]
		if again := dzGet(t, s, "track/isrc:"+tr.ISRC)["id"]; again != byISRC {
			t.Fatalf("/track/isrc: is not deterministic: %v then %v", byISRC, again)
		}
		switch byISRC {
		case float64(tr.DeezerAltID):
			sawAlt = true
		case float64(tr.DeezerID):
			sawOriginal = true
		default:
			t.Fatalf("/track/isrc: gave %v, neither edition", byISRC)
		}
		alt := dzGet(t, s, fmt.Sprintf("track/%d", tr.DeezerAltID))
		if alt["bpm"] != dzGet(t, s, fmt.Sprintf("track/%d", tr.DeezerID))["bpm"] || alt["title_version"] != "(Remastered)" {
			t.Fatalf("remaster full track = %v", alt)
		}
	}
	if !sawAlt || !sawOriginal {
		t.Fatalf("want /track/isrc: to pick the remaster for some ISRCs and the original for others (alt %v, original %v)", sawAlt, sawOriginal)
	}
}

func testDeezerSearch(t *testing.T, s *Server) {
	c := s.Catalog()
	tr := lfmPick(t, c, func(t *Track) bool { return t.InDeezer })
	q := url.QueryEscape(fmt.Sprintf(`artist:"%s" track:"%s"`, c.Artists[tr.Artist].Name, tr.Name))
	got := dzGet(t, s, "search/track?q="+q)
	data := got["data"].([]any)
	if len(data) == 0 || lfmObj(t, data[0], "item")["id"] != float64(tr.DeezerID) {
		t.Fatalf("advanced search = %v", got)
	}
	item := lfmObj(t, data[0], "item")
	for _, absent := range []string{"bpm", "gain", "release_date", "contributors", "available_countries"} {
		if _, ok := item[absent]; ok {
			t.Errorf("search item has %s", absent)
		}
	}
	for _, present := range []string{"isrc", "duration", "rank", "preview", "md5_image"} {
		if _, ok := item[present]; !ok {
			t.Errorf("search item lacks %s", present)
		}
	}
	free := url.QueryEscape(strings.ToLower(c.Artists[tr.Artist].Name + " " + tr.Name))
	if data := dzGet(t, s, "search?q="+free)["data"].([]any); len(data) == 0 {
		t.Errorf("free-text search for %q found nothing", free)
	}

	dzWantCode(t, dzGet(t, s, "search"), 501, "MissingParameterException")
	dzWantCode(t, dzGet(t, s, "search?q="), 500, "ParameterException")
	dzWantCode(t, dzGet(t, s, "nope/x"), 600, "InvalidQueryException")
}

func testDeezerSearchPaging(t *testing.T, s *Server) {
	page := dzGet(t, s, "search?q=the&limit=250")
	total := int(page["total"].(float64))
	if total <= 100 {
		t.Fatalf("want a broad query with more than 100 hits, got %d", total)
	}
	if n := len(page["data"].([]any)); n != 100 {
		t.Fatalf("limit 250 gave %d items, want 100 (clamped)", n)
	}
	next, _ := page["next"].(string)
	u, err := url.Parse(next)
	if err != nil || !u.IsAbs() || u.Query().Get("index") != "100" {
		t.Fatalf("next = %q, want an absolute URL with index=100", next)
	}
	if _, ok := page["prev"]; ok {
		t.Errorf("first page has prev")
	}
	seen := map[any]bool{}
	for _, it := range page["data"].([]any) {
		seen[lfmObj(t, it, "item")["id"]] = true
	}
	for next != "" {
		resp, err := http.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if _, ok := p["prev"].(string); !ok {
			t.Fatalf("later page lacks prev: %v", p["prev"])
		}
		for _, it := range p["data"].([]any) {
			id := lfmObj(t, it, "item")["id"]
			if seen[id] {
				t.Fatalf("id %v on two pages", id)
			}
			seen[id] = true
		}
		next, _ = p["next"].(string)
	}
	if len(seen) != total {
		t.Fatalf("pages held %d items, total said %d", len(seen), total)
	}
	if got := dzGet(t, s, "search?q=zzzqqqxxx"); got["total"] != float64(0) || len(got["data"].([]any)) != 0 || got["next"] != nil {
		t.Fatalf("no match = %v, want empty data and no next", got)
	}
}

func testDeezerFaultShapes(t *testing.T, s *Server) {
	if err := s.AddFault(Fault{API: "deezer", Kind: FaultError200, Count: 1}); err != nil {
		t.Fatal(err)
	}
	dzWantCode(t, dzGet(t, s, "track/1"), 4, "Exception")
	if err := s.AddFault(Fault{API: "deezer", Kind: FaultError200, Code: 700, Path: "/track/", Count: 1}); err != nil {
		t.Fatal(err)
	}
	dzWantCode(t, dzGet(t, s, "track/1"), 700, "Exception")
	if err := s.AddFault(Fault{API: "deezer", Kind: FaultError200, Code: -1, Count: 1}); err != nil {
		t.Fatal(err)
	}
	e := lfmObj(t, dzGet(t, s, "track/1")["error"], "error")
	if _, ok := e["code"]; ok || e["message"] == "" {
		t.Fatalf("code-less variant = %v", e)
	}
}

func testDeezerQuota(t *testing.T, s *Server) {
	set := func(body string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, s.URL()+"/_sim/deezer/quota", bytes.NewBufferString(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT quota: %d", resp.StatusCode)
		}
	}
	for i := 1; i <= 60; i++ { // off by default: nothing is refused
		if b := dzGet(t, s, fmt.Sprintf("track/%d", i)); lfmObj(t, b["error"], "error")["code"] != float64(800) {
			t.Fatalf("quota off, request %d refused: %v", i, b)
		}
	}
	set(`{"enabled": true}`)
	for i := 1; i <= 50; i++ {
		dzWantCode(t, dzGet(t, s, fmt.Sprintf("track/%d", i)), 800, "DataException")
	}
	dzWantCode(t, dzGet(t, s, "track/51"), 4, "Exception")
	dzWantCode(t, dzGet(t, s, "track/7"), 800, "DataException") // a repeated URL is served from cache
	set(`{"enabled": false}`)
	dzWantCode(t, dzGet(t, s, "track/52"), 800, "DataException")
}

// TestDeezerWire checks the Deezer projection on the wire: shapes, ISRC
// lookups, editions, search, paging, fault rendering and the quota model.
// Cases share one simulator (a catalog build per case would dominate the
// run); the ones that change its state (faults, quota) run last and undo
// what they set.
func TestDeezerWire(t *testing.T) {
	t.Parallel()
	s := lfmServer(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *Server)
	}{
		{"FullTrackShape", testDeezerFullTrackShape},
		{"ISRCLookup", testDeezerISRCLookup},
		{"DuplicateISRCEditions", testDeezerDuplicateISRCEditions},
		{"Search", testDeezerSearch},
		{"SearchPaging", testDeezerSearchPaging},
		{"FaultShapes", testDeezerFaultShapes},
		{"Quota", testDeezerQuota},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, s) })
	}
}
