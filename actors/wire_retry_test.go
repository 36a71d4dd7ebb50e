package actors

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// resetSecondRequest is a server that answers the first request on each
// connection and resets the connection on the second, after reading it:
// the far end has seen the request, the client gets no answer, and
// net/http sends it again on a new connection by itself.
type resetSecondRequest struct {
	mu       sync.Mutex
	perConn  map[string]int
	requests int
}

func (s *resetSecondRequest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.perConn[r.RemoteAddr]++
	n := s.perConn[r.RemoteAddr]
	s.mu.Unlock()
	if n < 2 {
		_, _ = io.WriteString(w, "{}")
		return
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.(*net.TCPConn).SetLinger(0)
	_ = conn.Close()
}

// TestTransportRetryTakesItsOwnGrant: when net/http re-sends a request
// the far end already counted, the limiter must count it too, or a burst
// of resets lets more than RatePerSecond starts into one second.
func TestTransportRetryTakesItsOwnGrant(t *testing.T) {
	ts := newTestSystem(t, Config{})
	far := &resetSecondRequest{perConn: map[string]int{}}
	srv := httptest.NewServer(far)
	t.Cleanup(srv.Close)
	client := newHTTPClient(t)
	get := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	ctx := context.Background()
	require.NoError(t, ts.Do(ctx, LaneDeezer, "first", get))  // opens a kept-alive connection
	require.NoError(t, ts.Do(ctx, LaneDeezer, "second", get)) // reset on it, re-sent on a new one
	far.mu.Lock()
	requests := far.requests
	far.mu.Unlock()
	require.Equal(t, 3, requests, "the far end saw the reset request and its re-send")
	require.Len(t, ts.rec.waitFor(t, "rate", "stamped", 3), 3, "every request on the wire had a grant")
	require.Equal(t, 3, ts.status(t).Rate.InWindow)
}
