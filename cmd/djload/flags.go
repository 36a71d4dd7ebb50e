package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// options are djload's flags after parsing.
type options struct {
	mode           string
	target         string
	djd            string
	djsim          string
	simProcess     bool
	simLatency     string
	heartbeat      time.Duration
	serverLogLevel string
	validate       bool
	nice           int
	duration       time.Duration
	report         string
	quiet          bool
	seed           uint64
	timeout        time.Duration
	streamTimeout  time.Duration

	users        int
	rate         float64
	scenario     string
	ramp         time.Duration
	maxErrorRate float64
	maxWindow    int

	streams         int
	streamKind      string
	sourceIPs       int
	dialConcurrency int
	maxRSSPerStream int64

	route       string
	concurrency int
	warmup      time.Duration

	serveBaseline string
	baselineType  string
}

const usageHeader = `djload — load harness for djd (issue 8).

Virtual users log in through the simulator's OAuth flow and exercise djd
over HTTP and SSE. Without -target, djload builds and starts its own
djsim and djd (each its own process on loopback; djd in simulator mode
with -sim-url and a temporary data directory) and stops both at the end. All traffic stays on loopback; every run ends by itself.

Modes:
  load     users run a scenario (closed loop, or an open-loop -rate)
  streams  hold -streams concurrent SSE streams; heartbeat lateness and
           server RSS per stream
  compare  one cached read route against a bare Fiber handler serving the
           same bytes, same client, same run (throughput ratio, p50/p99)
  tokens   one user chats while a loopback packet capture times each model
           token from the simulator to the client (needs CAP_NET_RAW)

A progress line goes to stderr each second; the JSON report to -report.
Exit status: 0 passed, 1 a limit was broken (upstream window above its
limit, a lane above its cap, error rate above the threshold, any 5xx,
server RSS per stream above the threshold), 2 djload could not run.

Scenarios: built-in default, smoke, backlog, or a JSON file; the format is
documented in cmd/djload/scenarios/README.md.

Flags:
`

// parseFlags reads djload's command line.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("djload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mode, "mode", "load", "load, streams, compare or tokens")
	fs.StringVar(&o.target, "target", "", "base URL of a running djd on loopback (simulator mode); empty: start one")
	fs.StringVar(&o.djd, "djd", "", "djd binary to start when -target is empty (default $DJD_BIN, else go build ./cmd/djd)")
	fs.StringVar(&o.djsim, "djsim", "", "djsim binary to start beside a started djd (default $DJSIM_BIN, else go build ./cmd/djsim)")
	fs.BoolVar(&o.simProcess, "sim-process", true, "run the simulator of a started djd as its own djsim process (djd -sim-url); false: inside djd")
	fs.StringVar(&o.simLatency, "sim-latency", "realistic", "simulator latency of a started djd: none or realistic")
	fs.DurationVar(&o.heartbeat, "heartbeat", 15*time.Second, "SSE heartbeat interval: passed to a started djd as DJ_SSE_HEARTBEAT and used to judge lateness")
	fs.StringVar(&o.serverLogLevel, "server-log-level", "info", "log level of a started djd (its log is kept in the temp dir when the run fails)")
	fs.IntVar(&o.nice, "nice", 0, "start djd (and compare mode's baseline) at this nice value, e.g. -10 on a shared machine (negative needs root); run djload itself under nice(1) to match")
	fs.BoolVar(&o.validate, "validate", false, "start djd with DJ_VALIDATE_RESPONSES=1 (every response checked against its schema)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long the run lasts (streams mode: how long the streams are held; compare mode: per side; tokens mode: chats back to back)")
	fs.StringVar(&o.report, "report", "", "write the JSON report to this file")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress line")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the users' random choices")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "per-request timeout")
	fs.DurationVar(&o.streamTimeout, "stream-timeout", 2*time.Minute, "longest a chat or steer stream may take to finish")

	fs.IntVar(&o.users, "users", 20, "virtual users (load); logged-in accounts whose tokens the streams or requests use (streams, compare). The simulator has 50 demo users: above 50, users share accounts and mixes")
	fs.Float64Var(&o.rate, "rate", 0, "open loop: operations started per second across all users (0: closed loop with think times); compare mode: requests per second across the connections (0: each connection back to back)")
	fs.StringVar(&o.scenario, "scenario", "default", "built-in scenario name or scenario JSON file")
	fs.DurationVar(&o.ramp, "ramp", 5*time.Second, "spread the users' logins over this long")
	fs.Float64Var(&o.maxErrorRate, "max-error-rate", -1, "largest tolerated share of failed requests; negative: the scenario's, else 0.01")
	fs.IntVar(&o.maxWindow, "max-upstream-window", 0, "most upstream requests allowed in any 1 s window (default: the scenario's, else 40)")

	fs.IntVar(&o.streams, "streams", 1000, "streams mode: concurrent SSE streams to hold")
	fs.StringVar(&o.streamKind, "stream-kind", "chat_events", "streams mode: chat_events (GET /api/chat-stream/events) or player (GET /api/player/stream)")
	fs.IntVar(&o.sourceIPs, "source-ips", 0, "streams mode: spread client sockets over 127.0.0.1..127.0.0.N (0: one address per 20,000 streams)")
	fs.IntVar(&o.dialConcurrency, "dial-concurrency", 200, "streams mode: connections being opened at once")
	fs.Int64Var(&o.maxRSSPerStream, "max-rss-per-stream", 0, "largest server RSS growth per open stream in bytes (default: the scenario's, else 20480)")

	fs.StringVar(&o.route, "route", "/api/mix/queue", "compare mode: the cached read route (GET, with each user's token)")
	fs.IntVar(&o.concurrency, "concurrency", 1000, "compare mode: concurrent keep-alive connections (back to back, or paced by -rate)")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "compare mode: unmeasured load before each side")

	fs.StringVar(&o.serveBaseline, "serve-baseline", "", "internal (compare mode starts it): serve this file's bytes with a bare Fiber handler")
	fs.StringVar(&o.baselineType, "baseline-type", "application/json", "internal: content type for -serve-baseline")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return o, o.validateFlags()
}

