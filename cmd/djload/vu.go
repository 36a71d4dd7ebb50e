package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// load is what every virtual user of one run shares.
type load struct {
	opts   *options
	sc     *Scenario
	c      *client
	rec    *recorder
	choose *chooser
	users  []*demoUser
	// missing holds optional operations whose route the server does not
	// serve (from /api/openapi.json); read-only once users start.
	missing map[string]bool

	streams  atomic.Int64 // SSE streams open now
	active   atomic.Int64 // users started and not finished
	loggedIn atomic.Int64 // users whose login succeeded
	dropped  atomic.Int64 // open-loop arrivals with no idle user
}

// vu is one virtual user: a browser tab with its own session token.
type vu struct {
	l     *load
	user  *demoUser
	token string
	rng   *rand.Rand
}

func (l *load) newVU(id int) *vu {
	return &vu{
		l:    l,
		user: l.users[id%len(l.users)],
		rng:  rand.New(rand.NewPCG(l.opts.seed, uint64(id))),
	}
}

// record keeps an outcome, except a failure caused by the run ending
// (its context cancelled): stopping is not an error of the server.
func (v *vu) record(ctx context.Context, o outcome) {
	if o.failed() && ctx.Err() != nil && (errors.Is(o.err, context.Canceled) || o.kind == kindTimeout || o.kind == kindTransport || o.kind == kindStreamShort) {
		return
	}
	v.l.rec.record(o)
}

// start logs the user in and runs the scenario's setup; false when the
// login failed (already recorded) or the run ended first. Steps begin
// only before stop; a step in flight at the end finishes under ctx.
func (v *vu) start(stop, ctx context.Context) bool {
	token, o := v.l.c.login(ctx, v.user.id)
	v.record(ctx, o)
	if token == "" {
		return false
	}
	v.token = token
	v.l.loggedIn.Add(1)
	for _, name := range v.l.sc.Setup {
		if stop.Err() != nil {
			return false
		}
		v.do(ctx, Operation{Op: name, Count: 10})
	}
	return stop.Err() == nil
}

// hold keeps the scenario's held streams open until ctx ends,
// reconnecting (after a pause) whenever the server closes one.
func (v *vu) hold(ctx context.Context, wg *sync.WaitGroup) {
	for _, h := range v.l.sc.Hold {
		op := holdOps[h.Stream]
		if v.l.missing[op] {
			continue
		}
		wg.Go(func() {
			for ctx.Err() == nil {
				opened := v.holdStream(ctx, op)
				pause := time.Second
				if !opened {
					pause = 5 * time.Second
				}
				sleepCtx(ctx, pause)
			}
		})
	}
}

// closedLoop runs operations back to back with think times until stop
// ends; requests in flight then finish under ctx.
func (v *vu) closedLoop(stop, ctx context.Context) {
	for stop.Err() == nil {
		op, ok := v.l.choose.pick(v.rng.Float64())
		if !ok {
			return
		}
		v.do(ctx, op)
		rg := v.l.sc.ThinkTime
		if op.Think != nil {
			rg = *op.Think
		}
		sleepCtx(stop, think(v.rng, rg))
	}
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
