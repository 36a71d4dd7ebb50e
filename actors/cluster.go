package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/labstack/echo"
)

// ClusterConfig turns a System into a member of a protoactor cluster
// (Config.Cluster; nil keeps the single-node actor system). In a cluster
// the session actors are grains: each user's session lives on one member,
// chosen by rendezvous hashing of the user id over the members
// (disthash), and any member's Mixes reaches it. The store must then be
// shared by every member (Redis).
//
// Membership comes from the automanaged provider unless Provider is set:
// every member serves a small HTTP health endpoint on ProviderPort and
// polls the endpoints listed in Seeds, so a cluster needs nothing but the
// djd processes (loopback tests, a few fixed hosts). For larger or
// changing deployments pass one of protoactor's providers for an external
// registry as Provider: consul, etcd, k8s or zk (see
// github.com/asynkron/protoactor-go/cluster/clusterproviders).
type ClusterConfig struct {
	// Name is the cluster's name; members only join members of the same
	// name. Required.
	Name string
	// Host is the address the member's remote (gRPC) endpoint and its
	// health endpoint bind, and the host other members dial (default
	// 127.0.0.1). 0.0.0.0 binds every interface; then set
	// AdvertisedAddress.
	Host string
	// Port is the remote endpoint's port; 0 picks a free one.
	Port int
	// AdvertisedAddress is the host:port other members dial for the remote
	// endpoint when it differs from Host:Port (NAT, containers, 0.0.0.0).
	AdvertisedAddress string
	// ProviderPort is the automanaged health endpoint's port. 0 picks a
	// free one, which only suits a member no other member has to list.
	ProviderPort int
	// Seeds are the automanaged health endpoints (host:port) of the
	// members. List every member the same way on every member; this
	// member's own Host:ProviderPort is added when it is missing (not
	// when Host is 0.0.0.0: then list it yourself).
	Seeds []string
	// RefreshInterval is how often the automanaged provider polls the
	// seeds (default 1 s): a member that stops answering leaves the
	// cluster within about this long, and its users' sessions move.
	RefreshInterval time.Duration
	// Provider replaces the automanaged provider (ProviderPort, Seeds and
	// RefreshInterval are then unused).
	Provider cluster.ClusterProvider
}

// sessionKind is the cluster kind of the session grains; their identity
// is the user id.
const sessionKind = "session"

// withDefaults returns a copy with the defaults filled in, or an error.
func (c ClusterConfig) withDefaults() (ClusterConfig, error) {
	if c.Name == "" {
		return c, errors.New("actors: cluster: Name is required")
	}
	if c.Host == "" {
		c.Host = "127.0.0.1"
	}
	if c.RefreshInterval == 0 {
		c.RefreshInterval = time.Second
	}
	switch {
	case c.Port < 0 || c.Port > 65535:
		return c, fmt.Errorf("actors: cluster: Port %d out of range", c.Port)
	case c.ProviderPort < 0 || c.ProviderPort > 65535:
		return c, fmt.Errorf("actors: cluster: ProviderPort %d out of range", c.ProviderPort)
	case c.RefreshInterval < 0:
		return c, errors.New("actors: cluster: RefreshInterval must be positive")
	}
	for _, s := range c.Seeds {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return c, fmt.Errorf("actors: cluster: seed %q is not host:port: %w", s, err)
		}
	}
	c.Seeds = append([]string{}, c.Seeds...)
	return c, nil
}

// clusterNode is a System's cluster membership: kinds registered before
// the start, the protoactor cluster once started, the automanaged health
// endpoint.
type clusterNode struct {
	s   *System
	cfg ClusterConfig

	mu      sync.Mutex // held for the whole start; guards the fields below
	kinds   []*cluster.Kind
	started bool // StartCluster was called (successfully or not)
	leaving bool // Shutdown began leaving the cluster
	health  net.Listener
	// watch follows membership and endpoints for the request loop; set
	// before up, from the start until the member has left.
	watch *memberWatch

	up atomic.Pointer[cluster.Cluster] // set once the member has started
}

// addKind registers a grain kind. Kinds are announced to the other
// members at the start, so they must all be registered before it.
func (n *clusterNode) addKind(kind string, props *actor.Props) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started {
		return fmt.Errorf("actors: cluster kind %q registered after StartCluster", kind)
	}
	for _, k := range n.kinds {
		if k.Kind == kind {
			return fmt.Errorf("actors: cluster kind %q registered twice", kind)
		}
	}
	n.kinds = append(n.kinds, cluster.NewKind(kind, props))
	return nil
}

