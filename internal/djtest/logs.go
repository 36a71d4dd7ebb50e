package djtest

import (
	"bufio"
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Logs holds every line a server logged, for tests that grep them (a
// secret must never appear in one). It is safe for concurrent use.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends log output; slog's JSON handler writes one line per call.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Lines returns the logged lines that contain substr ("" for all).
func (l *Logs) Lines(substr string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// StartLogged is Start with the server's logs captured: JSON lines at
// debug level, the most a server ever writes, as djd writes them.
func StartLogged(t testing.TB, opts ...Option) (*Env, *Logs) {
	t.Helper()
	logs := &Logs{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return start(t, log, opts...), logs
}
