package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// MachineReport records what the run shared the machine with: a figure
// taken while other work kept the CPUs busy means something else than one
// taken on a quiet machine.
type MachineReport struct {
	CPUs         int     `json:"cpus"`
	MemTotalGiB  float64 `json:"mem_total_gib"`
	LoadAvgStart float64 `json:"load_avg_1m_start"`
	LoadAvgEnd   float64 `json:"load_avg_1m_end"`
}

// loadAvg reads the one-minute load average (0 when unknown).
func loadAvg() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// memTotalGiB reads MemTotal from /proc/meminfo (0 when unknown).
func memTotalGiB() float64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb); err == nil {
				return round2(kb / (1 << 20))
			}
		}
	}
	return 0
}

func newMachineReport() *MachineReport {
	return &MachineReport{CPUs: runtime.NumCPU(), MemTotalGiB: memTotalGiB(), LoadAvgStart: loadAvg()}
}

// busyNote explains a broken upstream window on a loaded machine: the
// simulator runs inside djd and stamps arrivals when it gets the CPU, so
// starved, it counts requests sent over more than a second as one second.
func busyNote(r *Report) string {
	m := r.Machine
	if m == nil || r.Upstream == nil || r.Upstream.MaxRequestsInAny1sWindow <= r.Upstream.Limit {
		return ""
	}
	load := max(m.LoadAvgStart, m.LoadAvgEnd)
	if load <= float64(m.CPUs) {
		return ""
	}
	return fmt.Sprintf("the machine's load average reached %.1f on %d CPUs during the run: the simulator stamps a request when its handler gets the CPU, "+
		"so under contention it can count requests sent over more than a second as one window (most of all inside djd: -sim-process=false, or a -target "+
		"without its own djsim); re-run on a quiet machine, or with -nice, before blaming the limiter", load, m.CPUs)
}
