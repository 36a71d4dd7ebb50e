package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Goals of benchmark P2 (docs/benchmarks.md): the cached read route keeps
// 60 % of a bare handler's throughput with a p99 of at most 5 ms.
const (
	goalRatio = 0.6
	goalP99MS = 5.0
)

// CompareReport is the compare mode's part of the report.
type CompareReport struct {
	Route       string     `json:"route"`
	Concurrency int        `json:"concurrency"`
	Rate        float64    `json:"open_loop_rate,omitempty"`
	BodyBytes   int        `json:"body_bytes"`
	Users       int        `json:"users"`
	DJD         SideReport `json:"djd"`
	Baseline    SideReport `json:"baseline"`
	Ratio       float64    `json:"throughput_ratio"`
	// CPURatio is the baseline's server CPU per request over djd's: the
	// throughput ratio djd would reach if the server had the cores to
	// itself.
	CPURatio  float64 `json:"server_cpu_ratio,omitempty"`
	GoalRatio float64 `json:"goal_ratio"`
	GoalP99MS float64 `json:"goal_p99_ms"`
	// RatioGoalMet judges throughput, which only a closed loop (every
	// connection back to back) measures; nil in an open-loop run.
	RatioGoalMet *bool `json:"ratio_goal_met"`
	P99GoalMet   bool  `json:"p99_goal_met"`
}

// SideReport is one side's figures.
type SideReport struct {
	URL      string         `json:"url"`
	Requests int64          `json:"requests"`
	Errors   int64          `json:"errors"`
	RPS      float64        `json:"rps"`
	Latency  LatencySummary `json:"latency"`
	Statuses map[int]int64  `json:"statuses"`
	// CPU time the server process and djload used while measuring,
	// per request: robust to the two sharing the machine's cores.
	ServerCPUS        float64 `json:"server_cpu_s"`
	ServerCPUPerReqUS float64 `json:"server_cpu_us_per_request"`
	ClientCPUPerReqUS float64 `json:"client_cpu_us_per_request"`
	LastError         string  `json:"last_error,omitempty"`
	// ErrorsBy counts transport failures by what failed (dial, read,
	// write) and how (timeout, EOF, reset, refused, other).
	ErrorsBy map[string]int64 `json:"errors_by,omitempty"`
}

// runCompare measures one cached read route of djd and a bare Fiber
// handler serving the very bytes that route returned, with the same
// client, concurrency and duration, one after the other in one run.
func runCompare(ctx context.Context, o *options, t *target, limits Limits, stderr io.Writer) (*Report, error) {
	rec := newRecorder()
	c := newClient(t.url, 16, o.timeout)
	defer c.close()
	tokens, err := loginMany(ctx, c, t, min(o.users, 50), rec)
	if err != nil {
		return nil, err
	}
	if err := startMixes(ctx, c, t, o.route, tokens, rec); err != nil {
		return nil, err
	}
	body, ctype, _, err := fetchOnce(ctx, c, o.route, tokens[0])
	if err != nil {
		return nil, err
	}
	base, err := startBaseline(ctx, body, ctype, o.nice, stderr)
	if err != nil {
		return nil, err
	}
	defer base.stop()
	if err := t.resetSim(ctx); err != nil {
		return nil, err
	}
	samp := &sampler{hc: t.hc, simURL: t.sim, metricsURL: t.url + "/metrics", rss: t.rss}
	first := samp.take(ctx)
	start := time.Now()
	bgCtx, stopBG := context.WithCancel(ctx)
	var bg sync.WaitGroup
	bg.Go(func() { samp.run(bgCtx) })
	cmp := &CompareReport{Route: o.route, Concurrency: o.concurrency, Rate: o.rate, BodyBytes: len(body), Users: len(tokens), GoalRatio: goalRatio, GoalP99MS: goalP99MS}
	fmt.Fprintf(stderr, "djload: djd %s, %d connections, %s warm-up + %s\n", o.route, o.concurrency, o.warmup, o.duration)
	cmp.DJD = hammer(ctx, t.url+o.route, tokens, o, t.cpu, stderr)
	fmt.Fprintf(stderr, "djload: bare Fiber handler, same bytes, %d connections, %s warm-up + %s\n", o.concurrency, o.warmup, o.duration)
	cmp.Baseline = hammer(ctx, base.url+o.route, tokens, o, base.cpu, stderr)
	last := samp.take(ctx)
	stopBG()
	bg.Wait()
	if cmp.Baseline.RPS > 0 {
		cmp.Ratio = round4(cmp.DJD.RPS / cmp.Baseline.RPS)
	}
	if cmp.DJD.ServerCPUPerReqUS > 0 {
		cmp.CPURatio = round4(cmp.Baseline.ServerCPUPerReqUS / cmp.DJD.ServerCPUPerReqUS)
	}
	cmp.P99GoalMet = cmp.DJD.Latency.P99 <= goalP99MS && cmp.DJD.Errors == 0
	if o.rate == 0 {
		met := cmp.Ratio >= goalRatio
		cmp.RatioGoalMet = &met
	}
	r := &Report{Mode: "compare", StartedAt: start.UTC(), DurationS: round2(time.Since(start).Seconds()),
		Operations: rec.report(time.Since(start)), Compare: cmp, Limits: limitsReport(limits)}
	r.Requests = RequestsReport{Total: cmp.DJD.Requests, Errors: cmp.DJD.Errors, RPS: cmp.DJD.RPS}
	for code, n := range cmp.DJD.Statuses {
		if code >= 500 {
			r.Requests.Status5xx += n
		}
	}
	if r.Requests.Total > 0 {
		r.Requests.ErrorRate = round4(float64(r.Requests.Errors) / float64(r.Requests.Total))
	}
	if st, ok := samp.simStats(); ok {
		r.Upstream = upstreamReport(st, samp.all(), limits)
	}
	r.Server = ServerReport{RSSStartBytes: first.rss, RSSPeakBytes: samp.peak(), RSSEndBytes: last.rss}
	if cmp.RatioGoalMet != nil && !*cmp.RatioGoalMet {
		r.Notes = append(r.Notes, fmt.Sprintf("P2 throughput goal missed: djd served %.2f× the bare handler's requests/s (goal ≥ %.1f×); server CPU per request %.1f µs against %.1f µs",
			cmp.Ratio, goalRatio, cmp.DJD.ServerCPUPerReqUS, cmp.Baseline.ServerCPUPerReqUS))
	}
	if !cmp.P99GoalMet {
		r.Notes = append(r.Notes, fmt.Sprintf("P2 latency goal missed: djd p99 %.2f ms (goal ≤ %.0f ms; the bare handler's p99 in the same run: %.2f ms), %d errors",
			cmp.DJD.Latency.P99, goalP99MS, cmp.Baseline.Latency.P99, cmp.DJD.Errors))
	}
	return r, nil
}

