package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sony/gobreaker/v2"
)

// Messages of the limiter actors. Every message caused by a request
// carries its request ID, so the actor's log lines name the request.
//
// All of them opt out of protoactor's dead-letter log: after shutdown a
// late release or stamp to a stopped actor is expected, and Do reports a
// stopped limiter itself (ErrLimiterDown).

// acquireLane asks a lane for a permit. Reply: *granted or *refused.
type acquireLane struct {
	ticket uint64
	reqID  string
	op     string
	prio   Priority
}

// releaseLane gives a permit back. pause > 0 (after a 429) pauses the lane.
type releaseLane struct {
	ticket uint64
	reqID  string
	op     string
	pause  time.Duration
}

// cancelLane withdraws a waiter whose caller gave up; if the permit was
// already granted, the lane takes it back.
type cancelLane struct {
	ticket uint64
	reqID  string
}

// laneWake is the lane's own timer message (pause over).
type laneWake struct{}

// breakerChanged tells a lane its breaker changed state.
type breakerChanged struct{ from, to gobreaker.State }

// breakerCheck asks the lane to look at its breaker again (an open
// breaker turns half-open only when someone looks after the timeout).
type breakerCheck struct{}

// acquireRate asks the rate actor for a start grant. Reply: *granted or
// *refused.
type acquireRate struct {
	ticket uint64
	lane   Lane
	reqID  string
	op     string
	prio   Priority
}

// cancelRate withdraws a waiter, or gives back a grant that was never
// used (no request went out), freeing its slot.
type cancelRate struct {
	ticket uint64
	reqID  string
}

// stampRate reports when the request of a grant went out (see startWindow).
type stampRate struct {
	ticket uint64
	at     time.Time
}

// pauseLane tells the rate actor to hold back grants for a lane until.
type pauseLane struct {
	lane  Lane
	until time.Time
	reqID string
}

// rateWake is the rate actor's own timer message (a slot frees up or a
// lane pause ends).
type rateWake struct{}

// granted is the positive reply to an acquire.
type granted struct{}

// refused is the negative reply to an acquire.
type refused struct{ kind error }

// inspect asks a limiter actor for its state. Reply: LaneStatus or RateStatus.
type inspect struct{}

// injectedPanic makes the receiving actor panic with reason. Only this
// package's supervision tests send it.
type injectedPanic struct{ reason any }

// childrenQuery asks the upstream supervisor for its children's PIDs.
// Reply: *children.
type childrenQuery struct{}

type children struct {
	rate  *actor.PID
	lanes map[Lane]*actor.PID
}

func (*acquireLane) IgnoreDeadLetterLogging()    {}
func (*releaseLane) IgnoreDeadLetterLogging()    {}
func (*cancelLane) IgnoreDeadLetterLogging()     {}
func (*laneWake) IgnoreDeadLetterLogging()       {}
func (*breakerChanged) IgnoreDeadLetterLogging() {}
func (*breakerCheck) IgnoreDeadLetterLogging()   {}
func (*acquireRate) IgnoreDeadLetterLogging()    {}
func (*cancelRate) IgnoreDeadLetterLogging()     {}
func (*stampRate) IgnoreDeadLetterLogging()      {}
func (*pauseLane) IgnoreDeadLetterLogging()      {}
func (*rateWake) IgnoreDeadLetterLogging()       {}
func (*granted) IgnoreDeadLetterLogging()        {}
func (*refused) IgnoreDeadLetterLogging()        {}
func (*inspect) IgnoreDeadLetterLogging()        {}

// LaneStatus is one lane's state as its actor sees it.
type LaneStatus struct {
	Lane        Lane      `json:"lane"`
	Cap         int       `json:"cap"`
	InFlight    int       `json:"in_flight"`
	Queued      int       `json:"queued"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
	Breaker     string    `json:"breaker"`
}

// RateStatus is the global rate actor's state.
type RateStatus struct {
	Limit    int           `json:"limit"`
	Span     time.Duration `json:"span"`
	InWindow int           `json:"in_window"`
	Queued   int           `json:"queued"`
}

// Status is a snapshot of every limiter actor.
type Status struct {
	Rate  RateStatus          `json:"rate"`
	Lanes map[Lane]LaneStatus `json:"lanes"`
}
