package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// drainGrace is how long operations in flight at the end of the run may
// take to finish before they are cancelled (and not counted).
const drainGrace = 15 * time.Second

// runLoad runs a scenario against the target and returns the report.
func runLoad(ctx context.Context, o *options, t *target, sc *Scenario, limits Limits, stderr io.Writer) (*Report, error) {
	var err error
	l := &load{opts: o, sc: sc, c: newClient(t.url, o.users*3+16, o.timeout), rec: newRecorder(), missing: map[string]bool{}}
	defer l.c.close()
	if l.users, err = loadDemoUsers(ctx, t.hc, t.sim); err != nil {
		return nil, err
	}
	ops, notes := l.available(t)
	if len(ops) == 0 {
		return nil, fmt.Errorf("scenario %s: none of its operations is served by %s", sc.Name, t.url)
	}
	l.choose = newChooser(ops)
	if err := t.resetSim(ctx); err != nil {
		return nil, err
	}
	samp := &sampler{hc: t.hc, simURL: t.sim, metricsURL: t.url + "/metrics", rss: t.rss, clientStreams: l.streams.Load}
	first := samp.take(ctx)

	start := time.Now()
	stopCtx, stop := context.WithTimeout(ctx, o.duration)
	defer stop()
	reqCtx, cancelReq := context.WithCancel(ctx)
	defer cancelReq()
	bgCtx, stopBG := context.WithCancel(ctx)
	var bg sync.WaitGroup
	bg.Go(func() { samp.run(bgCtx) })
	bg.Go(func() { newProgress(stderr, o.quiet).run(bgCtx, loadLine(l, samp)) })

	loggedIn := &l.loggedIn
	var users, held, setup sync.WaitGroup
	idle := make(chan *vu, o.users)
	for i := range o.users {
		v := l.newVU(i)
		setup.Add(1)
		users.Go(func() {
			sleepCtx(stopCtx, o.ramp*time.Duration(i)/time.Duration(o.users))
			if stopCtx.Err() != nil {
				setup.Done()
				return
			}
			l.active.Add(1)
			defer l.active.Add(-1)
			ok := v.start(stopCtx, reqCtx)
			setup.Done()
			if !ok {
				return
			}
			v.hold(stopCtx, &held)
			if o.rate > 0 {
				idle <- v
				return
			}
			v.closedLoop(stopCtx, reqCtx)
		})
	}
	var arrivals sync.WaitGroup
	if o.rate > 0 {
		users.Go(func() {
			setup.Wait()
			l.openLoop(stopCtx, reqCtx, idle, &arrivals)
		})
	}
	<-stopCtx.Done()
	waitDrain(cancelReq, &users, &arrivals, &held)
	elapsed := time.Since(start)
	last := samp.take(ctx)
	stopBG()
	bg.Wait()

	r := &Report{
		Mode: "load", Scenario: sc.Name, StartedAt: start.UTC(), DurationS: round2(elapsed.Seconds()),
		Operations: l.rec.report(elapsed),
		Users: &UsersReport{Requested: o.users, LoggedIn: loggedIn.Load(), DemoUsers: min(o.users, len(l.users)),
			PerDemoUser: (o.users + len(l.users) - 1) / len(l.users), Model: "closed"},
		Limits: limitsReport(limits), Notes: notes,
	}
	if o.rate > 0 {
		r.Users.Model, r.Users.Rate, r.Users.Dropped = "open", o.rate, l.dropped.Load()
	}
	if o.users > len(l.users) {
		r.Notes = append(r.Notes, fmt.Sprintf("%d users share the simulator's %d demo accounts (up to %d per account): "+
			"users of one account share its one mix, and djload serializes their edits of it as one person would", o.users, len(l.users), r.Users.PerDemoUser))
	}
	l.fill(r, samp, first, last, limits, elapsed)
	return r, nil
}

