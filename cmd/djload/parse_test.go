package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestSummarizePercentiles(t *testing.T) {
	h := newHist()
	for i := 1; i <= 1000; i++ {
		recordDur(h, time.Duration(i)*time.Millisecond)
	}
	s := summarize(h)
	near := func(name string, got, want float64) {
		if got < want*0.999 || got > want*1.001 {
			t.Errorf("%s = %v ms, want %v", name, got, want)
		}
	}
	if s.Count != 1000 {
		t.Errorf("count %d", s.Count)
	}
	near("min", s.Min, 1)
	near("p50", s.P50, 500)
	near("p90", s.P90, 900)
	near("p99", s.P99, 990)
	near("p99.9", s.P999, 999)
	near("max", s.Max, 1000)
	near("mean", s.Mean, 500.5)
	if (summarize(newHist()) != LatencySummary{}) {
		t.Error("empty histogram must summarize to zeros")
	}
	recordDur(h, 2*time.Hour) // clamped to the range, not dropped
	if summarize(h).Count != 1001 {
		t.Error("out-of-range value dropped")
	}
}

func TestRecorderKeepsProblems(t *testing.T) {
	r := newRecorder()
	r.record(outcome{op: "steer", latency: time.Millisecond, status: 200})
	for range 3 {
		r.record(outcome{op: "steer", latency: time.Millisecond, status: 404, kind: kindStatus,
			problem: &problem{Title: "Not Found", Detail: "no active mix", RequestID: "r1"}})
	}
	r.record(outcome{op: "steer", status: 503, kind: kindStatus})
	r.record(outcome{op: "chat", kind: kindUnavailable, err: errors.New("not served")})
	rep := r.report(time.Second)
	s := rep["steer"]
	if s.Count != 5 || s.Errors != 4 || s.ErrorsBy["status_404"] != 3 || s.ErrorsBy["status_503"] != 1 {
		t.Fatalf("steer %+v", s)
	}
	if len(s.Samples) != 2 || s.Samples[0].Count != 3 || s.Samples[0].Detail != "no active mix" {
		t.Errorf("samples %+v", s.Samples)
	}
	if r.total.Load() != 5 || r.errors.Load() != 4 || r.fiveXX.Load() != 1 {
		t.Errorf("totals %d %d %d", r.total.Load(), r.errors.Load(), r.fiveXX.Load())
	}
	if c := rep["chat"]; c.Unavailable == nil || c.Count != 0 {
		t.Errorf("unavailable op %+v", c)
	}
	if n, _, _ := r.interval(); n != 5 {
		t.Errorf("interval requests %d", n)
	}
	if n, _, _ := r.interval(); n != 0 {
		t.Error("interval not reset")
	}
}

func TestSSEReader(t *testing.T) {
	stream := ": heartbeat\n\n" +
		"event: connected\ndata: {\"message\":\"hi\"}\n\n" +
		"data: {\"type\":\"content\",\"data\":\"a\"}\r\n\r\n" +
		"data: line1\ndata: line2\n\n" +
		": comment\nevent: tick\ndata: {\"p\":1}\n\n" +
		"data: " + strings.Repeat("x", 5000) + "\n\n"
	r := newSSEReader(strings.NewReader(stream), 64)
	want := []sseFrame{
		{Comment: "heartbeat"},
		{Event: "connected", Data: []byte(`{"message":"hi"}`)},
		{Data: []byte(`{"type":"content","data":"a"}`)},
		{Data: []byte("line1\nline2")},
		{Comment: "comment", Event: "tick", Data: []byte(`{"p":1}`)},
		{Data: []byte(strings.Repeat("x", 5000))},
	}
	for i, w := range want {
		f, err := r.next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Comment != w.Comment || f.Event != w.Event || string(f.Data) != string(w.Data) {
			t.Errorf("frame %d = %+v, want %+v", i, f, w)
		}
	}
	if _, err := r.next(); err != io.EOF {
		t.Errorf("end: %v, want EOF", err)
	}
	if !(sseFrame{Comment: "heartbeat"}).heartbeat() || (sseFrame{Comment: "heartbeat", Event: "x"}).heartbeat() {
		t.Error("heartbeat()")
	}
	r = newSSEReader(strings.NewReader("event: x\ndata: {"), 64)
	if _, err := r.next(); err != io.ErrUnexpectedEOF {
		t.Errorf("cut frame: %v, want ErrUnexpectedEOF", err)
	}
}

func TestParseProm(t *testing.T) {
	m, err := parseProm(strings.NewReader(`# HELP dj_sse_streams_open x
# TYPE dj_sse_streams_open gauge
dj_sse_streams_open{stream="chat-events"} 3
dj_sse_streams_open{stream="player"} 4
dj_upstream_rate_queued 2
process_resident_memory_bytes 9.1193344e+07
weird{label="a } b"} 1
`))
	if err != nil {
		t.Fatal(err)
	}
	if m["dj_sse_streams_open"] != 7 || m["dj_upstream_rate_queued"] != 2 || m["process_resident_memory_bytes"] != 91193344 || m["weird"] != 1 {
		t.Errorf("parsed %v", m)
	}
}

