package actors

import (
	"container/list"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// waiter is one call waiting in a limiter actor's queue.
type waiter struct {
	ticket  uint64
	replyTo *actor.PID // the caller's future
	prio    Priority
	lane    Lane
	op      string
	reqID   string
	at      time.Time // when the actor queued it
	key     time.Time // order key: at, plus the starvation limit for background
	elem    *list.Element
}

// waitQueue is the two-priority FIFO both limiter kinds use. Interactive
// and background waiters each queue FIFO; between the two heads the one
// with the smaller key goes first, where an interactive waiter's key is
// its arrival and a background waiter's key is its arrival plus the
// starvation limit. So interactive work goes ahead, yet a background
// waiter is never passed by interactive work that arrived more than the
// limit after it: it cannot starve. Every operation but next is O(1);
// next scans only when some waiters are not eligible (a paused lane).
type waitQueue struct {
	starvation time.Duration
	lists      [2]*list.List // by Priority
	byTicket   map[uint64]*waiter
}

func newWaitQueue(starvation time.Duration) *waitQueue {
	return &waitQueue{
		starvation: starvation,
		lists:      [2]*list.List{list.New(), list.New()},
		byTicket:   map[uint64]*waiter{},
	}
}

func (q *waitQueue) len() int { return len(q.byTicket) }

func class(p Priority) int {
	if p == PriorityBackground {
		return 1
	}
	return 0
}

// push queues w; its at must not be before the at of earlier waiters.
func (q *waitQueue) push(w *waiter) {
	w.key = w.at
	if class(w.prio) == 1 {
		w.key = w.at.Add(q.starvation)
	}
	w.elem = q.lists[class(w.prio)].PushBack(w)
	q.byTicket[w.ticket] = w
}

// remove takes the waiter with ticket out of the queue, if it is there.
func (q *waitQueue) remove(ticket uint64) (*waiter, bool) {
	w, ok := q.byTicket[ticket]
	if !ok {
		return nil, false
	}
	q.lists[class(w.prio)].Remove(w.elem)
	delete(q.byTicket, ticket)
	return w, true
}

// next removes and returns the waiter to serve now among those eligible
// says yes to (nil eligible means all are), or nil.
func (q *waitQueue) next(eligible func(*waiter) bool) *waiter {
	var best *waiter
	for _, l := range q.lists {
		for e := l.Front(); e != nil; e = e.Next() {
			w := e.Value.(*waiter)
			if eligible != nil && !eligible(w) {
				continue
			}
			if best == nil || w.key.Before(best.key) {
				best = w
			}
			break // the first eligible one is this list's head
		}
	}
	if best != nil {
		q.remove(best.ticket)
	}
	return best
}

// each calls f for every waiter, in no particular order.
func (q *waitQueue) each(f func(*waiter)) {
	for _, w := range q.byTicket {
		f(w)
	}
}

// drain empties the queue and returns what was in it.
func (q *waitQueue) drain() []*waiter {
	out := make([]*waiter, 0, len(q.byTicket))
	for _, l := range q.lists {
		for e := l.Front(); e != nil; e = e.Next() {
			out = append(out, e.Value.(*waiter))
		}
		l.Init()
	}
	clear(q.byTicket)
	return out
}
