package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"dj/mix"
	djproto "dj/proto"
	"dj/store"

	"github.com/asynkron/protoactor-go/actor"
)

// Errors of the mix service the gateway maps to statuses. ErrNoMix wraps
// mix.ErrNotFound, so a generic mapping of that kind also applies.
var (
	// ErrNoMix: the user has no mix session (start one first).
	ErrNoMix = fmt.Errorf("no active mix session: %w", mix.ErrNotFound)
	// ErrAIUnavailable: steering needed the model and it is not configured
	// or did not answer; the vibe was left unchanged.
	ErrAIUnavailable = errors.New("AI steering unavailable")
	// ErrNothingToSave: the mix has no played or queued tracks.
	ErrNothingToSave = errors.New("the mix has no tracks to save")
	// ErrUnknownTrack: Spotify has no track with the given id.
	ErrUnknownTrack = errors.New("no such track")
)

// Mixes serves the /api/mix routes. Each user's mix is owned by one
// session actor (see sessionActor), spawned on first use by the
// "sessions" registry and stopped after it has been idle. The service's
// methods run in the caller's goroutine: they make the upstream calls
// (Spotify, Last.fm through enrichment, Anthropic), each through its lane
// with System.Do, and then send the actor a pure state change, so one
// slow call never blocks the user's mailbox. Safe for concurrent use.
type Mixes struct {
	deps     Deps
	cfg      mixesConfig
	sys      *System
	log      *slog.Logger
	registry *actor.PID
	table    *store.Table[*mix.Session]
	features featureSource

	filling   sync.Map // user id -> struct{}: a background fill is running
	quiet     sync.Map // user id -> time.Time: no background fill before then
	pushed    sync.Map // user id -> URI last fed to Spotify's queue
	closeOnce sync.Once
	closed    atomic.Bool // Close was called (cluster mode refuses requests)
}

// mixesConfig holds the service's tunables; MixesOption sets them.
type mixesConfig struct {
	idleTimeout   time.Duration // session actor passivation
	askTimeout    time.Duration // bound on one message round trip
	storeTimeout  time.Duration // bound on one store operation in an actor
	fillTimeout   time.Duration // bound on a fill inside a request
	seedTimeout   time.Duration // bound on seeding at start
	enrichTimeout time.Duration // bound on enriching candidates
	restarts      int           // session actor restarts allowed in restartWindow
	restartWindow time.Duration
	spotifyQueue  bool // feed the queue head to Spotify's playback queue
	features      featureSource
}

// MixesOption changes a default of the mix service.
type MixesOption func(*mixesConfig)

// WithMixIdleTimeout sets how long a session actor may be idle before it
// is stopped (default 10 min; its state stays in the store).
func WithMixIdleTimeout(d time.Duration) MixesOption {
	return func(c *mixesConfig) { c.idleTimeout = d }
}

// WithMixFillTimeout bounds the auto-fill a request waits for (default
// 8 s, the reference's race timeout); what is not found by then is not
// waited for.
func WithMixFillTimeout(d time.Duration) MixesOption {
	return func(c *mixesConfig) { c.fillTimeout = d }
}

// WithMixSpotifyQueue turns feeding the queue head to the user's Spotify
// playback queue on or off (default on; see Mixes.pushHead).
func WithMixSpotifyQueue(on bool) MixesOption {
	return func(c *mixesConfig) { c.spotifyQueue = on }
}

