package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestR1AcknowledgedEditsSurviveKill9 is R1: djd runs as a child process
// while every user's queue and preferences are edited as fast as it
// answers; at a random moment it is killed with SIGKILL and restarted on
// the same data directory. Every edit it acknowledged (answered 2xx) must
// be in the restarted server's mix — exactly: the stored queue is the
// last acknowledged queue (or that plus the one edit still unanswered),
// and likewise the preferences marker. Session tokens must survive too.
// make test kills 3 times; make soak 25.
func TestR1AcknowledgedEditsSurviveKill9(t *testing.T) {
	t.Parallel() // runs after R5 and R6, which measure the whole process alone
	needProcesses(t)
	kills := pick(3, 25)
	users := pick([]string{"alice", "bob", "carol", "dave"},
		[]string{"alice", "bob", "carol", "dave", "user-0005", "user-0006", "user-0007", "user-0008"})
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ctx, cancel := context.WithTimeout(context.Background(), pick(3*time.Minute, 20*time.Minute))
	defer cancel()

	bin := djdBinary(t)
	dir := t.TempDir()
	p := startDJD(t, bin, dir)
	c := newClient(p.URL)
	ledgers, err := newLedgers(ctx, c, p.SimURL, users)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string // every session token issued, for the log grep
	for _, l := range ledgers {
		tokens = append(tokens, l.session())
	}
	logs := map[string]string{}
	var downtime time.Duration
	for k := range kills {
		before, _, _ := ledgerTotals(ledgers)
		s := startStorm(ctx, c, ledgers, seed+uint64(k))
		delay := 300*time.Millisecond + time.Duration(rng.Int64N(int64(1200*time.Millisecond)))
		time.Sleep(delay)
		p.Kill9()
		killedAt := time.Now()
		if err := s.stop(); err != nil {
			t.Fatalf("kill %d: storm: %v", k+1, err)
		}
		c.close()
		logs[fmt.Sprintf("djd log %d", k+1)] = p.Logs()

		p = startDJD(t, bin, dir)
		c = newClient(p.URL)
		downtime += time.Since(killedAt)
		for _, l := range ledgers {
			got, err := stored(ctx, c, l.session()) // the old session must still work
			if err != nil {
				t.Fatalf("kill %d: %s after restart: %v", k+1, l.user, err)
			}
			if err := l.verify(got); err != nil {
				t.Fatalf("kill %d after %s: %v", k+1, delay, err)
			}
			// The simulator restarted with djd and forgot its Spotify
			// tokens; a fresh login gets the user new ones.
			token, err := c.login(ctx, l.user)
			if err != nil {
				t.Fatalf("kill %d: re-login %s: %v", k+1, l.user, err)
			}
			l.setSession(token)
			tokens = append(tokens, token)
		}
		acks, applied, lost := ledgerTotals(ledgers)
		if acks == before {
			t.Fatalf("kill %d after %s: no edit was acknowledged before it", k+1, delay)
		}
		t.Logf("kill %d after %s: %d edits acknowledged in this round, all stored; in-flight edits so far: %d stored, %d not",
			k+1, delay.Round(time.Millisecond), acks-before, applied, lost)
	}
	acks, applied, lost := ledgerTotals(ledgers)
	t.Logf("R1: %d kills, %d acknowledged edits, 0 lost; %d unanswered edits were stored anyway, %d were not; mean restart %s",
		kills, acks, applied, lost, (downtime / time.Duration(kills)).Round(time.Millisecond))

	if d := p.Term(15 * time.Second); p.ExitErr() != nil {
		t.Fatalf("final SIGTERM: exit %v after %s", p.ExitErr(), d)
	}
	logs["final djd log"] = p.Logs()
	assertNoSecrets(t, append(tokens, spotifyTokens(t, dir, users)...), logs)
}
