package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// goalTokenP99MS is benchmark P5's goal: a model token reaches the client
// at most 2 ms (p99) after it left the simulator.
const goalTokenP99MS = 2.0

// TokensReport is the tokens mode's part of the report (benchmark P5).
type TokensReport struct {
	Chats     int   `json:"chats"`
	Failed    int   `json:"failed"`
	SimDeltas int64 `json:"sim_text_deltas"`
	Matched   int64 `json:"matched"`
	Unmatched int64 `json:"unmatched"`
	// AddedLatency: from the simulator's segment carrying a text delta to
	// djd's segment carrying it to the client, both kernel timestamps on
	// the loopback interface.
	AddedLatency LatencySummary `json:"added_latency"`
	// ToClientRead: from the simulator's segment to djload having parsed
	// the frame (includes djload's own scheduling).
	ToClientRead LatencySummary `json:"to_client_read"`
	GoalP99MS    float64        `json:"goal_p99_ms"`
	GoalMet      bool           `json:"goal_met"`
}

// textAt is a piece of model text and when it was seen.
type textAt struct {
	ts   time.Time
	text string
}

// tokenTap collects the text deltas the simulator sends and the content
// frames djd sends, from the sniffed segments.
type tokenTap struct {
	simPort, djdPort uint16

	mu  sync.Mutex
	sim []textAt
	cli []textAt
}

