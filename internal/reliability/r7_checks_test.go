package reliability

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// r7CheckShutdown reads djd's own account of its shutdown: how much
// tracked work was running, how long it took to drain, that nothing was
// abandoned, and the time to exit.
func r7CheckShutdown(t *testing.T, v r7Variant, logs string, took time.Duration, exitErr error) {
	t.Helper()
	drain := lastLog(logs, "shutdown: draining tracked work")
	stopped := lastLog(logs, "shutdown: actor system stopped")
	streams := lastLog(logs, "shutdown: SSE streams closed")
	final := lastLog(logs, "djd stopped")
	if drain == nil || stopped == nil || streams == nil || final == nil {
		t.Fatalf("shutdown not logged in full (drain %v, actors %v, streams %v, stopped %v)", drain, stopped, streams, final)
	}
	if unfinished, _ := streams["unfinished"].(float64); unfinished != 0 {
		t.Errorf("%v SSE streams did not finish", unfinished)
	}
	if abandoned := logLines(logs, "tracked work abandoned at shutdown"); len(abandoned) > 0 {
		t.Errorf("tracked work abandoned (did not stop when cancelled): %v", abandoned)
	}
	cancelled := logLines(logs, "tracked work did not finish; cancelling")
	d, err := time.ParseDuration(fmt.Sprint(stopped["took"]))
	switch {
	case err != nil:
		t.Errorf("actor shutdown took %v: %v", stopped["took"], err)
	case v.drains && (stopped["drained"] != true || final["clean"] != true || d > r7DrainBound):
		t.Errorf("tracked work did not drain within %s: %v / %v; cancelled: %v", r7DrainBound, stopped, final, cancelled)
	case d > r7DrainBound+1500*time.Millisecond: // the bound, then one second for cancelled work to stop
		t.Errorf("tracked work took %s to drain or be cancelled, the bound is %s", d, r7DrainBound)
	}
	// Streams get CloseGrace (2 s) for their final event, then the drain.
	if took > r7DrainBound+4*time.Second {
		t.Errorf("djd took %s to exit after SIGTERM", took)
	}
	t.Logf("shutdown: %v tracked work running at the drain, which took %v (drained %v, %d cancelled); %v streams closed in %v; exit %v after %s",
		drain["active"], stopped["took"], stopped["drained"], len(cancelled), streams["streams"], streams["took"], exitErr, took.Round(time.Millisecond))
}

// r7CheckStreams: every stream ended cleanly (EOF) right after its final
// event.
func r7CheckStreams(t *testing.T, streams []*r7Stream) {
	t.Helper()
	for _, s := range streams {
		frames, err := s.snapshot()
		if err != io.EOF {
			t.Errorf("%s: ended with %v, want a clean end", s.what, err)
			continue
		}
		if len(frames) == 0 || !s.final(frames[len(frames)-1]) {
			last := "(none)"
			if len(frames) > 0 {
				last = frames[len(frames)-1]
			}
			t.Errorf("%s: last frame %q is not its final event (%d frames)", s.what, last, len(frames))
		}
	}
}
