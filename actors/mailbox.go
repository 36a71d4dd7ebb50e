package actors

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// actorMeters holds one kindMeter per actor kind and exports
// dj_actor_mailbox_depth{kind} by reading the live actors' mailboxes when
// Prometheus scrapes, so a message costs nothing extra to count.
// protoactor's own mailbox gauge is never exported, and its metrics cost
// ~17× a Send (docs/actors.md).
type actorMeters struct {
	m     *metrics
	mu    sync.Mutex
	kinds map[string]*kindMeter
	desc  *prometheus.Desc
}

func newActorMeters(m *metrics) *actorMeters {
	return &actorMeters{
		m:     m,
		kinds: map[string]*kindMeter{},
		desc: prometheus.NewDesc("dj_actor_mailbox_depth",
			"User messages waiting in the mailboxes of the live actors of a kind (the message being handled is not counted), read at scrape time.",
			[]string{"kind"}, nil),
	}
}

// kind is the meter of one actor kind, created on first use.
func (a *actorMeters) kind(name string) *kindMeter {
	a.mu.Lock()
	defer a.mu.Unlock()
	k, ok := a.kinds[name]
	if !ok {
		k = newKindMeter(a.m, name)
		a.kinds[name] = k
	}
	return k
}

// Describe implements prometheus.Collector.
func (a *actorMeters) Describe(ch chan<- *prometheus.Desc) { ch <- a.desc }

// Collect implements prometheus.Collector: one gauge per kind ever
// spawned, the sum of its live actors' queued user messages.
func (a *actorMeters) Collect(ch chan<- prometheus.Metric) {
	a.mu.Lock()
	kinds := make([]*kindMeter, 0, len(a.kinds))
	for _, k := range a.kinds {
		kinds = append(kinds, k)
	}
	a.mu.Unlock()
	for _, k := range kinds {
		ch <- prometheus.MustNewConstMetric(a.desc, prometheus.GaugeValue, float64(k.depth()), k.name)
	}
}

// probedMailbox is protoactor's default unbounded mailbox with one hook:
// when protoactor hands it the new actor's context (once per spawn, after
// the PID is assigned, before the first message), it joins its kind's
// live set and puts a meteredInvoker between itself and the context.
// Posting is the inner mailbox's own. A spawn refused for its name never
// gets that far, so it never joins.
type probedMailbox struct {
	actor.Mailbox
	kind *kindMeter
}

// RegisterHandlers implements actor.Mailbox.
func (m *probedMailbox) RegisterHandlers(invoker actor.MessageInvoker, d actor.Dispatcher) {
	var pid *actor.PID
	if self, ok := invoker.(interface{ Self() *actor.PID }); ok {
		pid = self.Self()
	}
	if pid != nil {
		m.kind.join(pid, m.Mailbox)
	}
	m.Mailbox.RegisterHandlers(&meteredInvoker{inner: invoker, kind: m.kind, pid: pid}, d)
}
