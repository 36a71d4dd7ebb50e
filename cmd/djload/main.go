// Command djload is the load harness of dj (SPEC "Used by" 3): virtual
// users that log in through the simulator's OAuth flow, start mixes, edit
// queues, fetch suggestions, hold player streams and chat against a djd —
// one given with -target, or one djload starts itself on loopback. It
// measures per-operation latency with HDR histograms, reads the
// simulator's accounting of upstream calls, and exits non-zero when a
// limit (upstream rate, lane caps, errors, 5xx, memory per stream) is
// broken.
//
// djload is an outside client: it imports no dj package, only the
// standard library and third-party modules, and speaks HTTP/SSE.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitPassed = 0
	exitFailed = 1 // a limit was broken
	exitError  = 2 // djload could not run
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run parses flags, runs the chosen mode and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPassed
	}
	if err != nil {
		fmt.Fprintln(stderr, "djload:", err)
		return exitError
	}
	if o.serveBaseline != "" {
		if err := serveBaseline(ctx, o, stderr); err != nil {
			fmt.Fprintln(stderr, "djload:", err)
			return exitError
		}
		return exitPassed
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	t, err := openTarget(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "djload:", err)
		return exitError
	}
	machine := newMachineReport()
	r, err := runMode(ctx, o, t, stderr)
	if r != nil {
		machine.LoadAvgEnd = loadAvg()
		r.Machine = machine
		if n := busyNote(r); n != "" {
			r.Notes = append(r.Notes, n)
		}
		r.Target = TargetReport{URL: t.url, Version: t.version, Simulator: t.sim, StartedByDjload: t.child != nil, Heartbeat: o.heartbeat.String()}
		if t.child != nil {
			r.Target.SimLatency = o.simLatency
			r.Target.ServerPID = t.child.pid()
		}
		if t.srv != nil && t.srv.sim != nil {
			r.Target.SimulatorPID = t.srv.sim.pid()
		}
		r.Server.RSSSource = t.rssSource
	}
	if t.child != nil && !t.child.alive() {
		err = errors.Join(err, fmt.Errorf("djd exited during the run (%v); its log: %s", t.child.waitErr, t.child.logPath))
	}
	if t.srv != nil && t.srv.sim != nil && !t.srv.sim.alive() {
		err = errors.Join(err, fmt.Errorf("djsim exited during the run (%v); its log: %s", t.srv.sim.waitErr, t.srv.sim.logPath))
	}
	failed := err != nil || (r != nil && len(r.Violations) > 0)
	t.close(failed)
	if failed && t.child != nil {
		fmt.Fprintf(stderr, "djload: server log kept at %s\n", t.child.logPath)
	}
	if err != nil {
		fmt.Fprintln(stderr, "djload:", err)
		if r == nil {
			return exitError
		}
	}
	if o.report != "" {
		if werr := writeReport(o.report, r); werr != nil {
			fmt.Fprintln(stderr, "djload:", werr)
			return exitError
		}
	}
	printSummary(stdout, r, o.report)
	if err != nil {
		return exitError
	}
	if !r.Passed {
		return exitFailed
	}
	return exitPassed
}

// runMode runs the chosen mode and judges the report.
func runMode(ctx context.Context, o *options, t *target, stderr io.Writer) (*Report, error) {
	var r *Report
	var err error
	limits := defaultLimits()
	switch o.mode {
	case "streams":
		limits = effectiveLimits(limits, o)
		r, err = runStreams(ctx, o, t, limits, stderr)
	case "compare":
		limits = effectiveLimits(limits, o)
		r, err = runCompare(ctx, o, t, limits, stderr)
	case "tokens":
		limits = effectiveLimits(limits, o)
		r, err = runTokens(ctx, o, t, limits, stderr)
	default:
		var sc *Scenario
		if sc, err = loadScenario(o.scenario); err != nil {
			return nil, err
		}
		limits = effectiveLimits(sc.Limits, o)
		r, err = runLoad(ctx, o, t, sc, limits, stderr)
	}
	if r == nil {
		return nil, err
	}
	r.Violations = judge(r, limits)
	r.Passed = len(r.Violations) == 0 && err == nil
	return r, err
}
