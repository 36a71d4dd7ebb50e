//go:build cluster

package clustertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"dj/actors"
	"dj/internal/redistest"
	"dj/mix"
	"dj/store"
	"dj/upstream/sim"
	"dj/upstream/spotify"

	clustertestprovider "github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// options shape one test cluster.
type options struct {
	nodes       int
	idle        time.Duration // session passivation; 0: the production 10 min
	automanaged bool          // automanaged provider over loopback HTTP (else the in-memory test provider)
	proxied     bool          // each member's remote endpoint behind a tcpProxy (other members dial the proxy)
}

// node is one cluster member: a System with its own Login and Mixes.
type node struct {
	name  string
	sys   *actors.System
	mixes *actors.Mixes
	login *actors.Login
	// health is the automanaged endpoint (host:port), "" with the test
	// provider.
	health string
	// proxy stands in front of the member's remote endpoint (options.proxied).
	proxy *tcpProxy

	stopOnce sync.Once
	stopErr  error
}

// env is a cluster of nodes sharing one Redis and one simulator.
type env struct {
	sim   *sim.Server
	st    *store.Store // the test's own client of the shared Redis
	ups   actors.Upstreams
	nodes []*node
	logs  *syncBuffer
	// agent is the in-memory test provider's registry (nil with the
	// automanaged provider); deregister drops a member from it.
	agent *clustertestprovider.InMemAgent
}

// startCluster starts o.nodes members and waits until each sees all.
// Everything is stopped when the test ends.
func startCluster(t *testing.T, o options) *env {
	t.Helper()
	e := &env{logs: &syncBuffer{}}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("DJ_CLUSTER_LOGS") != "" {
			t.Logf("last log lines:\n%s", e.logs.tail(30_000))
		}
	})
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	srv, err := sim.New(sim.Config{Seed: 7, Catalog: sim.CatalogConfig{Tracks: 400, Artists: 60}, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.NoError(t, srv.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = srv.Close() })
	e.sim = srv

	// One redis-server shared by the members, each with its own client,
	// as separate djd processes have in production. e.st is the test's
	// own view of it.
	redis := redistest.Start(t)
	var stores []*store.Store
	t.Cleanup(func() { // after the members have stopped (cleanups run last first)
		for _, st := range stores {
			assert.NoError(t, st.Close())
		}
	})
	openStore := func() *store.Store {
		st, err := store.Open(store.Config{RedisAddr: redis.Addr(), Logger: slog.New(slog.DiscardHandler)}, nil)
		require.NoError(t, err)
		stores = append(stores, st)
		return st
	}
	e.st = openStore()

	e.ups.Spotify, err = spotify.New(spotify.Config{
		AccountsURL: srv.BaseURL("accounts"), APIURL: srv.BaseURL("spotify"), ClientID: "dj-sim",
		RedirectURL: redirectURL, HTTPClient: &http.Client{Timeout: 10 * time.Second},
	})
	require.NoError(t, err)

	// Proxies close after the members have left (cleanups run last first).
	var proxies []*tcpProxy
	t.Cleanup(func() {
		for _, p := range proxies {
			p.close()
		}
	})
	// Members leave together at the end (each takes about 2 s).
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, n := range e.nodes {
			wg.Go(func() { _ = n.stop(t) })
		}
		wg.Wait()
	})

	var agent *clustertestprovider.InMemAgent
	var seeds []string
	if o.automanaged {
		for range o.nodes {
			seeds = append(seeds, net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t))))
		}
	} else {
		agent = clustertestprovider.NewInMemAgent()
		e.agent = agent
	}
	for i := range o.nodes {
		n := &node{name: fmt.Sprintf("node%d", i)}
		cc := &actors.ClusterConfig{Name: "dj-test", Host: "127.0.0.1"}
		if o.automanaged {
			_, port, _ := net.SplitHostPort(seeds[i])
			cc.ProviderPort, _ = strconv.Atoi(port)
			cc.Seeds = seeds
			cc.RefreshInterval = 200 * time.Millisecond
			n.health = seeds[i]
		} else {
			cc.Provider = clustertestprovider.NewTestProvider(agent)
		}
		if o.proxied {
			cc.Port = freePort(t)
			n.proxy = startProxy(t, net.JoinHostPort(cc.Host, strconv.Itoa(cc.Port)))
			proxies = append(proxies, n.proxy)
			cc.AdvertisedAddress = n.proxy.addr()
		}
		nlog := log.With("node", n.name)
		st := openStore()
		n.sys, err = actors.NewSystem(actors.Config{RatePerSecond: 1000, Cluster: cc}, nil, nlog)
		require.NoError(t, err)
		n.login = actors.NewLogin(actors.LoginConfig{RedirectURL: redirectURL, AppURL: "http://127.0.0.1/", AllowDemoUser: true},
			n.sys, st, e.ups.Spotify)
		var opts []actors.MixesOption
		if o.idle > 0 {
			opts = append(opts, actors.WithMixIdleTimeout(o.idle))
		}
		n.mixes, err = actors.NewMixes(actors.Deps{System: n.sys, Store: st, Upstreams: e.ups, Login: n.login, Log: nlog}, opts...)
		require.NoError(t, err)
		e.nodes = append(e.nodes, n)
	}

	// StartMember sleeps about a second: start the members together.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errs := make([]error, len(e.nodes))
	var wg sync.WaitGroup
	for i, n := range e.nodes {
		wg.Go(func() { errs[i] = n.sys.StartCluster(ctx) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	e.waitMembers(t, e.nodes, o.nodes)
	return e
}

// redirectURL is the login callback the simulator sends the code to; the
// test reads the code from the redirect instead of following it.
const redirectURL = "http://127.0.0.1/api/spotify/callback"

// stop shuts the node's System down (once), leaving the cluster.
func (n *node) stop(t *testing.T) error {
	n.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := n.mixes.Close(ctx); err != nil {
			t.Errorf("%s: close mixes: %v", n.name, err)
		}
		n.stopErr = n.sys.Shutdown(ctx)
	})
	return n.stopErr
}