// waitDrain waits for the users to finish the operations they were in
// when the run ended, cancelling what is still running after drainGrace.
func waitDrain(cancel context.CancelFunc, groups ...*sync.WaitGroup) {
	done := make(chan struct{})
	go func() {
		for _, g := range groups {
			g.Wait()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(drainGrace):
		cancel()
		<-done
	}
}

// available drops optional operations whose route the server does not
// serve, recording each as unavailable, and returns the rest with notes.
func (l *load) available(t *target) ([]Operation, []string) {
	var ops []Operation
	var notes []string
	miss := func(op string) {
		if l.missing[op] {
			return
		}
		l.missing[op] = true
		rt := opRoutes[op]
		l.rec.record(outcome{op: op, kind: kindUnavailable, err: fmt.Errorf("%s %s is not in %s/api/openapi.json", rt.method, rt.path, t.url)})
		notes = append(notes, fmt.Sprintf("%s skipped: %s %s is not served yet (optional in the scenario)", op, rt.method, rt.path))
	}
	for _, op := range l.sc.Operations {
		if op.Optional && !t.serves(op.Op) {
			miss(op.Op)
			continue
		}
		ops = append(ops, op)
	}
	for _, h := range l.sc.Hold {
		if op := holdOps[h.Stream]; h.Optional && !t.serves(op) {
			miss(op)
		}
	}
	return ops, notes
}

// openLoop starts operations at -rate per second on idle users; an
// arrival that finds every user busy is dropped and counted.
func (l *load) openLoop(stop, ctx context.Context, idle chan *vu, running *sync.WaitGroup) {
	interval := time.Duration(float64(time.Second) / l.opts.rate)
	t := time.NewTicker(max(interval, time.Microsecond))
	defer t.Stop()
	for {
		select {
		case <-stop.Done():
			return
		case <-t.C:
		}
		select {
		case v := <-idle:
			running.Go(func() {
				defer func() { idle <- v }()
				if op, ok := l.choose.pick(v.rng.Float64()); ok {
					v.do(ctx, op)
				}
			})
		default:
			l.dropped.Add(1)
		}
	}
}

// fill completes a load report from the recorder and the samples.
func (l *load) fill(r *Report, samp *sampler, first, last sample, limits Limits, elapsed time.Duration) {
	r.Requests = RequestsReport{Total: l.rec.total.Load(), Errors: l.rec.errors.Load(), Status5xx: l.rec.fiveXX.Load()}
	if r.Requests.Total > 0 {
		r.Requests.ErrorRate = round4(float64(r.Requests.Errors) / float64(r.Requests.Total))
	}
	if elapsed > 0 {
		r.Requests.RPS = round2(float64(r.Requests.Total) / elapsed.Seconds())
	}
	samples := samp.all()
	if st, ok := samp.simStats(); ok {
		r.Upstream = upstreamReport(st, samples, limits)
	}
	r.Server = ServerReport{RSSStartBytes: first.rss, RSSEndBytes: last.rss, RSSPeakBytes: samp.peak()}
	var atPeak sample
	for _, s := range samples {
		if s.clientStreams > atPeak.clientStreams {
			atPeak = s
		}
	}
	r.Server.StreamsOpenPeak = atPeak.clientStreams
	r.Server.RSSPerStream, r.Server.MemoryJudged = memoryPerStream(first.rss, atPeak.rss, atPeak.clientStreams, limits.MinStreamsForMemory)
}

// effectiveLimits applies the flags that override the scenario's limits.
func effectiveLimits(l Limits, o *options) Limits {
	if o.maxErrorRate >= 0 {
		x := o.maxErrorRate
		l.MaxErrorRate = &x
	}
	if o.maxWindow > 0 {
		l.MaxUpstreamWindow = o.maxWindow
	}
	if o.maxRSSPerStream > 0 {
		l.MaxRSSPerStream = o.maxRSSPerStream
	}
	return l
}
