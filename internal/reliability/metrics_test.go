package reliability

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// metrics is one scrape of a /metrics page (Prometheus text format):
// each sample keyed by its name with labels as written, e.g.
// `dj_breaker_state{lane="spotify"}`.
type metrics map[string]float64

// scrapeMetrics reads base/metrics.
func scrapeMetrics(ctx context.Context, c *client) (metrics, error) {
	r, err := c.do(ctx, "GET", "/metrics", "", nil)
	if err != nil {
		return nil, err
	}
	if r.status != 200 {
		return nil, fmt.Errorf("/metrics: status %d", r.status)
	}
	return parseMetrics(r.body), nil
}

func parseMetrics(b []byte) metrics {
	m := metrics{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return m
}

// sum adds every sample of the family name (any labels) whose labels
// contain each of the given `key="value"` pairs.
func (m metrics) sum(name string, labels ...string) float64 {
	var total float64
	for k, v := range m {
		base, rest, _ := strings.Cut(k, "{")
		if base != name {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(rest, l)
		}
		if ok {
			total += v
		}
	}
	return total
}
