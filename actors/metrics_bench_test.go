package actors

import (
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// go test -run TestActorMetricsOverhead -count=1 -v ./actors/ -args -actor.figures
var actorFigures = flag.Bool("actor.figures", false,
	"TestActorMetricsOverhead prints the actor metrics overhead for docs/benchmarks.md (takes about 30 s)")

// benchFlush asks the bench actor to signal once everything sent before
// it has been handled (a mailbox is FIFO).
type benchFlush struct{ done chan struct{} }

type benchPing struct{}

// benchActor does nothing with a message but answer requests, so the
// figures are the cost of delivery plus whatever wraps it.
type benchActor struct{}

func (benchActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *benchFlush:
		close(m.done)
	case *benchPing:
		c.Respond(m)
	}
}

func benchProducer() actor.Actor { return benchActor{} }

// actorVariants are the same actor built two ways: bare protoactor
// props, and System.Props (what every dj actor gets: the probed mailbox
// and its metered invoker).
func actorVariants(s *System) []struct {
	name  string
	props *actor.Props
} {
	return []struct {
		name  string
		props *actor.Props
	}{
		{"plain", actor.PropsFromProducer(benchProducer)},
		{"metrics", s.Props("bench", benchProducer)},
	}
}

// benchSend is one-way throughput: b.N Sends from one goroutine to one
// actor with an empty handler, timed until the actor has handled the last.
func benchSend(s *System, props *actor.Props) func(b *testing.B) {
	return func(b *testing.B) {
		root := s.Actors().Root
		pid := root.Spawn(props)
		defer func() { _ = root.StopFuture(pid).Wait() }()
		msg := &benchPing{}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			root.Send(pid, msg)
		}
		done := make(chan struct{})
		root.Send(pid, &benchFlush{done: done})
		<-done
	}
}

// benchRequest is a sequential request/reply round trip, the shape of the
// limiter's lane and rate calls.
func benchRequest(s *System, props *actor.Props) func(b *testing.B) {
	return func(b *testing.B) {
		root := s.Actors().Root
		pid := root.Spawn(props)
		defer func() { _ = root.StopFuture(pid).Wait() }()
		msg := &benchPing{}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := root.RequestFuture(pid, msg, 5*time.Second).Result(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func newBenchSystem(tb testing.TB) *System {
	tb.Helper()
	s, err := NewSystem(Config{DeadLetterThrottle: 5 * time.Millisecond}, prometheus.NewRegistry(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Shutdown(tb.Context()) })
	return s
}

// BenchmarkActorMessages compares the same actor with and without the
// metrics every dj actor carries (see TestActorMetricsOverhead for the
// ratio in one run).
func BenchmarkActorMessages(b *testing.B) {
	s := newBenchSystem(b)
	for _, v := range actorVariants(s) {
		b.Run("send/"+v.name, benchSend(s, v.props))
		b.Run("request/"+v.name, benchRequest(s, v.props))
	}
}

// TestActorMetricsOverhead prints the figures docs/benchmarks.md records:
// per message cost of each variant (medians of rounds that interleave
// the variants, so machine load hits them alike) and the ratio of
// System.Props to plain props.
func TestActorMetricsOverhead(t *testing.T) {
	if !*actorFigures {
		t.Skip("prints benchmark figures; run with -args -actor.figures")
	}
	s := newBenchSystem(t)
	variants := actorVariants(s)
	const rounds = 7
	type figures struct{ send, request []float64 }
	got := make([]figures, len(variants))
	allocs := make([][2]int64, len(variants))
	for range rounds {
		for i, v := range variants {
			r := testing.Benchmark(benchSend(s, v.props))
			got[i].send = append(got[i].send, float64(r.NsPerOp()))
			allocs[i][0] = r.AllocsPerOp()
			r = testing.Benchmark(benchRequest(s, v.props))
			got[i].request = append(got[i].request, float64(r.NsPerOp()))
			allocs[i][1] = r.AllocsPerOp()
		}
	}
	fmt.Printf("actor message cost, medians of %d interleaved rounds (%s, GOMAXPROCS=%d):\n", rounds, runtime.Version(), runtime.GOMAXPROCS(0))
	baseSend, baseReq := median(got[0].send), median(got[0].request)
	for i, v := range variants {
		sn, rq := median(got[i].send), median(got[i].request)
		fmt.Printf("  %-10s send %6.0f ns/msg (×%.2f, %d allocs)   request %7.0f ns (×%.2f, %d allocs)\n",
			v.name, sn, sn/baseSend, allocs[i][0], rq, rq/baseReq, allocs[i][1])
	}
}
