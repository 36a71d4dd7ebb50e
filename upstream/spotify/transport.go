package spotify

import (
	"context"
	"net/http"
)

// probe records the last response an operation received. The SDK hides
// the status and headers behind its own error type (and drops
// Retry-After entirely), so the transport writes them here for the
// error mapping to read.
type probe struct {
	status int
	header http.Header
}

type probeKey struct{}

// withProbe attaches a fresh probe to ctx.
func withProbe(ctx context.Context) (context.Context, *probe) {
	p := &probe{}
	return context.WithValue(ctx, probeKey{}, p), p
}

// transport adds the user's bearer token and fills the request's probe.
// It never retries. (net/http itself replays an idempotent GET once when
// a reused keep-alive connection dies before any answer: its guard
// against the idle-connection race. Commands and POSTs are never
// replayed.)
type transport struct {
	base  http.RoundTripper
	token string
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.token != "" {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	resp, err := t.base.RoundTrip(req)
	if p, ok := req.Context().Value(probeKey{}).(*probe); ok && resp != nil {
		p.status = resp.StatusCode
		p.header = http.Header{"Retry-After": resp.Header.Values("Retry-After")}
	}
	return resp, err
}
