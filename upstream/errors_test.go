package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A transport failure's text is logged; it must not carry the request's
// query (Last.fm's api_key, a listener's search) or user info.
func TestTransportErrorDropsTheQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	target := strings.Replace(srv.URL, "http://", "http://user:pw@", 1) + "/2.0/?api_key=SECRETKEY&track=my+search#frag"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	_, err := http.DefaultClient.Do(req)
	if err == nil {
		t.Fatal("want a timeout")
	}
	got := TransportError("lastfm", "track.getInfo", err)
	text := got.Error()
	for _, secret := range []string{"SECRETKEY", "api_key", "my+search", "pw@", "frag"} {
		if strings.Contains(text, secret) {
			t.Fatalf("error text shows %q: %s", secret, text)
		}
	}
	if !strings.Contains(text, srv.URL[len("http://"):]+"/2.0/") {
		t.Fatalf("error text lost the host and path: %s", text)
	}
	if !errors.Is(got, context.DeadlineExceeded) || !errors.Is(got, ErrUnavailable) {
		t.Fatalf("error chain lost its causes: %v", got)
	}
	var ne interface{ Timeout() bool }
	if !errors.As(got, &ne) || !ne.Timeout() {
		t.Fatalf("the url.Error no longer reports a timeout: %v", got)
	}
	if plain := errors.New("x"); TransportError("a", "b", plain).Err != plain {
		t.Fatal("errors that are not url.Errors are kept as they are")
	}
}