// startMixes starts a mix for each logged-in user whose read of the
// route answers 404 (no mix yet), so the mix read routes have something
// to read; users who already have one, and routes that need none, cost
// no upstream calls.
func startMixes(ctx context.Context, c *client, t *target, route string, tokens []string, rec *recorder) error {
	users, err := loadDemoUsers(ctx, t.hc, t.sim)
	if err != nil {
		return err
	}
	for i, tok := range tokens {
		if _, _, status, err := fetchOnce(ctx, c, route, tok); err == nil || status != http.StatusNotFound {
			continue
		}
		body := map[string]any{}
		if pl := users[i%len(users)].playlists; len(pl) > 0 {
			body["seedPlaylistId"] = pl[0]
		}
		o := c.call(ctx, "mix_start", http.MethodPost, "/api/mix/start", tok, body, nil, nil)
		rec.record(o)
		if o.failed() {
			return fmt.Errorf("start a mix for the compared route: %s", describeSample(sampleOf(o)))
		}
	}
	return nil
}

// fetchOnce reads the route once: the bytes the baseline will serve. A
// status other than 200 is an error that carries the status.
func fetchOnce(ctx context.Context, c *client, route, token string) ([]byte, string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+route, nil)
	if err != nil {
		return nil, "", 0, fmt.Errorf("compare route: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, "", 0, fmt.Errorf("compare route: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, "", resp.StatusCode, fmt.Errorf("compare route: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", resp.StatusCode, fmt.Errorf("compare route GET %s: status %d: %.300s", route, resp.StatusCode, body)
	}
	return body, resp.Header.Get("Content-Type"), resp.StatusCode, nil
}

// hammer runs o.concurrency keep-alive connections against url for the
// warm-up (not measured) and then o.duration (measured). serverCPU reads
// the server's CPU time (nil: unknown), so the report can give CPU per
// request on each side — the figure that stays meaningful when client and
// server share two cores.
func hammer(ctx context.Context, url string, tokens []string, o *options, serverCPU func() (time.Duration, error), stderr io.Writer) SideReport {
	const shards = 16
	var hists [shards]struct {
		sync.Mutex
		h *hdrhistogram.Histogram
	}
	for i := range hists {
		hists[i].h = newHist()
	}
	var measuring atomic.Bool
	var reqs, errs atomic.Int64
	var stMu sync.Mutex
	statuses := map[int]int64{}
	var lastErr atomic.Value
	errsBy := map[string]int64{}
	runCtx, stop := context.WithTimeout(ctx, o.warmup+o.duration)
	defer stop()
	// Open loop (-rate): each connection sends every `every`, phases
	// spread evenly, and latency counts from when a request was due, so
	// a server that falls behind is charged for the wait (no coordinated
	// omission). Closed loop: back to back.
	var every time.Duration
	if o.rate > 0 {
		every = time.Duration(float64(o.concurrency) / o.rate * float64(time.Second))
	}
	// Connect every connection first, a few at a time, so the measured
	// phase is not a connection storm against the listen backlog.
	conns := make([]*rawConn, o.concurrency)
	var dialWG sync.WaitGroup
	dialSem := make(chan struct{}, 64)
	for i := range conns {
		dialSem <- struct{}{}
		dialWG.Go(func() {
			defer func() { <-dialSem }()
			rc, err := newRawConn(url, "Bearer "+tokens[i%len(tokens)])
			if err == nil {
				for try := 0; try < 3; try++ {
					if err = rc.dial(runCtx); err == nil {
						break
					}
				}
			}
			if err != nil {
				lastErr.Store(err.Error())
			}
			conns[i] = rc
		})
	}
	dialWG.Wait()
	begin := time.Now()
	var wg sync.WaitGroup
	for i := range o.concurrency {
		wg.Go(func() {
			shard := &hists[i%shards]
			rc := conns[i]
			if rc == nil {
				return
			}
			defer rc.close()
			due := begin
			if every > 0 {
				due = begin.Add(every * time.Duration(i) / time.Duration(o.concurrency))
			}
			for runCtx.Err() == nil {
				t0 := time.Now()
				if every > 0 {
					sleepCtx(runCtx, time.Until(due))
					t0, due = due, due.Add(every)
				}
				on := measuring.Load()
				code, err := rc.get(runCtx)
				d := time.Since(t0)
				if !on || !measuring.Load() || runCtx.Err() != nil {
					continue
				}
				reqs.Add(1)
				if err != nil || code != http.StatusOK {
					errs.Add(1)
				}
				stMu.Lock()
				statuses[code]++
				if err != nil {
					errsBy[transportKind(err)]++
					lastErr.Store(err.Error())
				}
				stMu.Unlock()
				shard.Lock()
				recordDur(shard.h, d)
				shard.Unlock()
			}
		})
	}
	sleepCtx(runCtx, o.warmup)
	cpu0, cpuErr := cpuOf(serverCPU)
	self0 := selfCPU()
	measuring.Store(true)
	t0 := time.Now()
	p := newProgress(stderr, o.quiet)
	pctx, pstop := context.WithCancel(runCtx)
	var last int64
	go p.run(pctx, func() string {
		n := reqs.Load()
		s := fmt.Sprintf("%s  req/s %d  errors %d", url, n-last, errs.Load())
		last = n
		return s
	})
	<-runCtx.Done()
	measuring.Store(false)
	elapsed := time.Since(t0)
	cpu1, cpuErr1 := cpuOf(serverCPU)
	self1 := selfCPU()
	pstop()
	wg.Wait()
	all := newHist()
	for i := range hists {
		all.Merge(hists[i].h)
	}
	side := SideReport{URL: url, Requests: reqs.Load(), Errors: errs.Load(), Latency: summarize(all), Statuses: statuses}
	if len(errsBy) > 0 {
		side.ErrorsBy = errsBy
	}
	if e, ok := lastErr.Load().(string); ok {
		side.LastError = e
	}
	if elapsed > 0 {
		side.RPS = round2(float64(side.Requests) / elapsed.Seconds())
	}
	if side.Requests > 0 {
		side.ClientCPUPerReqUS = round2(float64((self1 - self0).Microseconds()) / float64(side.Requests))
		if cpuErr == nil && cpuErr1 == nil {
			side.ServerCPUS = round2((cpu1 - cpu0).Seconds())
			side.ServerCPUPerReqUS = round2(float64((cpu1 - cpu0).Microseconds()) / float64(side.Requests))
		}
	}
	return side
}

// transportKind names a transport failure for ErrorsBy.
func transportKind(err error) string {
	op := "request"
	var oe *net.OpError
	if errors.As(err, &oe) {
		op = oe.Op
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return op + ": timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return op + ": EOF"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return op + ": reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return op + ": refused"
	default:
		return op + ": other"
	}
}

func cpuOf(f func() (time.Duration, error)) (time.Duration, error) {
	if f == nil {
		return 0, errors.New("no CPU reading")
	}
	return f()
}

// baseline is the bare Fiber server compare mode runs beside djd.
type baseline struct {
	url  string
	ch   *child
	dir  string
	cpu  func() (time.Duration, error)
	stop func()
}

// startBaseline writes the body to a temporary file and starts djload
// itself as the bare Fiber server (-serve-baseline), a process of its own
// like djd, so neither side shares the client's runtime.
func startBaseline(ctx context.Context, body []byte, ctype string, nice int, stderr io.Writer) (*baseline, error) {
	dir, err := os.MkdirTemp("", "djload-baseline-*")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	file := filepath.Join(dir, "body")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("baseline: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("baseline: find djload's binary: %w", err)
	}
	logPath := filepath.Join(dir, "baseline.log")
	logf, err := os.Create(logPath)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("baseline: %w", err)
	}
	ch, url, err := startChild(ctx, exe, []string{"-serve-baseline", file, "-baseline-type", ctype}, nice, baselineRE, logf)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w; its log: %s", err, logPath)
	}
	pid := ch.pid()
	fmt.Fprintf(stderr, "djload: bare Fiber baseline pid %d at %s\n", pid, url)
	return &baseline{url: url, ch: ch, dir: dir,
		cpu: func() (time.Duration, error) { return procCPU(pid) },
		stop: func() {
			ch.stop(5 * time.Second)
			_ = os.RemoveAll(dir)
		}}, nil
}
