package actors

import (
	"container/heap"
	"time"
)

// startWindow is the rate actor's record of recent upstream starts. It
// admits a new start only while fewer than limit starts lie inside the
// last span.
//
// A start is recorded when it is granted and then stamped with the time
// its request went out (see wireStamp). Until it is stamped an entry
// counts as inside the window whatever its age, so a slow report can only
// delay grants, never let one through early. Stamping with the wire time
// rather than the grant time takes the caller's own scheduling delay out
// of what the margin in span has to cover.
//
// Stamped entries sit in a min-heap by expiry, pending ones in a FIFO by
// grant time (for the stale bound), so every operation is O(log n) even
// with a large limit.
type startWindow struct {
	span    time.Duration
	limit   int
	stale   time.Duration // an unstamped entry older than this is stamped "now"
	live    int           // entries inside the window: pending plus unexpired
	byID    map[uint64]*start
	expiry  expiryHeap // stamped entries
	pending []*start   // grant order; entries stamped or removed meanwhile are skipped
}

type start struct {
	ticket  uint64
	granted time.Time
	stamp   time.Time
	stamped bool
	gone    bool // left the window (expired or unused)
	index   int  // position in expiry, -1 when not in it
}

func newStartWindow(limit int, span, stale time.Duration) *startWindow {
	return &startWindow{span: span, limit: limit, stale: stale, byID: map[uint64]*start{}}
}

// prune forgets starts that left the window by now. It returns how many
// unstamped entries it had to stamp because their caller never reported.
func (w *startWindow) prune(now time.Time) (forced int) {
	for len(w.pending) > 0 {
		s := w.pending[0]
		if !s.stamped && !s.gone {
			if now.Sub(s.granted) < w.stale {
				break
			}
			w.setStamp(s, now)
			forced++
		}
		w.pending[0] = nil
		w.pending = w.pending[1:]
	}
	for len(w.expiry) > 0 {
		s := w.expiry[0]
		if now.Sub(s.stamp) < w.span {
			break
		}
		heap.Pop(&w.expiry)
		w.drop(s)
	}
	return forced
}

// count is the number of starts inside the window as of the last prune.
func (w *startWindow) count() int { return w.live }

// free reports whether one more start may be granted (after prune).
func (w *startWindow) free() bool { return w.live < w.limit }

// add records a start granted at now.
func (w *startWindow) add(ticket uint64, now time.Time) {
	s := &start{ticket: ticket, granted: now, index: -1}
	w.byID[ticket] = s
	w.pending = append(w.pending, s)
	w.live++
}

// stampAt records that the request of ticket went out at t. Later stamps
// win, so a late report never moves a start earlier.
func (w *startWindow) stampAt(ticket uint64, t time.Time) {
	if s, ok := w.byID[ticket]; ok && (!s.stamped || t.After(s.stamp)) {
		w.setStamp(s, t)
	}
}

func (w *startWindow) setStamp(s *start, t time.Time) {
	s.stamp = t
	if s.stamped {
		heap.Fix(&w.expiry, s.index)
		return
	}
	s.stamped = true
	heap.Push(&w.expiry, s)
}

// unused forgets a grant whose request never went out (its caller gave up
// before using it, or the breaker refused the call).
func (w *startWindow) unused(ticket uint64) bool {
	s, ok := w.byID[ticket]
	if !ok {
		return false
	}
	if s.index >= 0 {
		heap.Remove(&w.expiry, s.index)
	}
	w.drop(s)
	return true
}

func (w *startWindow) drop(s *start) {
	s.gone = true
	delete(w.byID, s.ticket)
	w.live--
}

// nextChange is the earliest time an entry can leave the window (or be
// force-stamped); ok is false when nothing is in it.
func (w *startWindow) nextChange() (t time.Time, ok bool) {
	if len(w.expiry) > 0 {
		t, ok = w.expiry[0].stamp.Add(w.span), true
	}
	for _, s := range w.pending {
		if s.stamped || s.gone {
			continue
		}
		if at := s.granted.Add(w.stale); !ok || at.Before(t) {
			t, ok = at, true
		}
		break // the first pending one is the oldest
	}
	return t, ok
}

// expiryHeap orders stamped starts by stamp (all share one span).
type expiryHeap []*start

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].stamp.Before(h[j].stamp) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *expiryHeap) Push(x any) {
	s := x.(*start)
	s.index = len(*h)
	*h = append(*h, s)
}
func (h *expiryHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	s.index = -1
	*h = old[:len(old)-1]
	return s
}