// StartCluster makes the System a cluster member once every grain kind is
// registered (NewMixes registers the session kind): it starts the remote
// endpoint, joins through the provider and waits, bounded by ctx, until
// this member appears in its own member list. protoactor's StartMember
// itself cannot be interrupted and takes about a second. Without
// Config.Cluster it does nothing. It may be called once.
func (s *System) StartCluster(ctx context.Context) error {
	if s.cluster == nil {
		return nil
	}
	return s.cluster.start(ctx)
}

func (n *clusterNode) start(ctx context.Context) error {
	c, err := n.startMember()
	if err != nil {
		return err
	}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !c.MemberList.ContainsMemberID(c.ActorSystem.ID) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("actors: cluster member started but not yet in its member list: %w", ctx.Err())
		case <-t.C:
		}
	}
	n.s.log.Info("cluster member started", "cluster", n.cfg.Name, "address", c.ActorSystem.Address(),
		"members", c.MemberList.Members().Len(), "health", n.healthAddr())
	return nil
}

// startMember builds the protoactor cluster and runs its StartMember,
// which panics on failures (a port in use); the panic becomes an error.
func (n *clusterNode) startMember() (c *cluster.Cluster, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.started:
		return nil, errors.New("actors: StartCluster called twice")
	case n.s.stopped.Load():
		return nil, fmt.Errorf("actors: start cluster: %w", ErrShuttingDown)
	}
	n.started = true
	var self atomic.Pointer[cluster.Cluster] // for the health endpoint
	provider := n.cfg.Provider
	if provider == nil {
		if provider, err = n.automanaged(&self); err != nil {
			return nil, err
		}
	}
	var opts []remote.ConfigOption
	if n.cfg.AdvertisedAddress != "" {
		opts = append(opts, remote.WithAdvertisedHost(n.cfg.AdvertisedAddress))
	}
	rcfg := remote.Configure(n.cfg.Host, n.cfg.Port, opts...)
	ccfg := cluster.Configure(n.cfg.Name, provider, disthash.New(), rcfg, cluster.WithKinds(n.kinds...))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("actors: start cluster member: %v", r)
			n.closeHealth()
			if n.watch != nil {
				n.watch.stop()
			}
		}
	}()
	c = cluster.New(n.s.sys, ccfg)
	self.Store(c)
	// Subscribed before the start, so the first member list is seen.
	n.watch = newMemberWatch(n.s.sys.EventStream, c.PidCache, n.s.log.With("cluster", n.cfg.Name))
	c.StartMember()
	n.up.Store(c)
	return c, nil
}

// automanaged builds the automanaged provider around an HTTP server of
// our own: protoactor's own one binds every interface and prints echo's
// start line to stdout. NewWithTesting is the constructor that accepts a
// prepared server; ours binds Host only, prints nothing, and logs through
// the System's logger. What stays as protoactor wrote it: the endpoint
// answers anyone who can reach it (no authentication; it tells the
// member's id and address), the provider's locks are package-level (all
// providers in one process share them), its polling goroutine ends only
// after the member leaves, and it logs at error level both a member it
// cannot reach (every poll while one is down) and its own server closing
// at a normal shutdown.
func (n *clusterNode) automanaged(self *atomic.Pointer[cluster.Cluster]) (cluster.ClusterProvider, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(n.cfg.Host, strconv.Itoa(n.cfg.ProviderPort)))
	if err != nil {
		return nil, fmt.Errorf("actors: cluster health endpoint: %w", err)
	}
	n.health = ln
	port := ln.Addr().(*net.TCPAddr).Port
	own := net.JoinHostPort(n.cfg.Host, strconv.Itoa(port))
	hosts := append([]string{}, n.cfg.Seeds...)
	if !contains(hosts, own) && !net.ParseIP(n.cfg.Host).IsUnspecified() {
		hosts = append(hosts, own)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	errLog := slog.NewLogLogger(n.s.log.With("lib", "echo").Handler(), slog.LevelWarn)
	e.Logger.SetOutput(errLog.Writer())
	e.StdLogger = errLog
	e.Listener = ln
	e.GET("/_health", func(ec echo.Context) error {
		c := self.Load()
		if c == nil {
			return ec.NoContent(http.StatusServiceUnavailable)
		}
		host, rport, err := c.ActorSystem.GetHostPort()
		if err != nil {
			return ec.NoContent(http.StatusServiceUnavailable)
		}
		return ec.JSON(http.StatusOK, automanaged.NewNode(n.cfg.Name, c.ActorSystem.ID, host, rport, port, c.GetClusterKinds()))
	})
	return automanaged.NewWithTesting(n.cfg.RefreshInterval, port, e, hosts...), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// closeHealth closes the health endpoint's listener (a failed start).
func (n *clusterNode) closeHealth() {
	if n.health != nil {
		_ = n.health.Close()
	}
}

// healthAddr is the automanaged endpoint's address ("" with another
// provider).
func (n *clusterNode) healthAddr() string {
	if n.health == nil {
		return ""
	}
	return n.health.Addr().String()
}

// leave takes the member out of the cluster, bounded by ctx: protoactor
// stops this member's grains (their state is in the store), tells the
// provider and the other members, waits about 2 s for them to notice,
// then stops the remote endpoint. When ctx ends first the rest goes on in
// the background. leave also stops the actor system, so it reports
// whether the caller still has to.
func (n *clusterNode) leave(ctx context.Context) (stoppedSystem bool) {
	n.mu.Lock()
	n.leaving = true
	c := n.up.Load()
	n.mu.Unlock()
	if c == nil {
		n.closeHealth()
		return false
	}
	t0 := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Shutdown(true)
		n.watch.stop() // the remote endpoint is down: nothing in flight can be answered
	}()
	select {
	case <-done:
		n.s.log.Info("left the cluster", "cluster", n.cfg.Name, "took", time.Since(t0).String())
	case <-ctx.Done():
		n.s.log.Warn("leaving the cluster did not finish before the shutdown deadline; it goes on in the background",
			"cluster", n.cfg.Name, "err", ctx.Err())
	}
	return true
}

