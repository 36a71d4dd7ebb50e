package sim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"dj/upstream/sim"
)

// winServer starts a simulator whose Last.fm and Deezer answers all
// take exactly hold (median = p99 gives a fixed delay).
func winServer(t *testing.T, hold time.Duration) *sim.Server {
	t.Helper()
	fixed := sim.Latency{Median: hold, P99: hold}
	s, err := sim.New(sim.Config{
		Catalog: sim.CatalogConfig{Tracks: 1500, Artists: 200},
		Latency: map[string]sim.Latency{"lastfm": fixed, "deezer": fixed},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func winStats(t *testing.T, s *sim.Server) sim.Stats {
	t.Helper()
	var st sim.Stats
	winControl(t, http.MethodGet, s.URL()+"/_sim/stats", "", http.StatusOK, &st)
	return st
}

// winControl makes one /_sim call, checks its status and decodes the
// answer into out (when out is not nil).
func winControl(t *testing.T, method, u, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, u, resp.StatusCode, wantStatus, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, u, raw, err)
		}
	}
}

// TestWindowFigureForAKnownBurst fires 57 concurrent requests (30 at
// Deezer, 27 at Last.fm) that each take 800 ms upstream, so all of them
// start inside one second and are in flight together; it then checks
// what /_sim/stats reports and that /_sim/reset zeroes it.
func TestWindowFigureForAKnownBurst(t *testing.T) {
	const nDeezer, nLastfm = 30, 27
	s := winServer(t, 800*time.Millisecond)
	c := s.Catalog()
	var urls []string
	for i := 0; len(urls) < nDeezer; i++ {
		if tr := c.Tracks[i]; tr.InDeezer {
			urls = append(urls, s.BaseURL("deezer")+"track/isrc:"+tr.ISRC)
		}
	}
	for i := 0; len(urls) < nDeezer+nLastfm; i++ {
		tr := c.Tracks[i]
		if !tr.InLastfm {
			continue
		}
		q := url.Values{"method": {"track.getInfo"}, "api_key": {"k"}, "format": {"json"}, "artist": {c.Artists[tr.Artist].Name}, "track": {tr.Name}}
		urls = append(urls, s.BaseURL("lastfm")+"?"+q.Encode())
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	errs := make(chan error, len(urls))
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			resp, err := client.Get(u)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			// Reading to EOF means the handler (and its accounting) has
			// returned before the stats are read below.
			raw, err := io.ReadAll(resp.Body)
			var body map[string]any
			if err == nil {
				err = json.Unmarshal(raw, &body)
			}
			if err != nil || resp.StatusCode != http.StatusOK || body["error"] != nil {
				errs <- fmt.Errorf("GET %s: status %d, err %v, body %.100s", u, resp.StatusCode, err, raw)
			}
		})
	}

	// The barrier: every request is held 800 ms upstream, so polling sees
	// them all in flight at once; that makes the in-flight maxima exact.
	deadline := time.Now().Add(700 * time.Millisecond)
	for {
		st := winStats(t, s)
		if st.APIs["deezer"].InFlight == nDeezer && st.APIs["lastfm"].InFlight == nLastfm {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never saw all %d requests in flight together: %+v", nDeezer+nLastfm, st.APIs)
		}
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	st := winStats(t, s)
	if st.TotalRequests != nDeezer+nLastfm || st.MaxRequestsInAny1sWindow != nDeezer+nLastfm {
		t.Fatalf("total %d, max in any 1 s window %d; want %d and %d", st.TotalRequests, st.MaxRequestsInAny1sWindow, nDeezer+nLastfm, nDeezer+nLastfm)
	}
	for api, want := range map[string]int64{"deezer": nDeezer, "lastfm": nLastfm} {
		got := st.APIs[api]
		if got.Requests != want || got.MaxInFlight != want || got.InFlight != 0 || got.Faults != 0 {
			t.Errorf("%s: %+v, want %d requests, max in flight %d, none left, no faults", api, got, want, want)
		}
	}
	if st.FirstRequestAt == nil || st.LastRequestAt == nil || st.LastRequestAt.Sub(*st.FirstRequestAt) >= time.Second {
		t.Errorf("burst bounds %v – %v", st.FirstRequestAt, st.LastRequestAt)
	}

	var after sim.Stats
	winControl(t, http.MethodPost, s.URL()+"/_sim/reset", "", http.StatusOK, &after)
	for _, st := range []sim.Stats{after, winStats(t, s)} {
		if st.TotalRequests != 0 || st.MaxRequestsInAny1sWindow != 0 || st.WindowRequests != 0 || st.FirstRequestAt != nil {
			t.Fatalf("after reset: %+v", st)
		}
		for api, a := range st.APIs {
			if a != (sim.APIStats{}) {
				t.Errorf("after reset %s = %+v, want zero", api, a)
			}
		}
	}
}

// TestFaultControlRoundTrip drives /_sim/faults over HTTP: add rules,
// list them, watch one fire, clear them.
func TestFaultControlRoundTrip(t *testing.T) {
	t.Parallel()
	s := winServer(t, 0)
	var list []sim.Fault
	winControl(t, http.MethodPost, s.URL()+"/_sim/faults",
		`[{"api":"lastfm","path":"track.getInfo","kind":"error200","code":29,"count":2},{"api":"deezer","kind":"503"}]`,
		http.StatusOK, &list)
	if len(list) != 2 || list[0].Code != 29 || list[0].Hits != 0 || list[1].Kind != sim.Fault503 {
		t.Fatalf("after POST: %+v", list)
	}
	winControl(t, http.MethodPost, s.URL()+"/_sim/faults", `{"api":"nowhere","kind":"500"}`, http.StatusBadRequest, nil)

	q := url.Values{"method": {"track.getinfo"}, "api_key": {"k"}, "format": {"json"}, "artist": {"a"}, "track": {"b"}}
	var body struct {
		Error int `json:"error"`
	}
	winControl(t, http.MethodGet, s.BaseURL("lastfm")+"?"+q.Encode(), "", http.StatusOK, &body)
	if body.Error != 29 {
		t.Fatalf("fault did not fire: error %d", body.Error)
	}
	winControl(t, http.MethodGet, s.BaseURL("deezer")+"track/1", "", http.StatusServiceUnavailable, nil)

	winControl(t, http.MethodGet, s.URL()+"/_sim/faults", "", http.StatusOK, &list)
	if len(list) != 2 || list[0].Hits != 1 || list[1].Hits != 1 {
		t.Fatalf("after firing: %+v", list)
	}
	if st := winStats(t, s); st.APIs["lastfm"].Faults != 1 || st.APIs["deezer"].Faults != 1 {
		t.Errorf("faults injected: %+v", st.APIs)
	}
	winControl(t, http.MethodDelete, s.URL()+"/_sim/faults", "", http.StatusNoContent, nil)
	winControl(t, http.MethodGet, s.URL()+"/_sim/faults", "", http.StatusOK, &list)
	if len(list) != 0 {
		t.Fatalf("after DELETE: %+v", list)
	}
	winControl(t, http.MethodGet, s.BaseURL("deezer")+"track/1", "", http.StatusOK, nil)
}
