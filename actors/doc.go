// Package actors is djd's actor layer: one protoactor ActorSystem (System)
// with the upstream limiter actors, the request work tracker, and the
// service's other actor kinds built on them.
//
// # Upstream discipline
//
// Every outbound call goes through System.Do:
//
//	budget → breaker (fail fast) → lane permit → global grant → breaker
//	→ per-call timeout → call → permit back (always)
//
// Step by step:
//
//   - Budget: a request's *Budget (950 calls, 10 kept for overhead) pays
//     for the call when it is admitted and is refunded when the call never
//     reached the wire. An exhausted budget refuses with ErrBudgetExhausted;
//     nothing is queued.
//   - Lane permit: one "lane/<api>" actor per API caps calls in flight
//     (Anthropic 2, Spotify 5, Last.fm 10, Deezer 10). A call holds at most
//     one permit and never waits for another while holding one: Do with a
//     context that already holds a permit returns ErrNestedPermit at once
//     (the reference app's Last.fm deadlock, anchor-infra §1.8).
//   - Global grant: the "rate" actor lets at most 40 requests start inside
//     any sliding window of 1 s + WindowMargin, across all lanes. It is
//     asked last, right before the call, so starts do not bunch up on the
//     wire. Each grant is stamped with the time its request really went out
//     (httptrace: request written on a reused connection, first response
//     byte on a fresh one, else the call's return), and the margin covers
//     the far end's dispatch after that. The actor wakes itself with a
//     timer message when the next slot frees; it never polls.
//   - Both queues are FIFO within a priority; interactive work goes first,
//     but a background waiter is never passed by interactive work that
//     arrived more than StarvationLimit after it. Queues are bounded
//     (ErrQueueFull), waits are bounded (MaxWait, ErrWaitTimeout), and a
//     caller whose context ends is dropped from the queue, or, if it was
//     granted meanwhile, the actor takes the permit or grant back.
//   - Breakers: one gobreaker/v2 per lane trips on consecutive failures or
//     on a failure ratio (5xx, transport errors, bad bodies, per-call
//     timeouts; 4xx answers count as successes, 429 and caller
//     cancellation are not counted). Open, it fails fast with
//     ErrBreakerOpen; after its timeout it lets probes through.
//   - 429: an upstream error carrying upstream.ErrRateLimited pauses the
//     whole lane for its Retry-After (DefaultRetryAfter when absent, capped
//     at MaxRetryAfter): the lane grants no permits and the rate actor
//     holds back grants for permits already out.
//
// # Tracked work
//
// System.NewTracker is the seed's PromiseTracker: Tracker.Go runs each
// piece of request work in a tracked goroutine, Tracker.Finish logs its
// status (started, done, failed, pending, durations) with the request ID,
// and System.Shutdown waits, bounded by DrainTimeout, for all of it,
// logging and cancelling what did not finish.
//
// # Request IDs and logs
//
// WithRequestID puts the request ID on the context; Do copies it into
// every actor message it sends, and every log line a request causes
// carries it as request_id. protoactor's own logger is routed into the
// same slog handler (lib=protoactor).
//
// # Naming and metrics
//
// Actors are named kind or kind/instance ("upstream", "upstream/rate",
// "upstream/lane/spotify"); System.Props adds the receive middleware that
// keeps dj_actors_alive{kind}, dj_actor_message_duration_seconds{kind,
// message} and dj_actor_restarts_total{kind}. The limiter exports
// dj_lane_in_flight{lane}, dj_lane_queued{lane}, dj_breaker_state{lane},
// dj_upstream_requests_total{lane,outcome}, dj_upstream_window_requests,
// dj_upstream_rate_queued, dj_upstream_wait_seconds{lane},
// dj_budget_used and dj_tracked_work_active. protoactor's OpenTelemetry
// metrics stay off.
//
// # Supervision
//
// Decided per actor kind (docs/actors.md has the same table):
//
//	kind      owns                                        strategy
//	upstream  the limiter actors, nothing else            stop (its guardian stops it on any failure)
//	rate      start window, lane pauses, grant queue      restart ≤ Restarts per RestartWindow, then stop;
//	                                                      invariant violation → escalate
//	lane      permit ledger, 429 pause, breaker, queue    same as rate
//
// A restarted rate or lane actor keeps its accounting (the start window,
// the permit ledger, the pause, the breaker live outside the actor
// instance), so the limits hold across the restart; only its waiters are
// refused with ErrLimiterRestarted, and Do asks once more. A limiter actor
// that keeps failing is stopped and its calls fail with ErrLimiterDown. An
// invariant violation (more permits out than the cap, more starts in the
// window than the rate) means the books cannot be trusted: it is escalated
// to "upstream", whose guardian stops it and with it the whole limiter, so
// dj fails closed instead of calling upstream without limits.
package actors
