package actors

import (
	"fmt"
	"log/slog"
	"time"
)

// Config sets up a System. Every zero field takes the default named in its
// comment, so Config{} is the production setting.
type Config struct {
	// RatePerSecond is the most upstream requests that may start inside any
	// Window, across all lanes together (default 40).
	RatePerSecond int
	// Window is the sliding window the rate is counted over (default 1 s).
	Window time.Duration
	// WindowMargin is added to Window when the rate actor decides whether a
	// slot is free (default 25 ms). It covers the time between the moment
	// dj records a request's start and the moment the far end stamps it,
	// so the far end never sees more than RatePerSecond in its own window.
	// A negative value means none.
	WindowMargin time.Duration
	// LaneCaps is the most calls in flight per lane (defaults: anthropic 2,
	// spotify 5, lastfm 10, deezer 10). Missing lanes take the default.
	LaneCaps map[Lane]int
	// CallTimeouts bounds one call per lane (defaults: anthropic 60 s, the
	// others 10 s).
	CallTimeouts map[Lane]time.Duration
	// Breaker configures the per-lane circuit breakers.
	Breaker BreakerConfig
	// StarvationLimit is how much longer than an interactive waiter a
	// background waiter must have waited to go first (default 5 s).
	StarvationLimit time.Duration
	// MaxWait bounds the time one call waits for its lane permit and global
	// grant together (default 60 s); past it Do returns ErrWaitTimeout.
	MaxWait time.Duration
	// MaxQueue bounds each lane's wait queue and the rate actor's queue
	// (default 1024); a full queue refuses with ErrQueueFull.
	MaxQueue int
	// DefaultRetryAfter is the lane pause after a 429 that named no
	// Retry-After (default 1 s); MaxRetryAfter caps any pause (default
	// 10 min).
	DefaultRetryAfter time.Duration
	MaxRetryAfter     time.Duration
	// DrainTimeout bounds how long Shutdown waits for tracked work (default
	// 10 s).
	DrainTimeout time.Duration
	// Restarts and RestartWindow bound supervision: a limiter actor that
	// fails more than Restarts times within RestartWindow is stopped
	// (defaults 3 and 10 s).
	Restarts      int
	RestartWindow time.Duration
	// ActorLogLevel is the least level of protoactor's own log lines that
	// reach the logger (default Info).
	ActorLogLevel slog.Level
	// DeadLetterThrottle is protoactor's dead-letter log throttle interval
	// (default 1 s; tests use a few milliseconds).
	DeadLetterThrottle time.Duration

	// Shared, when set, makes RatePerSecond and LaneCaps hold for every
	// System that shares it (the nodes of a cluster) instead of for this
	// one alone: see SharedLimits. nil (the default) is a single node,
	// and nothing below applies. Every node must use the same rate, window
	// and caps.
	Shared SharedLimits
	// SharedTTL is how long a lane lease or a pending start outlives the
	// last renewal by its node (default 5 s; renewed every third of it),
	// so the slots of a node that died free within about that long.
	SharedTTL time.Duration
	// SharedPoll is the longest a waiter refused by Shared waits before
	// the actor asks again (default 25 ms): other nodes' releases are not
	// pushed, so this bounds how late a freed slot is seen.
	SharedPoll time.Duration
	// SharedTimeout bounds one round trip to Shared (default 500 ms).
	// Past it, or on any error, waiters are refused with
	// ErrSharedLimitsDown: the limiter fails closed. It must be at most a
	// third of SharedTTL, so a renewal lands before its lease expires.
	SharedTimeout time.Duration
	// Cluster makes the System a member of a protoactor cluster whose
	// session actors are grains (see ClusterConfig); nil: single node.
	Cluster *ClusterConfig

	hooks *hooks // test observation points; nil in production
}

// BreakerConfig configures one gobreaker per lane. The breaker trips on
// ConsecutiveFailures failures in a row, or when, over at least
// MinRequests calls within Interval, the share of failures reaches
// FailureRatio. After OpenTimeout it lets HalfOpenProbes calls through;
// if they succeed it closes, if one fails it opens again.
type BreakerConfig struct {
	ConsecutiveFailures uint32        // default 5
	FailureRatio        float64       // default 0.5
	MinRequests         uint32        // default 20
	Interval            time.Duration // rolling count window, default 60 s
	OpenTimeout         time.Duration // default 30 s
	HalfOpenProbes      uint32        // default 1
}