// clusterRetryMax bounds the pause between attempts to reach a grain.
const clusterRetryMax = 200 * time.Millisecond

// request sends msg to the grain kind/identity and waits for its reply,
// for at most timeout (and while ctx lasts). The grain's address comes
// from the cluster's PID cache or its identity lookup, which activates
// the grain on its owner.
//
// The message is sent again only when it provably was not handled: a
// dead letter (the activation stopped: it was passivated, or moved after
// a membership change), no owner or activation yet (membership still
// settling), or a member that is gone from the member list or
// unreachable (then nothing was sent; see memberWatch). A member lost
// while the message is with it fails the request at once with
// ErrMemberLost instead of waiting out timeout: it may have been
// applied, so it is not sent again. A timeout is reported as
// actor.ErrTimeout, like a local request's.
func (n *clusterNode) request(ctx context.Context, kind, identity string, msg any, timeout time.Duration) (any, error) {
	c := n.up.Load()
	if c == nil {
		return nil, errors.New("actors: cluster member not started (System.StartCluster)")
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ended := func() error {
		if err := parent.Err(); err != nil {
			return err
		}
		return actor.ErrTimeout
	}
	pause := 5 * time.Millisecond
	for {
		if n.isLeaving() {
			return nil, ErrShuttingDown
		}
		v, nx, err := n.attempt(ctx, c, kind, identity, msg)
		switch {
		case nx == nil && err != nil && ctx.Err() != nil:
			return nil, ended()
		case nx == nil:
			return v, err
		}
		var timer *time.Timer
		var tick <-chan time.Time
		if !nx.hold {
			timer = time.NewTimer(pause)
			tick = timer.C
		}
		select {
		case <-ctx.Done():
		case <-tick:
			pause = min(2*pause, clusterRetryMax)
		case <-nx.wake:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return nil, ended()
		}
	}
}

// next is what the request loop does after an attempt that was not
// handled: try again after its pause, or earlier at wake (a membership
// change); with hold, only at wake (the member is unreachable, so
// retrying sooner cannot help).
type next struct {
	wake <-chan struct{}
	hold bool
}

// attempt is one try at the request: the reply, a final error, or what
// to do next when the message was provably not handled.
func (n *clusterNode) attempt(ctx context.Context, c *cluster.Cluster, kind, identity string, msg any) (any, *next, error) {
	pid, nx, err := n.pid(ctx, c, kind, identity)
	if err != nil || nx != nil {
		return nil, nx, err
	}
	f, why, wake := n.watch.enter(ctx, pid.Address)
	switch why {
	case memberGone:
		c.PidCache.RemoveByValue(identity, kind, pid)
		n.s.log.Debug("grain's member left the cluster; looking the grain up again",
			"kind", kind, "identity", identity, "member", pid.Address)
		return nil, &next{wake: wake}, nil
	case memberDown:
		n.s.log.Debug("grain's member is unreachable; waiting until it is back or has left",
			"kind", kind, "identity", identity, "member", pid.Address)
		return nil, &next{wake: wake, hold: true}, nil
	case watchClosed:
		return nil, nil, ErrShuttingDown
	}
	defer n.watch.exit(f)
	deadline, _ := ctx.Deadline()
	fut := c.ActorSystem.Root.RequestFuture(pid, msg, time.Until(deadline))
	v, err := awaitFuture(f.ctx, fut)
	switch lost := f.lost(); {
	case err == nil:
		return v, nil, nil
	case errors.Is(err, actor.ErrDeadLetter) || errors.Is(err, remote.ErrDeadLetter):
		c.PidCache.RemoveByValue(identity, kind, pid)
		n.s.log.Debug("grain activation gone; sending to a fresh one",
			"kind", kind, "identity", identity, "pid", pid.String())
		return nil, &next{}, nil
	case lost != nil && ctx.Err() == nil:
		// The abandoned future ends at its own timeout: completing it
		// here would race with a late reply inside protoactor.
		return nil, nil, fmt.Errorf("%s %s: member %s was lost with the request in flight (it may have been applied): %w",
			kind, identity, pid.Address, lost)
	default:
		return nil, nil, err
	}
}

// pid is the grain's address: cached, or from the identity lookup, which
// activates the grain on its owner. Without one it says what to do next:
// no owner or activation yet, the owner unreachable, or the owner lost
// during the lookup (which protoactor itself would only give up after
// 5 s; the abandoned lookup finishes in the background).
func (n *clusterNode) pid(ctx context.Context, c *cluster.Cluster, kind, identity string) (*actor.PID, *next, error) {
	if pid, ok := c.PidCache.Get(identity, kind); ok && pid != nil {
		return pid, nil, nil
	}
	owner := n.watch.owner(kind, identity)
	if owner == "" {
		n.s.log.Debug("grain has no owner yet; asking again", "kind", kind, "identity", identity)
		return nil, &next{wake: n.watch.changes()}, nil
	}
	f, why, wake := n.watch.enter(ctx, owner)
	switch why {
	case memberGone:
		return nil, &next{wake: wake}, nil
	case memberDown:
		n.s.log.Debug("grain's owner is unreachable; waiting until it is back or has left",
			"kind", kind, "identity", identity, "member", owner)
		return nil, &next{wake: wake, hold: true}, nil
	case watchClosed:
		return nil, nil, ErrShuttingDown
	}
	defer n.watch.exit(f)
	ch := make(chan *actor.PID, 1)
	go func() { ch <- c.Get(identity, kind) }()
	select {
	case pid := <-ch:
		if pid == nil {
			n.s.log.Debug("grain has no activation yet; asking again", "kind", kind, "identity", identity)
			return nil, &next{}, nil
		}
		c.PidCache.Set(identity, kind, pid)
		return pid, nil, nil
	case <-f.ctx.Done():
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		n.s.log.Debug("grain's owner was lost during the lookup; looking up again",
			"kind", kind, "identity", identity, "member", owner)
		return nil, &next{}, nil
	}
}

func (n *clusterNode) isLeaving() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.leaving
}