// NewMixes starts the session registry actor ("sessions"). In cluster
// mode it registers the session grain kind instead; call
// System.StartCluster after it.
func NewMixes(d Deps, opts ...MixesOption) (*Mixes, error) {
	d.defaults()
	cfg := mixesConfig{
		idleTimeout: 10 * time.Minute, askTimeout: 15 * time.Second, storeTimeout: 5 * time.Second,
		fillTimeout: 8 * time.Second, seedTimeout: 8 * time.Second, enrichTimeout: 3 * time.Second,
		restarts: 5, restartWindow: time.Minute, spotifyQueue: true,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.idleTimeout < time.Millisecond || cfg.askTimeout <= 0 || cfg.fillTimeout <= 0 {
		return nil, errors.New("actors: mix timeouts must be positive")
	}
	m := &Mixes{
		deps: d, cfg: cfg, sys: d.System, log: d.Log.With("component", "mixes"),
		table: store.Mixes[*mix.Session](d.Store), features: cfg.features,
	}
	if m.features == nil {
		m.features = noFeatures{}
	}
	if m.sys.cluster != nil {
		props := m.sys.Props(sessionKind, func() actor.Actor { return newSessionGrain(m) })
		if err := m.sys.cluster.addKind(sessionKind, props); err != nil {
			return nil, err
		}
		return m, nil
	}
	props := m.sys.Props("sessions", func() actor.Actor { return &sessionRegistry{m: m} },
		actor.WithSupervisor(&sessionStrategy{m: m, restarts: cfg.restarts, window: cfg.restartWindow}))
	pid, err := m.sys.Actors().Root.SpawnNamed(props, "sessions")
	if err != nil {
		return nil, fmt.Errorf("actors: spawn session registry: %w", err)
	}
	m.registry = pid
	return m, nil
}

// Close stops the registry and every session actor (their state is
// already in the store). Requests after Close fail. In cluster mode the
// grains belong to the cluster: they stop when the System leaves it, and
// only this Mixes refuses further requests.
func (m *Mixes) Close(ctx context.Context) error {
	var err error
	m.closeOnce.Do(func() {
		m.closed.Store(true)
		if m.registry == nil {
			return
		}
		f := m.sys.Actors().Root.PoisonFuture(m.registry)
		_, err = awaitFuture(ctx, f)
		if errors.Is(err, actor.ErrDeadLetter) {
			err = nil
		}
	})
	return err
}

// ask sends a request to the user's session actor and waits for the reply
// (bounded by the ask timeout and by ctx). In cluster mode the actor is
// the user's session grain, wherever it lives, and the request and reply
// travel as protobuf (see session_proto.go); errors come back with the
// same kinds either way.
func (m *Mixes) ask(ctx context.Context, userID string, req sessionRequest) (*sessionReply, error) {
	if m.sys.cluster != nil {
		return m.askGrain(ctx, userID, req)
	}
	f := m.sys.Actors().Root.RequestFuture(m.registry, &toSession{userID: userID, req: req}, m.cfg.askTimeout)
	v, err := awaitFuture(ctx, f)
	return m.answer(req, v, err)
}

// askGrain is ask in cluster mode.
func (m *Mixes) askGrain(ctx context.Context, userID string, req sessionRequest) (*sessionReply, error) {
	if m.closed.Load() {
		return nil, fmt.Errorf("mix session %s: %w", messageName(req), ErrShuttingDown)
	}
	pb, err := sessionRequestToProto(req)
	if err != nil {
		return nil, fmt.Errorf("mix session %s: %w", messageName(req), err)
	}
	v, err := m.sys.cluster.request(ctx, sessionKind, userID, pb, m.cfg.askTimeout)
	if err != nil {
		return m.answer(req, nil, err)
	}
	rp, ok := v.(*djproto.SessionReply)
	if !ok {
		return nil, fmt.Errorf("mix session %s: unexpected reply %T", messageName(req), v)
	}
	r, err := sessionReplyFromProto(rp)
	if err != nil {
		return nil, fmt.Errorf("mix session %s: %w", messageName(req), err)
	}
	return m.answer(req, r, nil)
}

// answer maps the outcome of a request to the session actor: the reply
// and its error, or a timeout, shutdown or transport error.
func (m *Mixes) answer(req sessionRequest, v any, err error) (*sessionReply, error) {
	switch {
	case errors.Is(err, actor.ErrTimeout):
		return nil, fmt.Errorf("mix session %s did not answer within %s: %w", messageName(req), m.cfg.askTimeout, ErrWaitTimeout)
	case errors.Is(err, actor.ErrDeadLetter):
		return nil, fmt.Errorf("mix session %s: %w", messageName(req), ErrShuttingDown)
	case err != nil:
		return nil, fmt.Errorf("mix session %s: %w", messageName(req), err)
	}
	r, ok := v.(*sessionReply)
	if !ok {
		return nil, fmt.Errorf("mix session %s: unexpected reply %T", messageName(req), v)
	}
	return r, r.err
}

// snapshot is the user's mix as it is now (nil when there is none).
func (m *Mixes) snapshot(ctx context.Context, userID string) (*mix.Session, error) {
	r, err := m.ask(ctx, userID, &getSession{reqID: RequestID(ctx)})
	if err != nil {
		return nil, err
	}
	return r.sess, nil
}

// existing is snapshot, with ErrNoMix when there is none.
func (m *Mixes) existing(ctx context.Context, userID string) (*mix.Session, error) {
	s, err := m.snapshot(ctx, userID)
	if err == nil && s == nil {
		err = ErrNoMix
	}
	return s, err
}

// begin prepares a request: a budget when the caller attached none, and a
// tracker whose Finish logs the request's work. Callers defer t.Finish().
func (m *Mixes) begin(ctx context.Context) (context.Context, *Tracker) {
	if BudgetOf(ctx) == nil {
		ctx = WithBudget(ctx, NewBudget(DefaultBudgetLimit, DefaultBudgetReserve))
	}
	return ctx, m.sys.NewTracker(context.WithoutCancel(ctx))
}

// LiveSessions is how many users' session actors are alive on this
// node (diagnostics, tests): in cluster mode the session grains this
// member hosts.
func (m *Mixes) LiveSessions(ctx context.Context) (int, error) {
	return m.liveSessions(ctx)
}

// SessionHost is the cluster address (see System.ClusterAddress) of the
// member that hosts userID's session grain, or would activate it, in this
// member's current view of the cluster; "" on a single node. It is
// computed locally and activates nothing.
func (m *Mixes) SessionHost(userID string) string {
	return m.sys.clusterOwner(sessionKind, userID)
}

// liveSessions is how many session actors are alive (tests, diagnostics).
func (m *Mixes) liveSessions(ctx context.Context) (int, error) {
	if m.sys.cluster != nil {
		return m.sys.clusterActivations(sessionKind), nil
	}
	v, err := awaitFuture(ctx, m.sys.Actors().Root.RequestFuture(m.registry, &sessionCount{}, m.cfg.askTimeout))
	if err != nil {
		return 0, err
	}
	n, _ := v.(int)
	return n, nil
}