var (
	defaultLaneCaps = map[Lane]int{
		LaneAnthropic: 2,
		LaneSpotify:   5,
		LaneLastfm:    10,
		LaneDeezer:    10,
	}
	defaultCallTimeouts = map[Lane]time.Duration{
		LaneAnthropic: 60 * time.Second,
		LaneSpotify:   10 * time.Second,
		LaneLastfm:    10 * time.Second,
		LaneDeezer:    10 * time.Second,
	}
)

// withDefaults returns a copy of c with every zero field filled in.
func (c Config) withDefaults() (Config, error) {
	setInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	setInt(&c.RatePerSecond, 40)
	setDur(&c.Window, time.Second)
	setDur(&c.WindowMargin, 25*time.Millisecond)
	if c.WindowMargin < 0 {
		c.WindowMargin = 0
	}
	setDur(&c.StarvationLimit, 5*time.Second)
	setDur(&c.MaxWait, time.Minute)
	setInt(&c.MaxQueue, 1024)
	setDur(&c.DefaultRetryAfter, time.Second)
	setDur(&c.MaxRetryAfter, 10*time.Minute)
	setDur(&c.DrainTimeout, 10*time.Second)
	setInt(&c.Restarts, 3)
	setDur(&c.RestartWindow, 10*time.Second)
	setDur(&c.DeadLetterThrottle, time.Second)
	setDur(&c.SharedTTL, 5*time.Second)
	setDur(&c.SharedPoll, 25*time.Millisecond)
	setDur(&c.SharedTimeout, 500*time.Millisecond)

	caps := make(map[Lane]int, len(defaultLaneCaps))
	timeouts := make(map[Lane]time.Duration, len(defaultCallTimeouts))
	for _, l := range Lanes() {
		caps[l] = defaultLaneCaps[l]
		timeouts[l] = defaultCallTimeouts[l]
	}
	for l, n := range c.LaneCaps {
		caps[l] = n
	}
	for l, d := range c.CallTimeouts {
		timeouts[l] = d
	}
	for l, n := range caps {
		if n <= 0 {
			return c, fmt.Errorf("actors: lane %s: cap must be positive, got %d", l, n)
		}
		if _, ok := timeouts[l]; !ok {
			timeouts[l] = 10 * time.Second
		}
	}
	for l, d := range timeouts {
		if _, ok := caps[l]; !ok {
			return c, fmt.Errorf("actors: lane %s has a timeout but no cap", l)
		}
		if d <= 0 {
			return c, fmt.Errorf("actors: lane %s: call timeout must be positive", l)
		}
	}
	c.LaneCaps, c.CallTimeouts = caps, timeouts

	b := &c.Breaker
	if b.ConsecutiveFailures == 0 {
		b.ConsecutiveFailures = 5
	}
	if b.FailureRatio == 0 {
		b.FailureRatio = 0.5
	}
	if b.MinRequests == 0 {
		b.MinRequests = 20
	}
	setDur(&b.Interval, time.Minute)
	setDur(&b.OpenTimeout, 30*time.Second)
	if b.HalfOpenProbes == 0 {
		b.HalfOpenProbes = 1
	}

	switch {
	case c.RatePerSecond < 0:
		return c, fmt.Errorf("actors: RatePerSecond must be positive, got %d", c.RatePerSecond)
	case c.Window < 0, c.StarvationLimit < 0, c.MaxWait < 0, c.DrainTimeout < 0:
		return c, fmt.Errorf("actors: durations must not be negative")
	case c.MaxQueue < 0 || c.Restarts < 0:
		return c, fmt.Errorf("actors: MaxQueue and Restarts must not be negative")
	case b.FailureRatio < 0 || b.FailureRatio > 1:
		return c, fmt.Errorf("actors: Breaker.FailureRatio must be within [0,1], got %g", b.FailureRatio)
	case c.SharedTTL < 0, c.SharedPoll < 0, c.SharedTimeout < 0:
		return c, fmt.Errorf("actors: shared-limit durations must not be negative")
	case c.SharedTimeout*3 > c.SharedTTL:
		return c, fmt.Errorf("actors: SharedTimeout (%s) must be at most a third of SharedTTL (%s)", c.SharedTimeout, c.SharedTTL)
	}
	return c, nil
}

// span is the window the rate actor enforces: Window plus the margin.
func (c Config) span() time.Duration { return c.Window + c.WindowMargin }
