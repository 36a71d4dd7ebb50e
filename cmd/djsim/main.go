// Command djsim runs the upstream simulator (Spotify Accounts and Web
// API, Last.fm, Deezer, Anthropic) as its own process, for load tests and
// for pointing a djd with -upstream real at it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"dj/upstream/sim"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "djsim:", err)
		os.Exit(1)
	}
}

// faultFlags collects repeated -fault values.
type faultFlags []sim.Fault

func (f *faultFlags) String() string { return fmt.Sprint(len(*f), " faults") }

func (f *faultFlags) Set(v string) error {
	fault, err := sim.ParseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, fault)
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("djsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on (loopback)")
	seed := fs.Uint64("seed", 1, "catalog seed: the same seed gives the same catalog")
	latency := fs.String("latency", "none", "upstream latency model: none or realistic")
	tokenTTL := fs.Duration("token-ttl", time.Hour, "lifetime of simulated Spotify access tokens")
	var faults faultFlags
	fs.Var(&faults, "fault", "fault to inject, api:kind[:key=value,...], repeatable;\n"+
		"e.g. lastfm:429:retry_after=2,count=3 or spotify:hang:path=/v1/me/player\n"+
		"kinds: 429 500 502 503 529 401 hang reset malformed error200 stream_error stream_cut")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "djsim — simulator of the Spotify, Last.fm, Deezer and Anthropic APIs.\n\nUsage: djsim [flags]\n\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nControl: GET /_sim/stats, POST /_sim/reset, GET|POST|DELETE /_sim/faults, GET|PUT /_sim/latency, GET /_sim/catalog\n")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := sim.Config{Seed: *seed, Faults: faults, AccessTokenTTL: *tokenTTL,
		Logger: slog.New(slog.NewJSONHandler(stdout, nil))}
	switch *latency {
	case "realistic":
		cfg.Latency = sim.DefaultLatencies()
	case "none":
	default:
		return fmt.Errorf("-latency %q: want none or realistic", *latency)
	}
	s, err := sim.New(cfg)
	if err != nil {
		return err
	}
	if err := s.Start(*addr); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "djsim listening on %s\n  accounts  %s\n  spotify   %s\n  lastfm    %s\n  deezer    %s\n  anthropic %s\n",
		s.URL(), s.BaseURL("accounts"), s.BaseURL("spotify"), s.BaseURL("lastfm"), s.BaseURL("deezer"), s.BaseURL("anthropic"))
	if len(faults) > 0 {
		names := make([]string, len(faults))
		for i, f := range faults {
			names[i] = f.API + ":" + string(f.Kind)
		}
		fmt.Fprintf(stderr, "  faults    %s\n", strings.Join(names, ", "))
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return s.Close()
}
