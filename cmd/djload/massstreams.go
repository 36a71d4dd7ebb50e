package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// StreamsReport is the streams mode's part of the report.
type StreamsReport struct {
	Kind          string         `json:"kind"`
	Path          string         `json:"path"`
	Requested     int            `json:"requested"`
	Target        int            `json:"target"`
	Opened        int64          `json:"opened"`
	Failed        int64          `json:"failed"`
	ClosedEarly   int64          `json:"closed_by_server"`
	HeldAtEnd     int64          `json:"held_at_end"`
	ServerOpen    float64        `json:"server_streams_open_at_end"`
	OpenSeconds   float64        `json:"open_all_s"`
	OpenLatency   LatencySummary `json:"open_latency"`
	SourceIPs     []string       `json:"source_ips"`
	NoFile        noFile         `json:"rlimit_nofile"`
	ServerMaxFDs  float64        `json:"server_max_fds,omitempty"`
	Heartbeat     HeartbeatStats `json:"heartbeat"`
	Events        int64          `json:"events"`
	PerStream     *RuntimeDelta  `json:"server_runtime_per_stream,omitempty"`
	ServerClosedS *float64       `json:"server_released_all_s"`
	ClientNote    string         `json:"client_note,omitempty"`
}

// HeartbeatStats is heartbeat lateness: the gap between two heartbeats of
// one stream (the first: since the response headers) minus the interval.
type HeartbeatStats struct {
	Interval       string         `json:"interval"`
	Configured     string         `json:"configured"`
	Count          int64          `json:"count"`
	GapP50MS       float64        `json:"gap_p50_ms"`
	Lateness       LatencySummary `json:"lateness"`
	IntervalSource string         `json:"interval_source"`
}

// RuntimeDelta is the growth of the server's Go runtime figures (from its
// /metrics) per held stream: where the RSS per stream goes.
type RuntimeDelta struct {
	Goroutines    float64 `json:"goroutines"`
	StackBytes    float64 `json:"stack_inuse_bytes"`
	HeapBytes     float64 `json:"heap_inuse_bytes"`
	HeapAllocated float64 `json:"heap_alloc_bytes"`
	GoSysBytes    float64 `json:"go_sys_bytes"`
}

// runtimeFamilies are the /metrics families RuntimeDelta reads.
var runtimeFamilies = []string{"go_goroutines", "go_memstats_stack_inuse_bytes", "go_memstats_heap_inuse_bytes", "go_memstats_heap_alloc_bytes", "go_memstats_sys_bytes"}

// runtimeDelta divides the growth of each family by n.
func runtimeDelta(before, after map[string]float64, n int64) *RuntimeDelta {
	if n <= 0 || before == nil || after == nil {
		return nil
	}
	d := func(name string) float64 { return round2((after[name] - before[name]) / float64(n)) }
	return &RuntimeDelta{Goroutines: d(runtimeFamilies[0]), StackBytes: d(runtimeFamilies[1]), HeapBytes: d(runtimeFamilies[2]),
		HeapAllocated: d(runtimeFamilies[3]), GoSysBytes: d(runtimeFamilies[4])}
}

// massStreams holds many SSE streams with as little client memory as
// it can: one goroutine, a raw TCP connection and small buffers each.
type massStreams struct {
	host, path string
	tokens     []string
	addrs      []*net.TCPAddr
	rec        *recorder

	open, opened, failed, closedEarly, events, heartbeats atomic.Int64

	interval time.Duration // the configured heartbeat interval

	mu   sync.Mutex
	gaps *hdrhistogram.Histogram // µs between heartbeats
	late *hdrhistogram.Histogram // µs of lateness against interval
	iv   *hdrhistogram.Histogram // lateness, this second only
}