func (tp *tokenTap) emit(p packet) {
	for _, line := range bytes.Split(p.payload, []byte("\n")) {
		data, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("data: "))
		if !ok {
			continue
		}
		switch p.src {
		case tp.simPort:
			var ev struct {
				Type  string `json:"type"`
				Delta struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"delta"`
			}
			if json.Unmarshal(data, &ev) == nil && ev.Type == "content_block_delta" && ev.Delta.Type == "text_delta" && ev.Delta.Text != "" {
				tp.add(&tp.sim, textAt{p.ts, ev.Delta.Text})
			}
		case tp.djdPort:
			var e struct {
				Type string `json:"type"`
				Data string `json:"data"`
			}
			if json.Unmarshal(data, &e) == nil && e.Type == "content" && e.Data != "" {
				tp.add(&tp.cli, textAt{p.ts, e.Data})
			}
		}
	}
}

func (tp *tokenTap) add(to *[]textAt, x textAt) {
	tp.mu.Lock()
	*to = append(*to, x)
	tp.mu.Unlock()
}

// mark returns how much each side has collected so far.
func (tp *tokenTap) mark() (int, int) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return len(tp.sim), len(tp.cli)
}

// since returns what each side collected after a mark.
func (tp *tokenTap) since(s, c int) ([]textAt, []textAt) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append([]textAt(nil), tp.sim[s:]...), append([]textAt(nil), tp.cli[c:]...)
}

// matchTokens pairs each simulator text delta with the client frame that
// carries its first byte: the client's text is searched, in order, for
// each delta, so merged or split frames and extra text around the model's
// still pair up. It returns the delays and how many deltas found no frame.
func matchTokens(sim, cli []textAt) (delays []time.Duration, unmatched int) {
	var all strings.Builder
	starts := make([]int, len(cli))
	for i, c := range cli {
		starts[i] = all.Len()
		all.WriteString(c.text)
	}
	text := all.String()
	pos := 0
	for _, d := range sim {
		i := strings.Index(text[pos:], d.text)
		if i < 0 {
			unmatched++
			continue
		}
		off := pos + i
		f := sort.Search(len(starts), func(k int) bool { return starts[k] > off }) - 1
		delays = append(delays, cli[f].ts.Sub(d.ts))
		pos = off + len(d.text)
	}
	return delays, unmatched
}

// runTokens is the tokens mode (P5): one user chats, one message at a
// time, for -duration, while a loopback packet capture times each model
// token leaving the simulator and leaving djd for the client.
func runTokens(ctx context.Context, o *options, t *target, limits Limits, stderr io.Writer) (*Report, error) {
	if !t.serves("chat") {
		return nil, fmt.Errorf("tokens mode: %s does not serve POST /api/chat-stream/message yet", t.url)
	}
	simPort, err := portOf(t.sim)
	if err != nil {
		return nil, err
	}
	djdPort, err := portOf(t.url)
	if err != nil {
		return nil, err
	}
	sn, err := openSniffer(simPort, djdPort)
	if err != nil {
		return nil, fmt.Errorf("tokens mode: %w", err)
	}
	tap := &tokenTap{simPort: simPort, djdPort: djdPort}
	sniffCtx, stopSniff := context.WithCancel(ctx)
	defer stopSniff()
	var sniffing sync.WaitGroup
	sniffing.Go(func() {
		if err := sn.run(sniffCtx, tap.emit); err != nil {
			fmt.Fprintln(stderr, "djload: packet capture:", err)
		}
	})
	rec := newRecorder()
	c := newClient(t.url, 8, o.timeout)
	defer c.close()
	tokens, err := loginMany(ctx, c, t, 1, rec)
	if err != nil {
		return nil, err
	}
	if err := t.resetSim(ctx); err != nil {
		return nil, err
	}
	samp := &sampler{hc: t.hc, simURL: t.sim, metricsURL: t.url + "/metrics", rss: t.rss}
	first := samp.take(ctx)
	l := &load{opts: o, c: c, rec: rec}
	v := &vu{l: l, token: tokens[0]}
	added, read := newHist(), newHist()
	rep := &TokensReport{GoalP99MS: goalTokenP99MS}
	start := time.Now()
	stop := start.Add(o.duration)
	for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
		s0, c0 := tap.mark()
		reads, ok := v.timedChat(ctx, defaultTexts["chat"][i%len(defaultTexts["chat"])])
		rep.Chats++
		if !ok {
			rep.Failed++
		}
		sleepCtx(ctx, 200*time.Millisecond) // the last segments reach the tap
		sim, cli := tap.since(s0, c0)
		rep.SimDeltas += int64(len(sim))
		delays, miss := matchTokens(sim, cli)
		rep.Matched += int64(len(delays))
		rep.Unmatched += int64(miss)
		for _, d := range delays {
			recordDur(added, d)
		}
		rd, _ := matchTokens(sim, reads)
		for _, d := range rd {
			recordDur(read, d)
		}
	}
	stopSniff()
	sniffing.Wait()
	rep.AddedLatency, rep.ToClientRead = summarize(added), summarize(read)
	rep.GoalMet = rep.Matched > 0 && rep.AddedLatency.P99 <= goalTokenP99MS
	r := &Report{Mode: "tokens", StartedAt: start.UTC(), DurationS: round2(time.Since(start).Seconds()),
		Operations: rec.report(time.Since(start)), Tokens: rep, Limits: limitsReport(limits)}
	r.Requests = RequestsReport{Total: rec.total.Load(), Errors: rec.errors.Load(), Status5xx: rec.fiveXX.Load()}
	if r.Requests.Total > 0 {
		r.Requests.ErrorRate = round4(float64(r.Requests.Errors) / float64(r.Requests.Total))
	}
	last := samp.take(ctx)
	if st, ok := samp.simStats(); ok {
		r.Upstream = upstreamReport(st, samp.all(), limits)
	}
	r.Server = ServerReport{RSSStartBytes: first.rss, RSSPeakBytes: samp.peak(), RSSEndBytes: last.rss}
	if rep.Matched == 0 {
		r.Notes = append(r.Notes, "no model token was matched between the simulator and djd: is the chat answering with model text?")
	} else if !rep.GoalMet {
		r.Notes = append(r.Notes, fmt.Sprintf("P5 goal missed: added latency p99 %.3f ms (goal ≤ %.0f ms)", rep.AddedLatency.P99, goalTokenP99MS))
	}
	return r, nil
}

// timedChat sends one chat message and returns each content frame with
// the time djload parsed it; false when the chat failed (recorded).
func (v *vu) timedChat(ctx context.Context, msg string) ([]textAt, bool) {
	ctx, cancel := context.WithTimeout(ctx, v.l.opts.streamTimeout)
	defer cancel()
	start := time.Now()
	resp, o := v.openSSE(ctx, "chat", http.MethodPost, "/api/chat-stream/message", map[string]any{"message": msg, "mode": "dj"})
	if resp == nil {
		v.record(ctx, o)
		return nil, false
	}
	defer resp.Body.Close()
	var reads []textAt
	o = v.readEnvelopes(ctx, "chat", resp.Body, start, func(e envelope) bool {
		if e.Type == "content" {
			var s string
			if json.Unmarshal(e.Data, &s) == nil {
				reads = append(reads, textAt{time.Now(), s})
			}
		}
		return e.Type == "done"
	})
	v.record(ctx, o)
	return reads, !o.failed()
}

// portOf is the TCP port of a base URL.
func portOf(base string) (uint16, error) {
	u, err := url.Parse(base)
	if err != nil {
		return 0, fmt.Errorf("url %q: %w", base, err)
	}
	p, err := strconv.ParseUint(u.Port(), 10, 16)
	if err != nil {
		return 0, fmt.Errorf("url %q has no port", base)
	}
	return uint16(p), nil
}
