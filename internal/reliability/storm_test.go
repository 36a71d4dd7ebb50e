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
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// startStorm starts the editors; seed makes their choices repeatable.
// shuttingDown lets editors take a 503 as the end (see ledger.storm).
func startStorm(ctx context.Context, c *client, ledgers []*ledger, seed uint64, shuttingDown bool) *storm {
	ctx, cancel := context.WithCancel(ctx)
	s := &storm{cancel: cancel}
	for i, l := range ledgers {
		for j, part := range []string{"queue", "prefs"} {
			rng := rand.New(rand.NewPCG(seed, uint64(i*2+j)))
			s.wg.Go(func() {
				if err := l.storm(ctx, c, rng, part, shuttingDown); err != nil {
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
	s.cancel()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}
