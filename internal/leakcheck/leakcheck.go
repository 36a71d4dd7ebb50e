// Package leakcheck holds the goroutine-leak checks every package's tests
// share: goleak plus the long-lived goroutines of our libraries that are
// not leaks (fasthttp's date updater and idle worker pool, Badger's and
// ristretto's process-wide helpers, protoactor's dead-letter throttle).
package leakcheck

import (
	"testing"

	"go.uber.org/goleak"
)

// Known lists the library goroutines that outlive a clean shutdown by
// design. goleak's IgnoreAnyFunction is needed because several sit in
// time.Sleep, which IgnoreTopFunction would miss.
func Known() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).workerFunc"),
		goleak.IgnoreAnyFunction("github.com/dgraph-io/ristretto/v2/z.(*AllocatorPool).freeupAllocators"),
		goleak.IgnoreAnyFunction("github.com/golang/glog.(*fileSink).flushDaemon"),
		goleak.IgnoreAnyFunction("go.opencensus.io/stats/view.(*worker).start"),
		// protoactor's dead-letter log throttle: after a dead letter (a
		// message to an actor that just stopped) it keeps one goroutine for
		// one throttle interval, then it exits.
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewThrottle.func1.1"),
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"),
	}
}

// VerifyTestMain runs the package's tests and fails the run if any
// goroutine other than the known ones is left behind.
func VerifyTestMain(m *testing.M, extra ...goleak.Option) {
	goleak.VerifyTestMain(m, append(Known(), extra...)...)
}