func (o *options) validateFlags() error {
	var errs []error
	switch o.mode {
	case "load", "streams", "compare", "tokens":
	default:
		errs = append(errs, fmt.Errorf("-mode %q: want load, streams, compare or tokens", o.mode))
	}
	if o.simLatency != "none" && o.simLatency != "realistic" {
		errs = append(errs, fmt.Errorf("-sim-latency %q: want none or realistic", o.simLatency))
	}
	if o.duration <= 0 || o.duration > 24*time.Hour {
		errs = append(errs, errors.New("-duration: want a positive duration up to 24h"))
	}
	if o.heartbeat <= 0 {
		errs = append(errs, errors.New("-heartbeat must be positive"))
	}
	if o.users < 1 || o.users > 100_000 {
		errs = append(errs, errors.New("-users: want 1..100000"))
	}
	if o.rate < 0 || o.rate > 100_000 {
		errs = append(errs, errors.New("-rate: want 0..100000"))
	}
	if o.streams < 1 || o.streams > 1_000_000 {
		errs = append(errs, errors.New("-streams: want 1..1000000"))
	}
	if o.streamKind != "chat_events" && o.streamKind != "player" {
		errs = append(errs, fmt.Errorf("-stream-kind %q: want chat_events or player", o.streamKind))
	}
	if o.sourceIPs < 0 || o.sourceIPs > 254 {
		errs = append(errs, errors.New("-source-ips: want 0..254"))
	}
	if o.nice < -20 || o.nice > 19 {
		errs = append(errs, errors.New("-nice: want -20..19"))
	}
	if o.dialConcurrency < 1 {
		errs = append(errs, errors.New("-dial-concurrency must be positive"))
	}
	if o.concurrency < 1 || o.concurrency > 100_000 {
		errs = append(errs, errors.New("-concurrency: want 1..100000"))
	}
	if !strings.HasPrefix(o.route, "/") {
		errs = append(errs, errors.New("-route: want a path such as /api/mix/queue"))
	}
	if o.timeout <= 0 || o.streamTimeout <= 0 {
		errs = append(errs, errors.New("-timeout and -stream-timeout must be positive"))
	}
	if o.maxErrorRate > 1 {
		errs = append(errs, errors.New("-max-error-rate: want 0..1"))
	}
	return errors.Join(errs...)
}
