package actors

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"dj/internal/leakcheck"
	"dj/mix"
	"dj/store"
	"dj/upstream/deezer"
	"dj/upstream/lastfm"
	"dj/upstream/sim"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// fastLatency keeps the enrichment tests quick while requests still
// overlap on the wire.
var fastLatency = map[string]sim.Latency{
	"deezer": {Median: 5 * time.Millisecond, P99: 20 * time.Millisecond},
	"lastfm": {Median: 5 * time.Millisecond, P99: 20 * time.Millisecond},
}

// enrichOpts sets up an enrichEnv; zero values are the production
// settings with fastLatency and a 400-track catalog.
type enrichOpts struct {
	sys      Config
	cfg      enrichConfig
	latency  map[string]sim.Latency
	faults   []sim.Fault
	catalog  sim.CatalogConfig
	missTTL  time.Duration
	noLastfm bool
}

// enrichEnv is an Enricher on real parts: the simulator on loopback, a
// Badger store in a temporary directory and a real System.
type enrichEnv struct {
	srv    *sim.Server
	ts     *testSystem
	st     *store.Store
	e      *Enricher
	client *http.Client
}

// newEnrichEnv builds the parts and tears them down (system, store,
// simulator) when the test ends, then checks that no goroutine is left.
func newEnrichEnv(t *testing.T, o enrichOpts) *enrichEnv {
	t.Helper()
	leakOpts := append(leakcheck.Known(), goleak.IgnoreCurrent())
	t.Cleanup(func() { goleak.VerifyNone(t, leakOpts...) })

	if o.latency == nil {
		o.latency = fastLatency
	}
	if o.catalog.Tracks == 0 {
		o.catalog = sim.CatalogConfig{Tracks: 400, Artists: 60}
	}
	srv, err := sim.New(sim.Config{Seed: 7, Catalog: o.catalog, Latency: o.latency, Faults: o.faults})
	require.NoError(t, err)
	require.NoError(t, srv.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = srv.Close() })

	st, err := store.Open(store.Config{Dir: t.TempDir(), FeatureMissTTL: o.missTTL,
		Logger: slog.New(slog.DiscardHandler)}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })

	client := newHTTPClient(t)
	ts := newTestSystem(t, o.sys)
	dz, err := deezer.New(deezer.Config{BaseURL: srv.BaseURL("deezer"), HTTPClient: client})
	require.NoError(t, err)
	ups := Upstreams{Deezer: dz}
	if !o.noLastfm {
		ups.Lastfm, err = lastfm.New(lastfm.Config{BaseURL: srv.BaseURL("lastfm"), APIKey: "test-key", HTTPClient: client})
		require.NoError(t, err)
	}
	e, err := newEnricher(Deps{System: ts.System, Store: st, Upstreams: ups}, o.cfg)
	require.NoError(t, err)
	ts.reg.MustRegister(e.Collector())
	return &enrichEnv{srv: srv, ts: ts, st: st, e: e, client: client}
}

// ref is the TrackRef the session code would build for a catalog track.
func (env *enrichEnv) ref(tr *sim.Track) TrackRef {
	cat := env.srv.Catalog()
	return TrackRef{ID: tr.ID, ISRC: tr.ISRC, Artist: cat.Artists[tr.Artist].Name, Name: tr.Name, DurationMs: tr.DurationMs}
}

// pick returns up to n catalog tracks that keep accepts, in catalog order.
func (env *enrichEnv) pick(n int, keep func(*sim.Track) bool) []*sim.Track {
	var out []*sim.Track
	cat := env.srv.Catalog()
	for i := range cat.Tracks {
		if len(out) == n {
			break
		}
		if keep == nil || keep(&cat.Tracks[i]) {
			out = append(out, &cat.Tracks[i])
		}
	}
	return out
}

func (env *enrichEnv) pickOne(t *testing.T, keep func(*sim.Track) bool) *sim.Track {
	t.Helper()
	got := env.pick(1, keep)
	require.Len(t, got, 1, "no catalog track fits")
	return got[0]
}

// stats reads the simulator's wire accounting over HTTP (/_sim/stats).
func (env *enrichEnv) stats(t *testing.T) sim.Stats {
	t.Helper()
	return fetchStats(t, env.client, env.srv.URL())
}

// calls is how many requests reached api since the last reset.
func (env *enrichEnv) calls(t *testing.T, api string) int64 {
	t.Helper()
	return env.stats(t).APIs[api].Requests
}

// cacheState reads the track's entry straight from the store.
func (env *enrichEnv) cacheState(t *testing.T, id string) store.Lookup {
	t.Helper()
	_, l, err := store.Features[*featuresRecord](env.st).Get(context.Background(), enrichKey(id))
	require.NoError(t, err)
	return l
}

// enrichAll runs Enrich and collects the results by track id.
func (env *enrichEnv) enrichAll(t *testing.T, ctx context.Context, refs []TrackRef) map[string]mix.Features {
	t.Helper()
	got := map[string]mix.Features{}
	require.NoError(t, env.e.Enrich(ctx, refs, func(id string, f mix.Features) { got[id] = f }))
	return got
}

// eventually polls cond every 10 ms until it holds or 5 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 10*time.Millisecond, what)
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func refsOf(env *enrichEnv, tracks []*sim.Track) []TrackRef {
	out := make([]TrackRef, len(tracks))
	for i, tr := range tracks {
		out[i] = env.ref(tr)
	}
	return out
}
