package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// defaultHold is how long a stream operation keeps its stream when the
// scenario gives no hold.
const defaultHold = 5 * time.Second

// envelope is a data-only frame of the chat, chat-events and steer
// streams: {"type": …, "data": …}.
type envelope struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// openSSE starts a stream request and checks that an event stream came
// back; otherwise the outcome carries the status and problem.
func (v *vu) openSSE(ctx context.Context, op, method, path string, body any) (*http.Response, outcome) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, outcome{op: op, kind: kindTransport, err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, v.l.c.base+path, rd)
	if err != nil {
		return nil, outcome{op: op, kind: kindTransport, err: err}
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+v.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := v.l.c.hc.Do(req)
	if err != nil {
		return nil, outcome{op: op, latency: time.Since(start), kind: errKind(ctx, err), err: err}
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		_ = resp.Body.Close()
		o := outcome{op: op, latency: time.Since(start), status: resp.StatusCode, kind: kindStatus, problem: decodeProblem(data)}
		if resp.StatusCode == http.StatusOK {
			o.kind, o.err = kindBadBody, fmt.Errorf("content type %q, want text/event-stream", ct)
		}
		return nil, o
	}
	return resp, outcome{op: op, status: resp.StatusCode}
}

// chat sends one chat message and reads the stream to its done frame.
// Besides the whole exchange it records the time to the first content
// token as "chat.first_token".
func (v *vu) chat(ctx context.Context, op Operation) {
	ctx, cancel := context.WithTimeout(ctx, v.l.opts.streamTimeout)
	defer cancel()
	start := time.Now()
	resp, o := v.openSSE(ctx, op.Op, http.MethodPost, "/api/chat-stream/message", map[string]any{"message": v.text(op), "mode": "dj"})
	if resp == nil {
		v.record(ctx, o)
		return
	}
	defer resp.Body.Close()
	first := true
	o = v.readEnvelopes(ctx, op.Op, resp.Body, start, func(e envelope) bool {
		if e.Type == "content" && first {
			first = false
			v.l.rec.recordLatency("chat.first_token", time.Since(start))
		}
		return e.Type == "done"
	})
	v.record(ctx, o)
}

// steerStream steers with the streaming route and keeps the queue its
// done frame carries.
func (v *vu) steerStream(ctx context.Context, op Operation) {
	ctx, cancel := context.WithTimeout(ctx, v.l.opts.streamTimeout)
	defer cancel()
	u := v.user
	u.mu.Lock()
	defer u.mu.Unlock()
	start := time.Now()
	resp, o := v.openSSE(ctx, op.Op, http.MethodPost, "/api/mix/vibe/steer-stream", map[string]any{"direction": v.text(op)})
	if resp == nil {
		v.record(ctx, o)
		return
	}
	defer resp.Body.Close()
	o = v.readEnvelopes(ctx, op.Op, resp.Body, start, func(e envelope) bool {
		if e.Type != "done" {
			return false
		}
		var done struct {
			Queue *[]queued `json:"queue"`
		}
		if json.Unmarshal(e.Data, &done) == nil && done.Queue != nil {
			u.queue = *done.Queue
		}
		return true
	})
	v.record(ctx, o)
}

// readEnvelopes reads data-only frames until terminal returns true. An
// error frame makes the outcome an sse_error (carrying its data); a
// stream that ends before its terminal frame is sse_short.
func (v *vu) readEnvelopes(ctx context.Context, op string, body io.Reader, start time.Time, terminal func(envelope) bool) outcome {
	r := newSSEReader(body, 4096)
	o := outcome{op: op, status: http.StatusOK}
	for {
		f, err := r.next()
		if err != nil {
			o.latency = time.Since(start)
			if o.kind == "" {
				o.kind, o.err = kindStreamShort, fmt.Errorf("stream ended before its terminal frame: %w", err)
				if ctx.Err() != nil {
					o.kind = kindTimeout
				}
			}
			return o
		}
		if f.Data == nil {
			continue
		}
		var e envelope
		if err := json.Unmarshal(f.Data, &e); err != nil {
			o.kind, o.err = kindBadBody, fmt.Errorf("frame is not a {type,data} envelope: %.120s", f.Data)
			continue
		}
		if e.Type == "error" {
			o.kind, o.err = kindStreamError, fmt.Errorf("error frame: %.300s", e.Data)
		}
		if terminal(e) || (op == "steer_stream" && e.Type == "error") {
			o.latency = time.Since(start)
			return o
		}
	}
}

// holdOnce runs a player_stream or chat_events operation: open the
// stream, hold it for op.Hold, close it. Its latency is the time to the
// first event.
func (v *vu) holdOnce(ctx context.Context, op Operation) {
	hold := time.Duration(op.Hold)
	if hold <= 0 {
		hold = defaultHold
	}
	ctx, cancel := context.WithTimeout(ctx, hold)
	defer cancel()
	v.holdStream(ctx, op.Op)
}

// holdStream opens the stream of op and reads it until ctx ends or the
// server closes it, counting it among the open streams meanwhile. It
// records one outcome for the connection (time to the first event) and
// the lateness of each heartbeat under "<op>.heartbeat_lateness". It
// reports whether the stream opened.
func (v *vu) holdStream(ctx context.Context, op string) bool {
	start := time.Now()
	rt := opRoutes[op]
	resp, o := v.openSSE(ctx, op, rt.method, rt.path, nil)
	if resp == nil {
		v.record(ctx, o)
		return false
	}
	v.l.streams.Add(1)
	defer v.l.streams.Add(-1)
	defer resp.Body.Close()
	r := newSSEReader(resp.Body, 1024)
	hb := heartbeatClock{last: time.Now(), interval: v.l.opts.heartbeat}
	first := true
	for {
		f, err := r.next()
		if err != nil {
			if first {
				o.latency = time.Since(start)
				if ctx.Err() == nil {
					o.kind, o.err = kindStreamShort, fmt.Errorf("stream closed before its first event: %w", err)
				}
				v.record(ctx, o)
			}
			return true
		}
		now := time.Now()
		if f.heartbeat() {
			v.l.rec.recordLatency(op+".heartbeat_lateness", hb.beat(now))
			continue
		}
		name := f.Event
		if name == "" {
			var e envelope
			if json.Unmarshal(f.Data, &e) == nil {
				name = e.Type
			}
		}
		if first {
			first = false
			o.latency = now.Sub(start)
			if name != "connected" {
				o.kind, o.err = kindBadBody, fmt.Errorf("first event is %q, want connected", name)
			}
			v.record(ctx, o)
		}
		switch name {
		case "error", "auth_expired":
			v.record(ctx, outcome{op: op, kind: kindStreamError, status: http.StatusOK, err: fmt.Errorf("%s event: %.300s", name, f.Data)})
		}
	}
}

// heartbeatClock measures how late each heartbeat arrives: the time since
// the previous one (or since the stream opened) minus the interval, and
// zero when it came early.
type heartbeatClock struct {
	last     time.Time
	interval time.Duration
}

func (h *heartbeatClock) beat(now time.Time) time.Duration {
	late := now.Sub(h.last) - h.interval
	h.last = now
	return max(late, 0)
}
