package main

import (
	"math/rand/v2"
	"sort"
	"time"
)

// chooser draws operations by weight. It is read-only once built, so
// every user shares one.
type chooser struct {
	ops []Operation
	cum []float64 // cum[i] is the total weight of ops[0..i]
}

func newChooser(ops []Operation) *chooser {
	c := &chooser{ops: ops, cum: make([]float64, len(ops))}
	total := 0.0
	for i, op := range ops {
		total += op.Weight
		c.cum[i] = total
	}
	return c
}

// pick returns the operation for the uniform draw r in [0, 1), and false
// when there is none.
func (c *chooser) pick(r float64) (Operation, bool) {
	i := pickIndex(c.cum, r)
	if i < 0 {
		return Operation{}, false
	}
	return c.ops[i], true
}

// pickIndex maps r in [0, 1) onto cumulative weights: the first index
// whose cumulative weight exceeds r×total, or -1 when cum is empty.
func pickIndex(cum []float64, r float64) int {
	if len(cum) == 0 {
		return -1
	}
	x := r * cum[len(cum)-1]
	i := sort.Search(len(cum), func(i int) bool { return cum[i] > x })
	if i == len(cum) {
		i = len(cum) - 1
	}
	return i
}

// think draws a pause uniformly from rg.
func think(rng *rand.Rand, rg Range) time.Duration {
	lo, hi := time.Duration(rg.Min), time.Duration(rg.Max)
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
}