// runStreams is the streams mode: log in, open -streams SSE streams
// spread over source addresses, hold them for -duration, then measure
// how the server let go of them.
func runStreams(ctx context.Context, o *options, t *target, limits Limits, stderr io.Writer) (*Report, error) {
	op := holdOps[o.streamKind]
	path := opRoutes[op].path
	if !t.serves(op) {
		return nil, fmt.Errorf("streams mode: %s does not serve GET %s yet (not in /api/openapi.json)", t.url, path)
	}
	nf, err := raiseNoFile(uint64(o.streams + fdReserve))
	if err != nil {
		return nil, err
	}
	rep := &StreamsReport{Kind: o.streamKind, Path: path, Requested: o.streams, Target: o.streams, NoFile: nf}
	var notes []string
	if int(nf.Soft) < o.streams+fdReserve {
		rep.Target = max(1, int(nf.Soft)-fdReserve)
		notes = append(notes, fmt.Sprintf("RLIMIT_NOFILE hard limit is %d (raising it needs root or CAP_SYS_RESOURCE: ulimit -Hn, /etc/security/limits.conf): "+
			"holding %d streams instead of %d; djd inherits the same limit", nf.Hard, rep.Target, o.streams))
	}
	if m, err := scrape(ctx, t.hc, t.url+"/metrics"); err == nil && m["process_max_fds"] > 0 {
		rep.ServerMaxFDs = m["process_max_fds"]
		if limit := int(m["process_max_fds"]) - fdReserve; rep.Target > limit {
			rep.Target = max(1, limit)
			notes = append(notes, fmt.Sprintf("djd may open %d files (process_max_fds): holding %d streams", int(m["process_max_fds"]), rep.Target))
		}
	}
	u, _ := url.Parse(t.url)
	ms := &massStreams{host: u.Host, path: path, addrs: sourceAddrs(rep.Target, o.sourceIPs), rec: newRecorder(),
		interval: o.heartbeat, gaps: newHist(), late: newHist(), iv: newHist()}
	for _, a := range ms.addrs {
		rep.SourceIPs = append(rep.SourceIPs, a.IP.String())
	}
	c := newClient(t.url, 16, o.timeout)
	defer c.close()
	if ms.tokens, err = loginMany(ctx, c, t, min(o.users, 50), ms.rec); err != nil {
		return nil, err
	}
	if err := t.resetSim(ctx); err != nil {
		return nil, err
	}
	samp := &sampler{hc: t.hc, simURL: t.sim, metricsURL: t.url + "/metrics", rss: t.rss, clientStreams: ms.open.Load}
	before := quietRSS(ctx, samp)
	rtBefore, _ := scrape(ctx, t.hc, t.url+"/metrics")

	bgCtx, stopBG := context.WithCancel(ctx)
	var bg sync.WaitGroup
	bg.Go(func() { samp.run(bgCtx) })
	bg.Go(func() { newProgress(stderr, o.quiet).run(bgCtx, ms.line(rep.Target, samp)) })

	start := time.Now()
	streamCtx, closeAll := context.WithCancel(ctx)
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.dialConcurrency)
	for i := 0; i < rep.Target && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Go(func() { ms.one(streamCtx, i, sem) })
	}
	for range o.dialConcurrency {
		sem <- struct{}{} // every dial has finished (held or failed)
	}
	rep.OpenSeconds = round2(time.Since(start).Seconds())
	sleepCtx(ctx, o.duration)
	held := samp.take(ctx)
	rtHeld, _ := scrape(ctx, t.hc, t.url+"/metrics")
	rep.PerStream = runtimeDelta(rtBefore, rtHeld, held.clientStreams)
	rep.HeldAtEnd, rep.ServerOpen = ms.open.Load(), held.streamsOpen
	closeAll()
	wg.Wait()
	rep.ServerClosedS = waitServerClosed(ctx, samp, 10*time.Second)
	stopBG()
	bg.Wait()

	rep.Opened, rep.Failed, rep.ClosedEarly, rep.Events = ms.opened.Load(), ms.failed.Load(), ms.closedEarly.Load(), ms.events.Load()
	rep.Heartbeat = ms.heartbeatStats(o.heartbeat)
	if rep.Heartbeat.IntervalSource != "configured" {
		notes = append(notes, fmt.Sprintf("heartbeats came every %s, not the configured %s (is DJ_SSE_HEARTBEAT honoured?): lateness is measured against %s",
			rep.Heartbeat.Interval, o.heartbeat, rep.Heartbeat.Interval))
	}
	ops := ms.rec.report(time.Since(start))
	rep.OpenLatency = ops["stream_open"].Latency
	r := &Report{Mode: "streams", StartedAt: start.UTC(), DurationS: round2(time.Since(start).Seconds()), Operations: ops,
		Streams: rep, Limits: limitsReport(limits), Notes: notes}
	r.Requests = RequestsReport{Total: ms.rec.total.Load(), Errors: ms.rec.errors.Load(), Status5xx: ms.rec.fiveXX.Load()}
	if r.Requests.Total > 0 {
		r.Requests.ErrorRate = round4(float64(r.Requests.Errors) / float64(r.Requests.Total))
	}
	if st, ok := samp.simStats(); ok {
		r.Upstream = upstreamReport(st, samp.all(), limits)
	}
	r.Server = ServerReport{RSSStartBytes: before, RSSPeakBytes: samp.peak(), RSSEndBytes: samp.latest().rss, StreamsOpenPeak: held.clientStreams}
	r.Server.RSSPerStream, r.Server.MemoryJudged = memoryPerStream(before, held.rss, held.clientStreams, limits.MinStreamsForMemory)
	return r, nil
}

