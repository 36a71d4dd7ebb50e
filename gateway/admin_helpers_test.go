package gateway_test

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
	"testing"
	"time"

	"dj/internal/djtest"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// obsAdminToken is the admin token the observability tests start djd with.
const obsAdminToken = "test-admin-token-0123456789"

// obsFamilies is one scrape of /metrics, by family name.
type obsFamilies map[string]*dto.MetricFamily

// obsScrape reads /metrics the way Prometheus does: text format, parsed.
func obsScrape(t testing.TB, env *djtest.Env) obsFamilies {
	t.Helper()
	f, err := obsTryScrape(env)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func obsTryScrape(env *djtest.Env) (obsFamilies, error) {
	resp, err := env.HTTP.Get(env.URL + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("scrape: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		return nil, fmt.Errorf("scrape: status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("scrape: parse: %w", err)
	}
	return obsFamilies(fams), nil
}

func obsLabel(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func obsValue(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetHistogram() != nil:
		return float64(m.GetHistogram().GetSampleCount())
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return 0
}

// by sums a family grouped by one label ("" sums it all under "").
func (f obsFamilies) by(name, label string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range f[name].GetMetric() {
		out[obsLabel(m, label)] += obsValue(m)
	}
	return out
}

// get sums the series of a family whose labels include want.
func (f obsFamilies) get(name string, want map[string]string) float64 {
	var sum float64
	for _, m := range f[name].GetMetric() {
		ok := true
		for k, v := range want {
			ok = ok && obsLabel(m, k) == v
		}
		if ok {
			sum += obsValue(m)
		}
	}
	return sum
}

// obsWaitUntil polls cond every 20 ms for up to d.
func obsWaitUntil(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s (%s)", d, what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// obsRequest is one API call made from a workload goroutine: errors come
// back instead of failing the test from a goroutine that is not its own.
func obsRequest(ctx context.Context, env *djtest.Env, method, path, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, env.URL+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// obsStream is an open SSE response read frame by frame.
type obsStream struct {
	resp   *http.Response
	br     *bufio.Reader
	cancel context.CancelFunc
	once   sync.Once
}

// obsOpen opens an SSE route (GET without body, POST with one). The
// caller checks Status; close ends the connection.
func obsOpen(t *testing.T, env *djtest.Env, method, path, auth string, body any) *obsStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, env.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := (&http.Client{}).Do(req) // no client timeout: streams are long
	if err != nil {
		cancel()
		t.Fatalf("%s %s: %v", method, path, err)
	}
	s := &obsStream{resp: resp, br: bufio.NewReader(resp.Body), cancel: cancel}
	t.Cleanup(s.close)
	return s
}

// obsFrame is one SSE event, or a comment (heartbeat) when Comment is set.
type obsFrame struct {
	Event, Data, Comment string
}

// next reads one event or comment, failing the test after timeout.
func (s *obsStream) next(t *testing.T, timeout time.Duration) obsFrame {
	t.Helper()
	type result struct {
		f   obsFrame
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var f obsFrame
		for {
			line, err := s.br.ReadString('\n')
			if err != nil {
				ch <- result{f, err}
				return
			}
			line = strings.TrimRight(line, "\r\n")
			switch {
			case line == "":
				if f.Event != "" || f.Data != "" {
					ch <- result{f, nil}
					return
				}
			case strings.HasPrefix(line, ":"):
				ch <- result{obsFrame{Comment: strings.TrimSpace(line[1:])}, nil}
				return
			case strings.HasPrefix(line, "event:"):
				f.Event = strings.TrimSpace(line[len("event:"):])
			case strings.HasPrefix(line, "data:"):
				f.Data += strings.TrimPrefix(line[len("data:"):], " ")
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("stream read: %v", r.err)
		}
		return r.f
	case <-time.After(timeout):
		s.close() // unblocks the reader
		<-ch
		t.Fatalf("no frame within %s", timeout)
		return obsFrame{}
	}
}

// event skips comments and returns the next event.
func (s *obsStream) event(t *testing.T, timeout time.Duration) obsFrame {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		f := s.next(t, time.Until(deadline))
		if f.Comment == "" {
			return f
		}
	}
}

func (s *obsStream) close() {
	s.once.Do(func() {
		s.cancel()
		_ = s.resp.Body.Close()
	})
}
