package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// System is djd's one protoactor ActorSystem together with the upstream
// limiter actors (the "upstream" supervisor, its "rate" actor and one
// "lane/<api>" actor per API), the per-lane breakers, and the group of
// tracked request work that Shutdown drains. It owns the slog.Logger the
// actors log through. All methods are safe for concurrent use.
type System struct {
	cfg Config
	log *slog.Logger
	m   *metrics
	sys *actor.ActorSystem

	upstream *actor.PID
	ratePID  *actor.PID
	rate     *rateRuntime
	lanes    map[Lane]*laneRuntime

	tickets atomic.Uint64
	work    workGroup

	cluster *clusterNode // nil: single node

	base       context.Context // ends when shutdown gives up on tracked work
	baseCancel context.CancelFunc
	// draining ends when shutdown begins: redoable work (Tracker.GoRedoable)
	// stops then instead of holding the drain.
	draining     context.Context
	drainingStop context.CancelFunc

	stopped      atomic.Bool
	shutdownOnce sync.Once
	shutdownErr  error
}

// hooks are observation points for this package's tests: the limiter
// actors report queueing, grants, drops, pauses and breaker changes. They
// are called on the actor's goroutine and must not block.
type hooks struct {
	event func(actorName, what string, ticket uint64)
}

func (h *hooks) emit(actorName, what string, ticket uint64) {
	if h != nil && h.event != nil {
		h.event(actorName, what, ticket)
	}
}

// ActorName is the naming convention for actors: kind, or kind/instance.
// Metrics label actors by kind, logs name them in full.
func ActorName(kind, instance string) string {
	if instance == "" {
		return kind
	}
	return kind + "/" + instance
}

