import type { Snapshot } from './types';

// A snapshot as djd sends it, for the dashboard's tests; override what a
// test is about.
export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    at: '2026-12-04T17:42:44.786Z',
    interval_seconds: 1,
    actors: [
      { kind: 'lane', alive: 4, mailbox: 0, restarts: 0, messages_per_second: 12, p50_seconds: 3e-6, p99_seconds: 4e-5 },
      { kind: 'session', alive: 3, mailbox: 2, restarts: 0, messages_per_second: 30, p50_seconds: 2e-4, p99_seconds: 0.004 },
      { kind: 'stream', alive: 1, mailbox: 0, restarts: 0, messages_per_second: 1, p50_seconds: null, p99_seconds: null },
    ],
    lanes: [
      { lane: 'anthropic', in_flight: 0, queued: 0, cap: 2, breaker: 'closed', requests_per_second: 0, failures_per_second: 0 },
      { lane: 'spotify', in_flight: 5, queued: 3, cap: 5, breaker: 'closed', requests_per_second: 9, failures_per_second: 0 },
    ],
    window: { used: 12, limit: 40, queued: 0 },
    streams: [{ stream: 'player', open: 2, events_per_second: 1.5, dropped_total: 0 }],
    store: [
      { ns: 'audio_features', hits: 6, misses: 2, negative: 2, invalid: 0, hit_rate: 0.8, reads_per_second: 5, bytes: 2_500_000 },
      { ns: 'sessions', hits: 0, misses: 0, negative: 0, invalid: 0, hit_rate: null, reads_per_second: 0, bytes: 0 },
    ],
    http: { requests_per_second: 5, errors_per_second: 0, p50_seconds: 0.002, p99_seconds: 0.05 },
    budget: { requests: 2, p50: 40, p99: 180 },
    runtime: { goroutines: 63, heap_bytes: 80_788_712 },
    ...over,
  };
}
