package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// progress prints one status line a second to stderr: rewritten in place
// on a terminal, one line per second otherwise (logs, CI).
type progress struct {
	out   io.Writer
	tty   bool
	start time.Time
	quiet bool
}

func newProgress(out io.Writer, quiet bool) *progress {
	tty := false
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{out: out, tty: tty, start: time.Now(), quiet: quiet}
}

// run calls line every second until ctx ends and prints what it returns.
func (p *progress) run(ctx context.Context, line func() string) {
	if p.quiet {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if p.tty {
				fmt.Fprintln(p.out)
			}
			return
		case <-t.C:
			s := fmt.Sprintf("[%4.0fs] %s", time.Since(p.start).Seconds(), line())
			if p.tty {
				fmt.Fprintf(p.out, "\r\033[K%s", s)
			} else {
				fmt.Fprintln(p.out, s)
			}
		}
	}
}

// loadLine is the load mode's progress: users, request rate, errors,
// interval percentiles, streams, upstream window and server memory.
func loadLine(l *load, s *sampler) func() string {
	return func() string {
		reqs, p50, p99 := l.rec.interval()
		smp := s.latest()
		total, errs := l.rec.total.Load(), l.rec.errors.Load()
		return fmt.Sprintf("users %d (logged in %d)  req/s %d  errors %d/%d  p50 %s p99 %s  streams %d  upstream 1s-window %d (max %d)  rss %s",
			l.active.Load(), l.loggedIn.Load(), reqs, errs, total, fmtMS(p50), fmtMS(p99), l.streams.Load(), smp.simWindow, smp.simMaxWin, fmtBytes(smp.rss))
	}
}

// fmtBytes prints a byte count in MiB.
func fmtBytes(b int64) string {
	if b <= 0 {
		return "?"
	}
	return formatFloat(float64(b)/(1<<20), 1) + " MiB"
}
