package reliability

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"dj/internal/redistest"
)

// testCluster is a dj cluster of child processes on loopback: one
// redis-server (the shared store and the shared limits), one djsim (the
// upstreams every node calls, and the accounting that proves the limits
// hold for the cluster as a whole) and n djd nodes.
type testCluster struct {
	t      *testing.T
	bin    string
	name   string
	redis  *redistest.Server
	sim    *djdProc
	ports  []int      // each node's discovery port, fixed for restarts
	nodes  []*djdProc // nil while a node is down
	killed int        // nodes killed so far
}

// startCluster starts redis, djsim and n djd nodes, and waits until every
// node sees all n members.
func startCluster(t *testing.T, n int) *testCluster {
	t.Helper()
	tc := &testCluster{
		t: t, bin: djdBinary(t), name: fmt.Sprintf("djtest-%d", freePort(t)),
		redis: redistest.Start(t),
		sim:   startSim(t, djsimBinary(t)),
	}
	for range n {
		tc.ports = append(tc.ports, freePort(t))
	}
	tc.nodes = make([]*djdProc, n)
	for i := range n {
		tc.start(i)
	}
	return tc
}

// start (re)starts node i with the cluster's flags.
func (tc *testCluster) start(i int) *djdProc {
	tc.t.Helper()
	var seeds []string
	for _, p := range tc.ports {
		seeds = append(seeds, "127.0.0.1:"+strconv.Itoa(p))
	}
	p := startDJD(tc.t, tc.bin, tc.t.TempDir(),
		"-sim-url", tc.sim.URL,
		"-redis-addr", tc.redis.Addr(),
		"-cluster-name", tc.name,
		"-cluster-addr", "127.0.0.1:0",
		"-cluster-discovery-port", strconv.Itoa(tc.ports[i]),
		"-cluster-seeds", strings.Join(seeds, ","),
		"-log-level", "info")
	tc.nodes[i] = p
	return p
}

// kill sends node i SIGKILL and marks it down.
func (tc *testCluster) kill(i int) {
	tc.t.Helper()
	tc.nodes[i].Kill9()
	tc.nodes[i] = nil
	tc.killed++
}

// restartDead starts every node that is down again and says how many.
func (tc *testCluster) restartDead() int {
	tc.t.Helper()
	n := 0
	for i, p := range tc.nodes {
		if p == nil {
			tc.start(i)
			n++
		}
	}
	return n
}

// urls are the base URLs of the nodes that are up.
func (tc *testCluster) urls() []string {
	var out []string
	for _, p := range tc.nodes {
		if p != nil {
			out = append(out, p.URL)
		}
	}
	return out
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
