package main

import (
	"fmt"
	"net"
	"syscall"
)

// fdReserve is how many descriptors djload keeps for itself (HTTP
// clients, /proc reads, the report) beside the streams.
const fdReserve = 256

// noFile is the open-file limit before and after djload raised it.
type noFile struct {
	Soft   uint64 `json:"soft"`
	Hard   uint64 `json:"hard"`
	Raised bool   `json:"raised"`
}

// raiseNoFile lifts the soft RLIMIT_NOFILE towards need (never above the
// hard limit, which only a privileged user can raise). A djd started
// afterwards inherits the new limit.
func raiseNoFile(need uint64) (noFile, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return noFile{}, fmt.Errorf("getrlimit: %w", err)
	}
	nf := noFile{Soft: lim.Cur, Hard: lim.Max}
	if lim.Cur >= need {
		return nf, nil
	}
	lim.Cur = min(need, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nf, fmt.Errorf("setrlimit RLIMIT_NOFILE to %d: %w", lim.Cur, err)
	}
	nf.Soft, nf.Raised = lim.Cur, true
	return nf, nil
}

// streamsPerSourceIP keeps each client address well inside the
// ephemeral port range (32768–60999 by default, 28,232 ports).
const streamsPerSourceIP = 20_000

// sourceAddrs returns the loopback addresses client sockets bind to:
// 127.0.0.1 … 127.0.0.k, so more connections than one address has
// ephemeral ports can reach one server port. k = 0 picks one address
// per streamsPerSourceIP streams.
func sourceAddrs(streams, k int) []*net.TCPAddr {
	if k <= 0 {
		k = (streams + streamsPerSourceIP - 1) / streamsPerSourceIP
	}
	k = max(1, min(k, 254))
	out := make([]*net.TCPAddr, k)
	for i := range out {
		out[i] = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(i+1))}
	}
	return out
}