// NewSystem starts the actor system and the limiter actors. reg receives
// the package's metrics (nil: not registered); log receives every log line
// of the actors, protoactor's own included (nil: discarded).
func NewSystem(cfg Config, reg prometheus.Registerer, log *slog.Logger) (*System, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Cluster != nil {
		cc, err := cfg.Cluster.withDefaults()
		if err != nil {
			return nil, err
		}
		cfg.Cluster = &cc
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	s := &System{cfg: cfg, log: log, m: m, lanes: map[Lane]*laneRuntime{}}
	s.base, s.baseCancel = context.WithCancel(context.Background())
	s.draining, s.drainingStop = context.WithCancel(s.base)
	s.sys = actor.NewActorSystem(
		actor.WithLoggerFactory(protoactorLogger(log, cfg.ActorLogLevel)),
		actor.WithDeadLetterThrottleInterval(cfg.DeadLetterThrottle),
	)
	if cfg.Cluster != nil {
		s.cluster = &clusterNode{s: s, cfg: *cfg.Cluster}
	}
	s.rate = newRateRuntime(cfg)
	for lane := range cfg.LaneCaps {
		s.lanes[lane] = newLaneRuntime(s, lane)
	}

	props := s.Props("upstream", func() actor.Actor { return &upstreamActor{s: s} },
		actor.WithGuardian(&guardianStrategy{s: s}),
		actor.WithSupervisor(&limiterStrategy{s: s}))
	pid, err := s.sys.Root.SpawnNamed(props, "upstream")
	if err != nil {
		s.sys.Shutdown()
		return nil, fmt.Errorf("actors: spawn upstream supervisor: %w", err)
	}
	s.upstream = pid
	res, err := s.sys.Root.RequestFuture(pid, &childrenQuery{}, 5*time.Second).Result()
	ch, ok := res.(*children)
	if err != nil || !ok {
		s.sys.Root.Stop(pid)
		s.sys.Shutdown()
		return nil, fmt.Errorf("actors: limiter actors did not start: %v", err)
	}
	s.ratePID = ch.rate
	for lane, rt := range s.lanes {
		rt.pid.Store(ch.lanes[lane])
		s.m.breakerState.WithLabelValues(string(lane)).Set(0)
		s.m.laneInFlight.WithLabelValues(string(lane)).Set(0)
		s.m.laneQueued.WithLabelValues(string(lane)).Set(0)
		s.m.laneCap.WithLabelValues(string(lane)).Set(float64(cfg.LaneCaps[lane]))
	}
	s.m.rateLimit.Set(float64(cfg.RatePerSecond))
	log.Info("upstream limiter started",
		"rate_per_second", cfg.RatePerSecond, "window", cfg.Window.String(), "window_margin", cfg.WindowMargin.String(),
		"lane_caps", fmt.Sprint(cfg.LaneCaps), "actor_system", s.sys.ID)
	return s, nil
}

// Actors is the protoactor system, for spawning the service's other actors
// (use Props so they get the metrics middleware).
func (s *System) Actors() *actor.ActorSystem { return s.sys }

// Logger is the logger the System and its actors write to.
func (s *System) Logger() *slog.Logger { return s.log }

// Config is the effective configuration (defaults filled in).
func (s *System) Config() Config { return s.cfg }

// Props builds props for an actor of kind with a probed unbounded
// mailbox that keeps the kind's dj_actors_alive, dj_actor_restarts_total,
// dj_actor_message_duration_seconds and dj_actor_mailbox_depth (see
// kindMeter). Spawn the result under ActorName(kind, id). Do not pass
// actor.WithMailbox: it replaces the probed mailbox, and the actor would
// not be measured at all.
func (s *System) Props(kind string, producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	all := make([]actor.PropsOption, 0, len(opts)+1)
	all = append(all, actor.WithMailbox(s.m.meters.kind(kind).producer()))
	all = append(all, opts...)
	return actor.PropsFromProducer(producer, all...)
}

// Status asks every limiter actor for its state.
func (s *System) Status(ctx context.Context) (Status, error) {
	ask := func(pid *actor.PID) (any, error) {
		f := s.sys.Root.RequestFuture(pid, &inspect{}, 5*time.Second)
		return awaitFuture(ctx, f)
	}
	out := Status{Lanes: map[Lane]LaneStatus{}}
	r, err := ask(s.ratePID)
	if err != nil {
		return out, fmt.Errorf("actors: rate status: %w", err)
	}
	rs, ok := r.(RateStatus)
	if !ok {
		return out, fmt.Errorf("actors: rate status: unexpected reply %T", r)
	}
	out.Rate = rs
	for lane, rt := range s.lanes {
		r, err := ask(rt.pid.Load())
		if err != nil {
			return out, fmt.Errorf("actors: lane %s status: %w", lane, err)
		}
		ls, ok := r.(LaneStatus)
		if !ok {
			return out, fmt.Errorf("actors: lane %s status: unexpected reply %T", lane, r)
		}
		out.Lanes[lane] = ls
	}
	return out, nil
}

// awaitFuture waits for f or for ctx, whichever is first. protoactor's
// Future has no channel, so a helper goroutine waits on it; it always
// ends, because every future has a timeout.
func awaitFuture(ctx context.Context, f *actor.Future) (any, error) {
	type result struct {
		v   any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f.Result()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Shutdown drains tracked work for at most Config.DrainTimeout (or until
// ctx ends), logs every piece that did not finish, cancels it, then
// leaves the cluster (in cluster mode, bounded by ctx) and stops the
// limiter actors and the actor system. Calls to Do after that fail
// with ErrLimiterDown. It returns an error when work was left running.
// Calling it again returns the first result.
func (s *System) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() { s.shutdownErr = s.shutdown(ctx) })
	return s.shutdownErr
}

func (s *System) shutdown(ctx context.Context) error {
	t0 := time.Now()
	s.log.Info("shutdown: draining tracked work", "active", s.work.active(), "drain_timeout", s.cfg.DrainTimeout.String())
	s.cfg.hooks.emit("system", "draining", 0)
	s.drainingStop()
	var drainErr error
	timer := time.NewTimer(s.cfg.DrainTimeout)
	select {
	case <-s.work.idle():
	default:
		select {
		case <-s.work.idle():
		case <-timer.C:
			drainErr = fmt.Errorf("actors: tracked work still running after %s", s.cfg.DrainTimeout)
		case <-ctx.Done():
			drainErr = fmt.Errorf("actors: shutdown context ended while draining: %w", ctx.Err())
		}
	}
	timer.Stop()
	if drainErr != nil {
		left := s.work.snapshot()
		for _, t := range left {
			s.log.Warn("tracked work did not finish; cancelling",
				"request_id", t.reqID, "work", t.name, "running_for", time.Since(t.started).String())
		}
		s.baseCancel()
		// Work that honours its context ends now; give it a moment, bounded.
		grace := time.NewTimer(time.Second)
		select {
		case <-s.work.idle():
		case <-grace.C:
			still := s.work.snapshot()
			for _, t := range still {
				s.log.Error("tracked work abandoned at shutdown",
					"request_id", t.reqID, "work", t.name, "running_for", time.Since(t.started).String())
			}
		}
		grace.Stop()
	}
	s.work.close()
	s.baseCancel()

	// New calls fail fast from here; calls already waiting are refused by
	// the actors as they stop.
	s.stopped.Store(true)
	// A cluster member leaves first, so the other members take over its
	// users' sessions; protoactor then stops the actor system itself.
	systemStopped := false
	if s.cluster != nil {
		systemStopped = s.cluster.leave(ctx)
	}
	if err := s.sys.Root.PoisonFuture(s.upstream).Wait(); err != nil && !errors.Is(err, actor.ErrDeadLetter) {
		s.log.Error("shutdown: limiter actors did not stop", "err", err)
	}
	if !systemStopped {
		s.sys.Shutdown()
	}
	s.log.Info("shutdown: actor system stopped", "took", time.Since(t0).String(), "drained", drainErr == nil)
	return drainErr
}

// upstreamActor supervises the limiter actors. It owns nothing but its
// children: the rate actor and one lane actor per API.
type upstreamActor struct {
	s     *System
	rate  *actor.PID
	lanes map[Lane]*actor.PID
}

func (a *upstreamActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		a.spawnChildren(c)
	case *childrenQuery:
		c.Respond(&children{rate: a.rate, lanes: a.lanes})
	case *actor.Terminated:
		if !a.s.stopped.Load() && !a.s.work.closed() {
			a.s.log.Error("limiter actor stopped; its calls fail with ErrLimiterDown", "actor", m.Who.Id)
		}
	case *injectedPanic:
		panic(m.reason)
	case *actor.Stopped:
		a.s.cfg.hooks.emit("upstream", "stopped", 0)
	}
}

func (a *upstreamActor) spawnChildren(c actor.Context) {
	s := a.s
	rate, err := c.SpawnNamed(s.Props("rate", func() actor.Actor { return newRateActor(s) }), "rate")
	if err != nil {
		panic(fmt.Errorf("spawn rate actor: %w", err))
	}
	a.rate = rate
	a.lanes = map[Lane]*actor.PID{}
	for lane, rt := range s.lanes {
		name := ActorName("lane", string(lane))
		pid, err := c.SpawnNamed(s.Props("lane", func() actor.Actor { return newLaneActor(s, rt, rate) }), name)
		if err != nil {
			panic(fmt.Errorf("spawn %s: %w", name, err))
		}
		a.lanes[lane] = pid
	}
}

// limiterStrategy supervises the rate and lane actors (see the package
// doc): restart, at most Config.Restarts times within RestartWindow, then
// stop; an invariant violation is escalated instead, which stops the
// whole limiter.
type limiterStrategy struct{ s *System }

func (st *limiterStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, msg any) {
	log := st.s.log.With("actor", child.Id, "reason", fmt.Sprint(reason), "message", messageName(msg))
	if _, ok := reason.(*invariantViolation); ok {
		log.Error("limiter invariant violated; escalating, the limiter stops")
		sup.EscalateFailure(reason, msg)
		return
	}
	rs.Fail()
	if n := rs.NumberOfFailures(st.s.cfg.RestartWindow); n > st.s.cfg.Restarts {
		rs.Reset()
		log.Error("limiter actor failed too often; stopping it", "failures", n, "within", st.s.cfg.RestartWindow.String())
		sup.StopChildren(child)
		return
	}
	log.Warn("limiter actor failed; restarting it (waiters get ErrLimiterRestarted and retry once)")
	sup.RestartChildren(child)
}

// guardianStrategy supervises the upstream supervisor itself: any failure
// there (or escalated to it) stops it and with it the limiter. Every Do
// then fails with ErrLimiterDown: the service fails closed instead of
// calling upstream without its limits.
type guardianStrategy struct{ s *System }

func (st *guardianStrategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason, msg any) {
	st.s.log.Error("upstream supervisor failed; stopping the limiter (fail closed)",
		"actor", child.Id, "reason", fmt.Sprint(reason), "message", messageName(msg))
	sup.StopChildren(child)
}