// deregister drops n from the test provider's registry without n
// leaving: the other members' member lists lose it, as they would a
// member whose health checks stopped answering.
func (e *env) deregister(t *testing.T, n *node) {
	t.Helper()
	require.NotNil(t, e.agent, "deregister needs the in-memory test provider")
	e.agent.DeregisterService(n.sys.Actors().ID)
}

// waitMembers waits until every node in nodes sees want members.
func (e *env) waitMembers(t *testing.T, nodes []*node, want int) {
	t.Helper()
	eventually(t, 15*time.Second, func() string {
		for _, n := range nodes {
			if got := n.sys.ClusterMembers(); got != want {
				return fmt.Sprintf("%s sees %d members, want %d", n.name, got, want)
			}
		}
		return ""
	})
}

// signIn logs user in the way a browser does (authorize at the
// simulator, callback with its code), through node n; the Spotify grant
// lands in the shared store.
func (e *env) signIn(t *testing.T, n *node, user string) {
	t.Helper()
	ctx := reqCtx("login")
	authURL, err := n.login.AuthURL(ctx, user)
	require.NoError(t, err)
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	app, err := url.Parse(n.login.Callback(ctx, back.Query().Get("code"), back.Query().Get("state"), ""))
	require.NoError(t, err)
	require.NotEmpty(t, app.Query().Get("auth_code"), "login failed: %s", app)
}

// trackURIs lists n catalog track URIs.
func (e *env) trackURIs(n int) []string {
	var out []string
	for _, tr := range e.sim.Catalog().Tracks {
		if len(out) == n {
			break
		}
		out = append(out, "spotify:track:"+tr.ID)
	}
	return out
}

// stored reads the user's mix straight from the shared store.
func (e *env) stored(t *testing.T, user string) *mix.Session {
	t.Helper()
	s, found, err := store.Mixes[*mix.Session](e.st).Get(context.Background(), "mix:"+user)
	require.NoError(t, err)
	if !found {
		return nil
	}
	return s
}

// host is the node hosting user's grain, checked the two ways there are:
// every live node names the same owner, and that node, and only that
// node, has one session grain active.
func (e *env) host(t *testing.T, nodes []*node, user string) *node {
	t.Helper()
	var owner *node
	eventually(t, 10*time.Second, func() string {
		owner = nil
		addr := nodes[0].mixes.SessionHost(user)
		total := 0
		for _, n := range nodes {
			if got := n.mixes.SessionHost(user); got != addr {
				return fmt.Sprintf("%s says %s hosts %s, %s says %s", nodes[0].name, addr, user, n.name, got)
			}
			live, err := n.mixes.LiveSessions(context.Background())
			if err != nil {
				return err.Error()
			}
			total += live
			if live == 1 {
				owner = n
			}
		}
		switch {
		case total != 1:
			return fmt.Sprintf("%d session grains active, want 1", total)
		case owner.sys.ClusterAddress() != addr:
			return fmt.Sprintf("the grain is on %s but the owner is %s", owner.sys.ClusterAddress(), addr)
		}
		return ""
	})
	return owner
}

// others are the nodes except n.
func others(nodes []*node, n *node) []*node {
	var out []*node
	for _, o := range nodes {
		if o != n {
			out = append(out, o)
		}
	}
	return out
}

// noFill are preferences with auto-fill off, so the tests count tracks.
func noFill() *mix.Preferences {
	p := mix.DefaultPreferences()
	p.AutoFill = false
	return &p
}

// uris lists a queue's track URIs in order.
func uris(q []mix.QueuedTrack) []string {
	out := make([]string, len(q))
	for i, t := range q {
		out[i] = t.TrackURI
	}
	return out
}

func reqCtx(id string) context.Context {
	return actors.WithRequestID(context.Background(), id)
}

// eventually polls cond until it reports nothing ("") or d passes, then
// fails with its last report.
func eventually(t *testing.T, d time.Duration, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, msg)
		}
		<-tick.C
	}
}

// freePort is a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects log lines from every node.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail is the last n bytes written.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}

// count is how many log lines contain s.
func (b *syncBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Count(b.buf.Bytes(), []byte(s))
}