func TestParseVmRSS(t *testing.T) {
	n, err := parseVmRSS(strings.NewReader("Name:\tdjd\nVmPeak:\t  999 kB\nVmRSS:\t   2048 kB\n"))
	if err != nil || n != 2048<<10 {
		t.Fatalf("VmRSS = %d, %v", n, err)
	}
	if _, err := parseVmRSS(strings.NewReader("Name:\tdjd\n")); err == nil {
		t.Fatal("missing VmRSS accepted")
	}
}

func TestHeartbeatLateness(t *testing.T) {
	t0 := time.Unix(0, 0)
	hb := heartbeatClock{last: t0, interval: time.Second}
	if late := hb.beat(t0.Add(900 * time.Millisecond)); late != 0 {
		t.Errorf("early heartbeat late by %v", late)
	}
	if late := hb.beat(t0.Add(2100 * time.Millisecond)); late != 200*time.Millisecond {
		t.Errorf("late by %v, want 200ms", late)
	}
	gaps := newHist()
	for _, ms := range []int{990, 1000, 1010, 1500} {
		recordDur(gaps, time.Duration(ms)*time.Millisecond)
	}
	s := latenessSummary(gaps, time.Second)
	if s.Min != 0 || s.Max < 499 || s.Max > 501 || s.P50 > 1 {
		t.Errorf("lateness %+v", s)
	}
	late := newHist()
	recordLateness(late, 0)
	recordLateness(late, 3*time.Millisecond)
	if u := unshift(summarize(late)); u.Min != 0 || u.Max != 3 {
		t.Errorf("unshifted %+v", u)
	}
}

func TestSourceAddrs(t *testing.T) {
	if a := sourceAddrs(50_000, 0); len(a) != 3 || a[2].IP.String() != "127.0.0.3" {
		t.Errorf("auto: %v", a)
	}
	if a := sourceAddrs(10, 0); len(a) != 1 || a[0].IP.String() != "127.0.0.1" {
		t.Errorf("few: %v", a)
	}
	if a := sourceAddrs(10, 300); len(a) != 254 {
		t.Errorf("capped: %d", len(a))
	}
}

func TestDecodeProblem(t *testing.T) {
	p := decodeProblem([]byte(`{"type":"about:blank","title":"Not Found","status":404,"detail":"no such API route","request_id":"abc"}`))
	if p == nil || p.Detail != "no such API route" || p.RequestID != "abc" {
		t.Errorf("problem %+v", p)
	}
	if p := decodeProblem([]byte("Invalid JSON")); p == nil || p.Detail != "Invalid JSON" {
		t.Errorf("plain text %+v", p)
	}
	if decodeProblem(nil) != nil {
		t.Error("empty body")
	}
}

func TestParseProcStatCPU(t *testing.T) {
	line := []byte("4242 (djd (x) y) S 1 4242 4242 0 -1 4194560 9931 0 0 0 250 50 0 0 20 0 12 0 123 2391351296 22264 18446744073709551615")
	d, err := parseProcStatCPU(line)
	if err != nil || d != 3*time.Second {
		t.Fatalf("cpu %v, %v; want 3s (300 ticks)", d, err)
	}
	if _, err := parseProcStatCPU([]byte("garbage")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestMatchTokens(t *testing.T) {
	t0 := time.Unix(100, 0)
	at := func(ms int, s string) textAt { return textAt{t0.Add(time.Duration(ms) * time.Millisecond), s} }
	sim := []textAt{at(0, "Queued "), at(40, "Love "), at(80, "by Noor"), at(120, "missing"), at(160, " — pop")}
	// djd merged two deltas into one frame and added text of its own.
	cli := []textAt{at(1, "Queued "), at(42, "Love by Noor"), at(150, "[note] "), at(163, " — pop")}
	delays, miss := matchTokens(sim, cli)
	want := []time.Duration{time.Millisecond, 2 * time.Millisecond, -38 * time.Millisecond, 3 * time.Millisecond}
	if miss != 1 || len(delays) != len(want) {
		t.Fatalf("delays %v, unmatched %d", delays, miss)
	}
	for i := range want {
		if delays[i] != want[i] {
			t.Errorf("delay %d = %v, want %v", i, delays[i], want[i])
		}
	}
}

func TestParseTCP(t *testing.T) {
	frame := make([]byte, 14+20+20+5)
	frame[12], frame[13] = 0x08, 0x00
	ip := frame[14:]
	ip[0], ip[9] = 0x45, 6
	ip[2], ip[3] = 0, byte(len(ip))
	tcp := ip[20:]
	tcp[0], tcp[1], tcp[2], tcp[3] = 0x1f, 0x90, 0xc3, 0x50 // 8080 → 50000
	tcp[12] = 5 << 4
	copy(tcp[20:], "hello")
	src, dst, payload, ok := parseTCP(frame)
	if !ok || src != 8080 || dst != 50000 || string(payload) != "hello" {
		t.Fatalf("parseTCP = %d %d %q %v", src, dst, payload, ok)
	}
	frame[13] = 0xdd // IPv6 ethertype low byte: not IPv4
	if _, _, _, ok := parseTCP(frame); ok {
		t.Fatal("non-IPv4 accepted")
	}
}
