package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// sseStream is one SSE response a test reads to its end in the
// background, keeping every event frame (comments such as heartbeats
// are counted, not kept).
type sseStream struct {
	name       string
	opened     time.Time
	mu         sync.Mutex
	frames     []string
	heartbeats int
	err        error     // why reading stopped (io.EOF: the server ended it)
	ended      time.Time // when reading stopped
	done       chan struct{}
}

// openSSE sends the request and reads the response head; the body is
// then read by a goroutine until the server ends the stream or ctx ends.
func openSSE(ctx context.Context, base, method, path, token string, body any) (*sseStream, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// A client of its own: no overall timeout, no shared connections.
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: status %d %q: %.300s", method, path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	s := &sseStream{name: method + " " + path, opened: time.Now(), done: make(chan struct{})}
	go s.read(resp.Body)
	return s, nil
}

func (s *sseStream) read(body io.ReadCloser) {
	defer close(s.done)
	defer body.Close()
	br := bufio.NewReader(body)
	var lines []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			s.mu.Lock()
			s.err, s.ended = err, time.Now()
			s.mu.Unlock()
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "" && len(lines) > 0:
			s.mu.Lock()
			s.frames = append(s.frames, strings.Join(lines, "\n"))
			s.mu.Unlock()
			lines = nil
		case strings.HasPrefix(line, ":"):
			s.mu.Lock()
			s.heartbeats++
			s.mu.Unlock()
		case line != "":
			lines = append(lines, line)
		}
	}
}

// wait blocks until the stream has ended or d has passed, and reports
// whether it ended.
func (s *sseStream) wait(d time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(d):
		return false
	}
}

// snapshot returns the frames so far and why reading stopped (nil while
// it goes on).
func (s *sseStream) snapshot() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.frames...), s.err
}

// envelopeType is the "type" of a data-only envelope frame ("" if the
// frame is not one).
func envelopeType(frame string) string {
	data, ok := strings.CutPrefix(frame, "data: ")
	if !ok {
		return ""
	}
	var env struct {
		Type string `json:"type"`
	}
	if json.Unmarshal([]byte(data), &env) != nil {
		return ""
	}
	return env.Type
}
