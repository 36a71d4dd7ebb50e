// One frame of GET /api/admin/metrics/stream (`event: snapshot`), as
// djd's internal/dashboard package writes it. Rates and latencies cover
// the second before `at`; on a stream's first frame they are 0 and null.

export interface ActorKind {
  kind: string;
  alive: number;
  mailbox: number;
  restarts: number;
  messages_per_second: number;
  p50_seconds: number | null;
  p99_seconds: number | null;
}

export type BreakerState = 'closed' | 'half-open' | 'open';

export interface Lane {
  lane: string;
  in_flight: number;
  queued: number;
  cap: number;
  breaker: BreakerState;
  requests_per_second: number;
  failures_per_second: number;
}

export interface Window {
  used: number;
  limit: number;
  queued: number;
}

export interface StreamKind {
  stream: string;
  open: number;
  events_per_second: number;
  dropped_total: number;
}

export interface Namespace {
  ns: string;
  hits: number;
  misses: number;
  negative: number;
  invalid: number;
  /** (hits + negative) / reads since start; null before any read. */
  hit_rate: number | null;
  reads_per_second: number;
  bytes: number;
}

export interface Snapshot {
  at: string;
  interval_seconds: number;
  actors: ActorKind[];
  lanes: Lane[];
  window: Window;
  streams: StreamKind[];
  store: Namespace[];
  http: { requests_per_second: number; errors_per_second: number; p50_seconds: number | null; p99_seconds: number | null };
  budget: { requests: number; p50: number | null; p99: number | null };
  runtime: { goroutines: number; heap_bytes: number };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Accepts a parsed frame only when it has the shape the page draws from:
 * a frame from a newer or broken server is skipped, never half-drawn.
 */
export function isSnapshot(v: unknown): v is Snapshot {
  if (!isObject(v)) return false;
  const lists = ['actors', 'lanes', 'streams', 'store'] as const;
  if (!lists.every((k) => Array.isArray(v[k]))) return false;
  if (!isObject(v.window) || typeof v.window.used !== 'number' || typeof v.window.limit !== 'number') return false;
  if (!isObject(v.http) || !isObject(v.runtime) || !isObject(v.budget)) return false;
  if (typeof v.at !== 'string' || typeof v.interval_seconds !== 'number') return false;
  const actors = v.actors as unknown[];
  const lanes = v.lanes as unknown[];
  return (
    actors.every((a) => isObject(a) && typeof a.kind === 'string' && typeof a.alive === 'number') &&
    lanes.every((l) => isObject(l) && typeof l.lane === 'string' && typeof l.in_flight === 'number' && typeof l.cap === 'number')
  );
}