// ClusterMembers is how many members this member currently sees (itself
// included); 0 when not in cluster mode or not started.
func (s *System) ClusterMembers() int {
	if s.cluster == nil {
		return 0
	}
	c := s.cluster.up.Load()
	if c == nil {
		return 0
	}
	return c.MemberList.Members().Len()
}

// ClusterAddress is this member's remote address (host:port), the one
// ClusterOwner reports; "" when not in cluster mode or not started.
func (s *System) ClusterAddress() string {
	if s.cluster == nil || s.cluster.up.Load() == nil {
		return ""
	}
	return s.sys.Address()
}

// clusterOwner is the address of the member that owns kind/identity in
// this member's current view of the cluster: where the grain is, or would
// be activated. Computed locally; it activates nothing.
func (s *System) clusterOwner(kind, identity string) string {
	if s.cluster == nil {
		return ""
	}
	c := s.cluster.up.Load()
	if c == nil {
		return ""
	}
	r := cluster.NewRendezvous()
	r.UpdateMembers(c.MemberList.Members().Members())
	return r.GetByClusterIdentity(cluster.NewClusterIdentity(identity, kind))
}

// clusterActivations is how many grains of kind are active on this member.
func (s *System) clusterActivations(kind string) int {
	if s.cluster == nil {
		return 0
	}
	c := s.cluster.up.Load()
	if c == nil {
		return 0
	}
	k, ok := c.TryGetClusterKind(kind)
	if !ok {
		return 0
	}
	return int(k.Count())
}