// loginMany signs in n demo users (recording each login) and returns
// their tokens.
func loginMany(ctx context.Context, c *client, t *target, n int, rec *recorder) ([]string, error) {
	users, err := loadDemoUsers(ctx, t.hc, t.sim)
	if err != nil {
		return nil, err
	}
	tokens := make([]string, min(n, len(users)))
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Go(func() {
			tok, o := c.login(ctx, users[i].id)
			rec.record(o)
			tokens[i] = tok
		})
	}
	wg.Wait()
	var ok []string
	for _, tok := range tokens {
		if tok != "" {
			ok = append(ok, tok)
		}
	}
	if len(ok) == 0 {
		return nil, fmt.Errorf("no demo user could log in (see the login errors in %s/api/health and the server log)", t.url)
	}
	return ok, nil
}

// quietRSS is the server's RSS before the streams: the lowest of three
// readings a second apart, so a garbage collection in flight does not
// inflate the baseline.
func quietRSS(ctx context.Context, s *sampler) int64 {
	var low int64
	for i := range 3 {
		if i > 0 {
			sleepCtx(ctx, time.Second)
		}
		if v := s.take(ctx).rss; v > 0 && (low == 0 || v < low) {
			low = v
		}
	}
	return low
}

// waitServerClosed polls dj_sse_streams_open until it is zero and
// returns how long that took; nil when the server does not export it or
// still holds streams after limit.
func waitServerClosed(ctx context.Context, s *sampler, limit time.Duration) *float64 {
	start := time.Now()
	for time.Since(start) < limit && ctx.Err() == nil {
		smp := s.take(ctx)
		if smp.streamsOpen < 0 {
			return nil
		}
		if smp.streamsOpen == 0 {
			d := round2(time.Since(start).Seconds())
			return &d
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
	return nil
}

// one opens stream i and reads it until ctx ends. It frees its slot in
// sem once the stream is open (or has failed).
func (ms *massStreams) one(ctx context.Context, i int, sem chan struct{}) {
	released := false
	release := func() {
		if !released {
			released = true
			<-sem
		}
	}
	defer release()
	start := time.Now()
	fail := func(o outcome) {
		o.op, o.latency = "stream_open", time.Since(start)
		ms.failed.Add(1)
		if ctx.Err() == nil {
			ms.rec.record(o)
		}
	}
	d := net.Dialer{LocalAddr: ms.addrs[i%len(ms.addrs)], Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", ms.host)
	if err != nil {
		fail(outcome{kind: errKind(ctx, err), err: err})
		return
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	token := ms.tokens[i%len(ms.tokens)]
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", ms.path, ms.host, token); err != nil {
		fail(outcome{kind: errKind(ctx, err), err: err})
		return
	}
	br := bufio.NewReaderSize(conn, 512)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		fail(outcome{kind: errKind(ctx, err), err: fmt.Errorf("read response: %w", err)})
		return
	}
	defer resp.Body.Close()
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		fail(outcome{kind: kindStatus, status: resp.StatusCode, problem: decodeProblem(data)})
		return
	}
	_ = conn.SetDeadline(time.Time{})
	ms.rec.record(outcome{op: "stream_open", latency: time.Since(start), status: resp.StatusCode})
	ms.opened.Add(1)
	ms.open.Add(1)
	defer ms.open.Add(-1)
	release()
	ms.read(ctx, resp.Body)
}

// read consumes a held stream, timing heartbeats, until it ends.
func (ms *massStreams) read(ctx context.Context, body io.Reader) {
	r := newSSEReader(body, 256)
	hb := heartbeatClock{last: time.Now(), interval: ms.interval}
	for {
		f, err := r.next()
		if err != nil {
			if ctx.Err() == nil {
				ms.closedEarly.Add(1)
				ms.rec.record(outcome{op: "stream_held", kind: kindStreamShort, status: http.StatusOK, err: fmt.Errorf("server ended the stream: %w", err)})
			}
			return
		}
		if !f.heartbeat() {
			ms.events.Add(1)
			continue
		}
		gapStart := hb.last
		late := hb.beat(time.Now())
		ms.heartbeats.Add(1)
		ms.mu.Lock()
		recordDur(ms.gaps, hb.last.Sub(gapStart))
		recordLateness(ms.late, late)
		recordLateness(ms.iv, late)
		ms.mu.Unlock()
	}
}

// heartbeatStats turns the gaps into lateness against the interval. When
// the median gap is far from the configured interval the server evidently
// uses another one, and lateness is judged against the median instead
// (and the report says so).
func (ms *massStreams) heartbeatStats(configured time.Duration) HeartbeatStats {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	h := HeartbeatStats{Configured: configured.String(), Count: ms.gaps.TotalCount(), IntervalSource: "configured"}
	interval := configured
	if h.Count > 0 {
		p50 := time.Duration(ms.gaps.ValueAtQuantile(50)) * time.Microsecond
		h.GapP50MS = float64(p50.Microseconds()) / 1000
		if diff := p50 - configured; diff > configured/4 || -diff > configured/4 {
			interval, h.IntervalSource = p50.Round(100*time.Millisecond), "observed median gap"
		}
	}
	h.Interval = interval.String()
	if interval == configured {
		h.Lateness = unshift(summarize(ms.late))
	} else {
		h.Lateness = latenessSummary(ms.gaps, interval)
	}
	return h
}

// unshift takes recordLateness's microsecond back out of a summary.
func unshift(s LatencySummary) LatencySummary {
	if s.Count == 0 {
		return s
	}
	f := func(x float64) float64 { return round3(max(0, x-0.001)) }
	s.Min, s.Mean, s.P50, s.P90, s.P99, s.P999, s.Max = f(s.Min), f(s.Mean), f(s.P50), f(s.P90), f(s.P99), f(s.P999), f(s.Max)
	return s
}

// recordLateness records lateness shifted by one microsecond, so an
// on-time heartbeat (zero) stays distinguishable from the histogram's
// floor; summaries subtract it again.
func recordLateness(h *hdrhistogram.Histogram, late time.Duration) {
	_ = h.RecordValue(min(late.Microseconds(), histMax-1) + 1)
}

// latenessSummary shifts a gap histogram (µs) by the interval: the
// lateness percentiles are the gap percentiles minus the interval,
// clamped at zero (shifting and clamping keep the order). The mean is
// not derivable that way and is left out (zero).
func latenessSummary(gaps *hdrhistogram.Histogram, interval time.Duration) LatencySummary {
	g := summarize(gaps)
	if g.Count == 0 {
		return g
	}
	iv := float64(interval.Microseconds()) / 1000
	shift := func(x float64) float64 { return round3(max(0, x-iv)) }
	return LatencySummary{Count: g.Count, Min: shift(g.Min), P50: shift(g.P50), P90: shift(g.P90),
		P99: shift(g.P99), P999: shift(g.P999), Max: shift(g.Max)}
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// line is the streams mode's progress line.
func (ms *massStreams) line(target int, s *sampler) func() string {
	var lastBeats int64
	return func() string {
		ms.mu.Lock()
		late := float64(max(0, ms.iv.ValueAtQuantile(99)-1)) / 1000
		ms.iv.Reset()
		ms.mu.Unlock()
		beats := ms.heartbeats.Load()
		perSec := beats - lastBeats
		lastBeats = beats
		smp := s.latest()
		return fmt.Sprintf("streams open %d/%d  failed %d  closed by server %d  heartbeats/s %d  lateness p99 %s  server open %.0f  rss %s",
			ms.open.Load(), target, ms.failed.Load(), ms.closedEarly.Load(), perSec, fmtMS(late), smp.streamsOpen, fmtBytes(smp.rss))
	}
}
