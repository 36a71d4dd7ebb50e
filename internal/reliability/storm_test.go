package reliability

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
)

// storm is the edit storm of the durability tests: for every ledger, a
// queue editor and a preferences editor running at once against one
// server, each sending its next edit as soon as the last is answered.
type storm struct {
	cancel context.CancelFunc
	quit   chan struct{} // closed: send no further edit
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// startStorm starts the editors; seed makes their choices repeatable.
// An answer with one of the unavailable statuses ends an editor quietly,
// its edit pending (see ledger.storm): a server that is stopping may
// answer 503, a cluster losing a node 502/503/504.
func startStorm(ctx context.Context, c *client, ledgers []*ledger, seed uint64, unavailable ...int) *storm {
	ctx, cancel := context.WithCancel(ctx)
	s := &storm{cancel: cancel, quit: make(chan struct{})}
	for i, l := range ledgers {
		for j, part := range []string{"queue", "prefs"} {
			rng := rand.New(rand.NewPCG(seed, uint64(i*2+j)))
			s.wg.Go(func() {
				if err := l.storm(ctx, s.quit, c, rng, part, unavailable); err != nil {
					s.mu.Lock()
					s.errs = append(s.errs, err)
					s.mu.Unlock()
				}
			})
		}
	}
	return s
}

// stop ends the storm (edits in flight are abandoned and stay pending)
// and returns what went wrong in it.
func (s *storm) stop() error {
	close(s.quit)
	s.cancel()
	return s.wait()
}

// finish ends the storm after the edits in flight have been answered
// (or have failed), and returns what went wrong in it. A cluster node
// may still be working on an abandoned edit for another that died, and
// apply it later; waiting for every answer leaves no edit in limbo.
func (s *storm) finish() error {
	close(s.quit)
	err := s.wait()
	s.cancel()
	return err
}

func (s *storm) wait() error {
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}
