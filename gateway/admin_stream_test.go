package gateway_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"dj/internal/dashboard"
	"dj/internal/djtest"
)

const adminStreamPath = "/api/admin/metrics/stream"

func TestAdminStreamDoesNotExistWithoutAToken(t *testing.T) {
	env := djtest.Start(t)
	resp := env.Do("GET", adminStreamPath, obsAdminToken, nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("without DJ_ADMIN_TOKEN: status %d %q %s, want a 404 problem", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	doc := env.Do("GET", "/api/openapi.json", "", nil)
	raw, _ := io.ReadAll(doc.Body)
	doc.Body.Close()
	if strings.Contains(string(raw), adminStreamPath) {
		t.Fatal("the OpenAPI document lists the admin stream although it is off")
	}
}

func TestAdminStreamRefusesAnythingButTheAdminToken(t *testing.T) {
	env := djtest.Start(t, djtest.AdminToken(obsAdminToken))
	session := env.Login("alice")
	for _, auth := range []string{
		"",
		"Bearer",
		"Bearer wrong-token",
		"Bearer " + obsAdminToken + "x",
		"Bearer " + obsAdminToken[:len(obsAdminToken)-1],
		"Bearer " + session, // a user's session is not an admin
		"Basic " + obsAdminToken,
		obsAdminToken,
	} {
		s := obsOpen(t, env, "GET", adminStreamPath, auth, nil)
		body, _ := io.ReadAll(s.resp.Body)
		s.close()
		if s.resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("auth %q: status %d, want 401: %s", auth, s.resp.StatusCode, body)
			continue
		}
		if got := s.resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="dj-admin"` {
			t.Errorf("auth %q: WWW-Authenticate %q", auth, got)
		}
		if strings.Contains(string(body), obsAdminToken) {
			t.Errorf("auth %q: the answer echoes the token: %s", auth, body)
		}
	}
	if n := obsScrape(t, env).get("dj_sse_streams_open", map[string]string{"stream": "admin-metrics"}); n != 0 {
		t.Fatalf("refused requests opened %v admin streams", n)
	}
}

func TestAdminStreamSendsASnapshotEverySecondAndCleansUp(t *testing.T) {
	env := djtest.Start(t, djtest.AdminToken(obsAdminToken))
	s := obsOpen(t, env, "GET", adminStreamPath, "Bearer "+obsAdminToken, nil)
	if s.resp.StatusCode != http.StatusOK || s.resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, content type %q", s.resp.StatusCode, s.resp.Header.Get("Content-Type"))
	}
	var snaps []dashboard.Snapshot
	var arrived []time.Time
	for range 3 {
		f := s.event(t, 3*time.Second)
		if f.Event != "snapshot" {
			t.Fatalf("event %q, want snapshot: %s", f.Event, f.Data)
		}
		var snap dashboard.Snapshot
		if err := json.Unmarshal([]byte(f.Data), &snap); err != nil {
			t.Fatalf("snapshot JSON: %v: %s", err, f.Data)
		}
		snaps = append(snaps, snap)
		arrived = append(arrived, time.Now())
	}
	if snaps[0].IntervalSeconds != 0 {
		t.Errorf("first snapshot interval %v, want 0", snaps[0].IntervalSeconds)
	}
	for i := 1; i < len(snaps); i++ {
		if iv := snaps[i].IntervalSeconds; iv < 0.8 || iv > 1.5 {
			t.Errorf("snapshot %d interval %.3f s, want about 1 s", i, iv)
		}
		if gap := arrived[i].Sub(arrived[i-1]); gap < 700*time.Millisecond || gap > 1600*time.Millisecond {
			t.Errorf("snapshot %d came %s after the previous one, want about 1 s", i, gap)
		}
	}
	last := snaps[len(snaps)-1]
	if last.Window.Limit != 40 {
		t.Errorf("window limit %d, want 40", last.Window.Limit)
	}
	caps := map[string]int{}
	for _, l := range last.Lanes {
		caps[l.Lane] = l.Cap
		if l.Breaker != "closed" || l.InFlight > l.Cap {
			t.Errorf("lane %+v", l)
		}
	}
	if fmt.Sprint(caps) != "map[anthropic:2 deezer:10 lastfm:10 spotify:5]" {
		t.Errorf("lane caps %v", caps)
	}
	kinds := map[string]dashboard.ActorKind{}
	for _, a := range last.Actors {
		kinds[a.Kind] = a
	}
	if kinds["ticker"].Alive != 1 || kinds["stream"].Alive < 1 || kinds["lane"].Alive != 4 {
		t.Errorf("actors by kind: %+v", last.Actors)
	}
	if kinds["stream"].MessagesPerSecond <= 0 || kinds["stream"].P99Seconds == nil {
		t.Errorf("the stream writer handled this stream's frames, yet: %+v", kinds["stream"])
	}
	var open int
	for _, st := range last.Streams {
		if st.Stream == "admin-metrics" {
			open = st.Open
		}
	}
	if open != 1 {
		t.Errorf("admin-metrics streams open %d, want 1: %+v", open, last.Streams)
	}
	if last.Runtime.Goroutines <= 0 || last.Runtime.HeapBytes <= 0 {
		t.Errorf("runtime %+v", last.Runtime)
	}

	s.close()
	obsWaitUntil(t, 2*time.Second, "the writer and its ticker stop once the client leaves", func() (bool, string) {
		f := obsScrape(t, env)
		open := f.get("dj_sse_streams_open", map[string]string{"stream": "admin-metrics"})
		ticker := f.get("dj_actors_alive", map[string]string{"kind": "ticker"})
		return open == 0 && ticker == 0, fmt.Sprintf("streams open %v, tickers %v", open, ticker)
	})
}
