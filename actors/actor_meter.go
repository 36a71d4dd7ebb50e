package actors

import (
	"reflect"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// kindMeter is everything measured about one actor kind: actors alive,
// restarts, the time each message took, and the live actors' mailboxes
// (for dj_actor_mailbox_depth). System.Props gives every actor of the
// kind a probedMailbox, whose meteredInvoker feeds it.
type kindMeter struct {
	name      string
	alive     prometheus.Gauge
	restarts  prometheus.Counter
	durations *prometheus.HistogramVec
	observers sync.Map // reflect.Type of a message -> prometheus.Observer

	mu   sync.Mutex
	live map[*actor.PID]actor.Mailbox
}

func newKindMeter(m *metrics, kind string) *kindMeter {
	return &kindMeter{
		name:      kind,
		alive:     m.actorsAlive.WithLabelValues(kind),
		restarts:  m.restarts.WithLabelValues(kind),
		durations: m.msgDuration,
		live:      map[*actor.PID]actor.Mailbox{},
	}
}

// producer makes protoactor's default (unbounded) mailbox, probed.
func (k *kindMeter) producer() actor.MailboxProducer {
	inner := actor.Unbounded()
	return func() actor.Mailbox { return &probedMailbox{Mailbox: inner(), kind: k} }
}

// join and leave keep the live set, keyed by the PID pointer: it is
// unique per spawn, so an actor spawned under a stopped one's name is
// never dropped by the old one leaving.
func (k *kindMeter) join(pid *actor.PID, mb actor.Mailbox) {
	k.mu.Lock()
	k.live[pid] = mb
	k.mu.Unlock()
}

func (k *kindMeter) leave(pid *actor.PID) {
	k.mu.Lock()
	delete(k.live, pid)
	k.mu.Unlock()
}

// depth sums the queued user messages of the kind's live actors.
func (k *kindMeter) depth() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, mb := range k.live {
		n += mb.UserMessageCount()
	}
	return n
}

// liveCount is how many actors of the kind have a probed mailbox.
func (k *kindMeter) liveCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.live)
}

// observe records one message's handling time under its type's name.
// The label child is looked up once per type, keyed by the type itself,
// so no name is built per message.
func (k *kindMeter) observe(msg any, d time.Duration) {
	if env, ok := msg.(*actor.MessageEnvelope); ok { // requests arrive wrapped
		msg = env.Message
	}
	t := reflect.TypeOf(msg)
	obs, ok := k.observers.Load(t)
	if !ok {
		obs, _ = k.observers.LoadOrStore(t, k.durations.WithLabelValues(k.name, messageName(msg)))
	}
	obs.(prometheus.Observer).Observe(d.Seconds())
}

// meteredInvoker stands between a mailbox and its actor's context. The
// mailbox calls it one message at a time, so its fields need no lock.
// Lifecycle is read from system messages: Started (spawn) counts the
// actor alive, Restart counts a restart (the actor stays alive), and the
// first Stop takes it out of the alive count and the mailbox depth —
// from then on it only winds down (children stopping, final Stopped).
// Working here rather than in a receive middleware spares every message
// protoactor's envelope allocation and middleware chain.
type meteredInvoker struct {
	inner    actor.MessageInvoker
	kind     *kindMeter
	pid      *actor.PID
	stopping bool
}

// InvokeUserMessage implements actor.MessageInvoker.
func (i *meteredInvoker) InvokeUserMessage(msg any) {
	t0 := time.Now()
	i.inner.InvokeUserMessage(msg)
	i.kind.observe(msg, time.Since(t0))
}

// InvokeSystemMessage implements actor.MessageInvoker.
func (i *meteredInvoker) InvokeSystemMessage(msg any) {
	switch msg.(type) {
	case *actor.Started:
		i.kind.alive.Inc()
	case *actor.Restart:
		i.kind.restarts.Inc()
	case *actor.Stop:
		if !i.stopping {
			i.stopping = true
			i.kind.alive.Dec()
			if i.pid != nil {
				i.kind.leave(i.pid)
			}
		}
	}
	t0 := time.Now()
	i.inner.InvokeSystemMessage(msg)
	i.kind.observe(msg, time.Since(t0))
}

// EscalateFailure implements actor.MessageInvoker.
func (i *meteredInvoker) EscalateFailure(reason, message any) {
	i.inner.EscalateFailure(reason, message)
}
