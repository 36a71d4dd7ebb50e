package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// target is the djd under load and its simulator.
type target struct {
	url, sim, version string
	child             *child   // djd; nil with -target
	srv               *servers // what djload started; nil with -target
	rss               func(context.Context) (int64, error)
	rssSource         string
	cpu               func() (time.Duration, error) // the server's CPU time
	routes            map[string]bool               // "GET /api/mix/current" for every route in /api/openapi.json
	hc                *http.Client                  // for control reads (health, stats, metrics)
}

// health is the part of GET /api/health djload needs.
type health struct {
	Status    string `json:"status"`
	Version   string `json:"version"`
	Upstream  string `json:"upstream"`
	Simulator string `json:"simulator"`
}

// openTarget connects to -target, or starts a djd when there is none.
// Either way the server must be on loopback and in simulator mode: the
// simulator is where upstream discipline is measured, and it is the only
// upstream djload may load.
func openTarget(ctx context.Context, o *options, stderr io.Writer) (*target, error) {
	t := &target{url: strings.TrimRight(o.target, "/"), hc: &http.Client{Transport: newTransport(8), Timeout: 15 * time.Second}}
	if t.url == "" {
		srv, err := startServers(ctx, o, stderr)
		if err != nil {
			return nil, err
		}
		c := srv.djd
		t.srv, t.child, t.url = srv, c, srv.url
		if srv.sim != nil {
			fmt.Fprintf(stderr, "djload: started djsim pid %d at %s (log %s)\n", srv.sim.pid(), srv.simURL, srv.sim.logPath)
		}
		pid := c.pid()
		t.rss = func(context.Context) (int64, error) { return procRSS(pid) }
		t.rssSource = fmt.Sprintf("/proc/%d/status VmRSS", pid)
		t.cpu = func() (time.Duration, error) { return procCPU(pid) }
		fmt.Fprintf(stderr, "djload: started djd pid %d at %s (log %s)\n", pid, t.url, c.logPath)
	} else {
		t.rss = metricsRSS(t.hc, t.url+"/metrics")
		t.rssSource = t.url + "/metrics process_resident_memory_bytes"
		t.cpu = func() (time.Duration, error) {
			m, err := scrape(context.Background(), t.hc, t.url+"/metrics")
			if err != nil {
				return 0, err
			}
			return time.Duration(m["process_cpu_seconds_total"] * float64(time.Second)), nil
		}
	}
	if err := t.check(ctx); err != nil {
		t.close(true)
		return nil, err
	}
	return t, nil
}

func (t *target) check(ctx context.Context) error {
	u, err := url.Parse(t.url)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-target %q: want http://127.0.0.1:PORT", t.url)
	}
	if err := requireLoopback(u); err != nil {
		return fmt.Errorf("-target: %w", err)
	}
	var h health
	if err := getJSON(ctx, t.hc, t.url+"/api/health", &h); err != nil {
		return fmt.Errorf("server health: %w", err)
	}
	if h.Upstream != "sim" || h.Simulator == "" {
		return fmt.Errorf("%s runs with upstream %q; djload needs simulator mode (djd -upstream sim)", t.url, h.Upstream)
	}
	su, err := url.Parse(h.Simulator)
	if err != nil {
		return fmt.Errorf("simulator URL %q: %w", h.Simulator, err)
	}
	if err := requireLoopback(su); err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	t.sim, t.version = strings.TrimRight(h.Simulator, "/"), h.Version
	if t.srv != nil && t.srv.simURL != "" && t.sim != t.srv.simURL {
		return fmt.Errorf("djd uses the simulator at %s, not the djsim djload started at %s", t.sim, t.srv.simURL)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := getJSON(ctx, t.hc, t.url+"/api/openapi.json", &doc); err != nil {
		return fmt.Errorf("route list: %w", err)
	}
	t.routes = map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			t.routes[strings.ToUpper(m)+" "+p] = true
		}
	}
	return nil
}

// serves reports whether the server registers the operation's route.
func (t *target) serves(op string) bool {
	r, ok := opRoutes[op]
	return ok && t.routes[r.method+" "+r.path]
}

// resetSim zeroes the simulator's accounting so the report covers this
// run only.
func (t *target) resetSim(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.sim+"/_sim/reset", nil)
	if err != nil {
		return fmt.Errorf("simulator reset: %w", err)
	}
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("simulator reset: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("simulator reset: status %d", resp.StatusCode)
	}
	return nil
}

// close stops the djd (then the djsim) that djload started; keepLog
// keeps their directory.
func (t *target) close(keepLog bool) {
	if t.srv == nil {
		return
	}
	t.srv.stop(15 * time.Second)
	t.srv.cleanup(keepLog)
}
