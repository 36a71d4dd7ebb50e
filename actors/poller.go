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

// PlayerStreamConfig tunes the player stream (GET /api/player/stream).
// Zero fields take the defaults noted: the reference's figures, bounded
// by the global rate.
type PlayerStreamConfig struct {
	// Interval is the poll interval of one user's playback when Spotify's
	// lane is free (default 1 s, the reference's).
	Interval time.Duration
	// MaxInterval caps the backoff after slow or failed polls (default
	// 10 s). The fair share (below) may still space polls further.
	MaxInterval time.Duration
	// PollShare is how many polls per second all users' pollers together
	// may start (default half of System's RatePerSecond, so 20): with N
	// users streaming, each polls at most every N/PollShare seconds, and
	// the other half of the global rate stays for everything else.
	PollShare float64
	// SlowWait: a poll that waited longer than this for its Spotify
	// permit and global grant means the lane or the rate is queueing; the
	// user's interval then doubles (default 250 ms).
	SlowWait time.Duration
	// PollTimeout bounds one poll, waiting included (default 10 s).
	PollTimeout time.Duration
	// Lifetime is how long one stream lives before it sends reconnect and
	// closes (default 5 min).
	Lifetime time.Duration
	// Grace is how long a poller outlives its last stream, so the SPA's
	// reconnect after Lifetime finds it running (default 10 s).
	Grace time.Duration
	// MaxErrors consecutive failed polls close the user's streams with a
	// final error (default 5, the reference's).
	MaxErrors int
	// QueueCheckEvery is how often, while playing, the mix queue is
	// checked for queue_low (default 10 s, the reference's every 10th
	// poll), besides right after each track change.
	QueueCheckEvery time.Duration
	// QueueLowDepth: a queue shorter than this is low (default 3).
	QueueLowDepth int
	// Restarts and RestartWindow bound a poller's restarts by supervision
	// (defaults 3 and 10 s); past them it stops and closes its streams.
	Restarts      int
	RestartWindow time.Duration
	// Registerer receives dj_player_* metrics (nil: not registered).
	Registerer prometheus.Registerer
}

func (c *PlayerStreamConfig) defaults(rate int) {
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur(&c.Interval, time.Second)
	setDur(&c.MaxInterval, 10*time.Second)
	c.MaxInterval = max(c.MaxInterval, c.Interval)
	setDur(&c.SlowWait, 250*time.Millisecond)
	setDur(&c.PollTimeout, 10*time.Second)
	setDur(&c.Lifetime, 5*time.Minute)
	setDur(&c.Grace, 10*time.Second)
	setDur(&c.QueueCheckEvery, 10*time.Second)
	setDur(&c.RestartWindow, 10*time.Second)
	if c.PollShare <= 0 {
		c.PollShare = float64(max(rate, 2)) / 2
	}
	if c.MaxErrors <= 0 {
		c.MaxErrors = 5
	}
	if c.QueueLowDepth <= 0 {
		c.QueueLowDepth = 3
	}
	if c.Restarts <= 0 {
		c.Restarts = 3
	}
}

// StreamKindPlayer is the player stream's kind (metrics label, writer
// actor name).
const StreamKindPlayer = "player"

// Players serves the player stream: one poller actor per user
// ("pollers/poller/<userID>"), shared by every stream and tab of that
// user, polls GET /me/player through the Spotify lane and fans the
// events out to each stream. The poller is the only place a track change
// is reported to the mix (Mixes.TrackPlayed), so a change is recorded
// once however many tabs are open (reference defect #38). Safe for
// concurrent use.
type Players struct {
	deps     Deps
	mixes    *Mixes // nil: no mix service, no transitions or queue checks
	cfg      PlayerStreamConfig
	sys      *System
	log      *slog.Logger
	m        *pollerMetrics
	registry *actor.PID

	pollers atomic.Int64 // alive; the fair share divides by it

	mu     sync.Mutex     // orders track (Add) before Close's Wait
	polls  sync.WaitGroup // pollers' goroutines in flight, waited for by Close
	closed atomic.Bool
	once   sync.Once
}

// NewPlayers starts the poller registry ("pollers"). mixes may be nil.
func NewPlayers(d Deps, mixes *Mixes, cfg PlayerStreamConfig) (*Players, error) {
	d.defaults()
	cfg.defaults(d.System.Config().RatePerSecond)
	m, err := newPollerMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	p := &Players{deps: d, mixes: mixes, cfg: cfg, sys: d.System, log: d.Log.With("component", "player-stream"), m: m}
	props := p.sys.Props("pollers", func() actor.Actor { return &pollerRegistry{p: p} }, actor.WithSupervisor(&pollerStrategy{p: p}))
	pid, err := p.sys.Actors().Root.SpawnNamed(props, "pollers")
	if err != nil {
		return nil, fmt.Errorf("actors: spawn poller registry: %w", err)
	}
	p.registry = pid
	return p, nil
}

// Config is the effective configuration (defaults filled in).
func (p *Players) Config() PlayerStreamConfig { return p.cfg }

// OpenOptions are the options of a player stream: named events, and
// reconnect as the farewell, so a stream ended by shutdown tells the
// client to come back exactly as one ended by its lifetime.
func (p *Players) OpenOptions() OpenOptions {
	farewell := playerReconnect()
	return OpenOptions{Kind: StreamKindPlayer, Framing: FramingNamed, Farewell: &farewell}
}

// Attach sends st its connected event and subscribes it to userID's
// poller (started if needed). The poller then sends init and the deltas,
// and closes st with reconnect after Lifetime. An error means st got
// nothing; the caller closes it.
func (p *Players) Attach(ctx context.Context, userID string, st *Stream) error {
	if p.closed.Load() {
		return fmt.Errorf("actors: player stream: %w", ErrShuttingDown)
	}
	hello := PlayerConnected{
		Message:         "Connected to playback stream (delta protocol v2)",
		PollingInterval: pollInterval(p.cfg, int(p.pollers.Load())+1, 0).Milliseconds(),
	}
	if err := st.Send(playerEvent(PlayerEventConnected, hello)); err != nil {
		return fmt.Errorf("actors: player stream connected event: %w", err)
	}
	p.sys.Actors().Root.Send(p.registry, &pollerSubscribe{userID: userID, stream: st, reqID: RequestID(ctx)})
	return nil
}

// Pollers is how many pollers are alive (one per user with a stream, or
// within its grace).
func (p *Players) Pollers() int { return int(p.pollers.Load()) }

// Close stops every poller and waits (bounded by ctx) for their polls in
// flight to end. Call it after the streams are closed and before the
// System shuts down. Attach fails after Close.
func (p *Players) Close(ctx context.Context) error {
	var err error
	p.once.Do(func() {
		p.mu.Lock()
		p.closed.Store(true)
		p.mu.Unlock()
		_, err = awaitFuture(ctx, p.sys.Actors().Root.PoisonFuture(p.registry))
		if errors.Is(err, actor.ErrDeadLetter) {
			err = nil
		}
		done := make(chan struct{})
		go func() { p.polls.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			err = errors.Join(err, fmt.Errorf("actors: player polls still running: %w", ctx.Err()))
		}
	})
	return err
}
