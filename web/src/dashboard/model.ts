import { DASH, formatBytes, formatCount, formatRate, formatRatio, formatSeconds } from './format';
import { mapOf, seriesMax, seriesOf, type Series } from './series';
import type { BreakerState, Snapshot } from './types';

// Snapshot history → what the dashboard page shows: headline tiles, chart
// series and table rows, each figure already formatted and given a tone,
// so the components only lay it out.

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

export interface Tile {
  id: string;
  label: string;
  value: string;
  detail: string;
  tone: Tone;
}

export interface Chart {
  series: Series[];
  /** Top of the y axis: at least the data's peak, or a fixed limit. */
  max: number;
  format: (v: number) => string;
  /** Counts: the axis shows whole numbers only. */
  integer: boolean;
  /** A horizontal reference line (the window's limit). */
  limit?: { value: number; label: string };
}

export interface ActorRow {
  kind: string;
  alive: number;
  mailbox: number;
  rate: string;
  p50: string;
  p99: string;
  restarts: number;
  tone: Tone;
}

export interface LaneRow {
  lane: string;
  inFlight: number;
  cap: number;
  queued: number;
  /** inFlight / cap, 0–1. */
  use: number;
  breaker: BreakerState;
  rate: string;
  failures: string;
  tone: Tone;
}

export interface StreamRow {
  stream: string;
  open: number;
  rate: string;
  dropped: number;
  tone: Tone;
}

export interface StoreRow {
  ns: string;
  hitRate: string;
  /** 0–1, null before any read: the bar's length. */
  hitRatio: number | null;
  reads: string;
  size: string;
  detail: string;
}

export interface DashboardView {
  /** Time of the newest frame, HH:MM:SS (UTC). */
  updated: string;
  tiles: Tile[];
  window: { used: number; limit: number; queued: number; ratio: number; tone: Tone; chart: Chart };
  charts: { actors: Chart; rates: Chart; latency: Chart; mailboxes: Chart; lanes: Chart; streams: Chart };
  actors: ActorRow[];
  lanes: LaneRow[];
  streams: StreamRow[];
  store: StoreRow[];
}

/** A mailbox this deep means a kind is falling behind. */
export const MAILBOX_WARN = 100;

const whole = (v: number): string => formatCount(v);
const perSecond = (v: number): string => formatRate(v);
const ms = (v: number): string => formatSeconds(v / 1000);

function chart(series: Series[], format: (v: number) => string, floor = 1): Chart {
  return { series, max: Math.max(floor, seriesMax(series)), format, integer: format === whole };
}

export function windowTone(used: number, limit: number): Tone {
  if (limit <= 0) return 'neutral';
  if (used > limit) return 'bad';
  return used >= limit * 0.9 ? 'warn' : 'ok';
}

export function laneTone(l: { breaker: BreakerState; queued: number; in_flight: number; cap: number }): Tone {
  if (l.breaker === 'open' || l.in_flight > l.cap) return 'bad';
  if (l.breaker === 'half-open' || l.queued > 0) return 'warn';
  return 'ok';
}

function tiles(s: Snapshot): Tile[] {
  const alive = s.actors.reduce((n, a) => n + a.alive, 0);
  const rate = s.actors.reduce((n, a) => n + a.messages_per_second, 0);
  const depth = s.actors.reduce((n, a) => n + a.mailbox, 0);
  const open = s.streams.reduce((n, st) => n + st.open, 0);
  const dropped = s.streams.reduce((n, st) => n + st.dropped_total, 0);
  const openBreakers = s.lanes.filter((l) => l.breaker !== 'closed').length;
  const reads = s.store.reduce((n, ns) => n + ns.hits + ns.misses + ns.negative + ns.invalid, 0);
  const hits = s.store.reduce((n, ns) => n + ns.hits + ns.negative, 0);
  return [
    { id: 'actors', label: 'Actors alive', value: whole(alive), detail: `${s.actors.length} kinds`, tone: 'neutral' },
    {
      id: 'messages',
      label: 'Messages',
      value: perSecond(rate),
      detail: `${whole(depth)} waiting`,
      tone: depth >= MAILBOX_WARN ? 'warn' : 'neutral',
    },
    {
      id: 'window',
      label: 'Upstream window',
      value: `${s.window.used} / ${s.window.limit}`,
      detail: `${s.window.queued} waiting for a start`,
      tone: windowTone(s.window.used, s.window.limit),
    },
    {
      id: 'breakers',
      label: 'Breakers',
      value: openBreakers === 0 ? 'all closed' : `${openBreakers} not closed`,
      detail: `${s.lanes.length} lanes`,
      tone: s.lanes.some((l) => l.breaker === 'open') ? 'bad' : openBreakers > 0 ? 'warn' : 'ok',
    },
    {
      id: 'streams',
      label: 'Open streams',
      value: whole(open),
      detail: `${whole(dropped)} events dropped`,
      tone: 'neutral',
    },
    {
      id: 'store',
      label: 'Store hit rate',
      value: reads > 0 ? formatRatio(hits / reads) : DASH,
      detail: `${whole(reads)} reads`,
      tone: 'neutral',
    },
    {
      id: 'http',
      label: 'HTTP',
      value: perSecond(s.http.requests_per_second),
      detail: `p99 ${formatSeconds(s.http.p99_seconds)} · ${formatRate(s.http.errors_per_second)} 5xx`,
      tone: s.http.errors_per_second > 0 ? 'bad' : 'neutral',
    },
    {
      id: 'runtime',
      label: 'Goroutines',
      value: whole(s.runtime.goroutines),
      detail: `Go heap ${formatBytes(s.runtime.heap_bytes)}`,
      tone: 'neutral',
    },
  ];
}

function charts(frames: readonly Snapshot[]): DashboardView['charts'] {
  const actorsBy = (v: (a: Snapshot['actors'][number]) => number | null) => (s: Snapshot) => mapOf(s.actors, (a) => a.kind, v);
  const p99ms = (a: Snapshot['actors'][number]) => (a.p99_seconds === null ? null : a.p99_seconds * 1000);
  return {
    actors: chart(seriesOf(frames, actorsBy((a) => a.alive)), whole),
    rates: chart(seriesOf(frames, actorsBy((a) => a.messages_per_second)), perSecond),
    latency: chart(seriesOf(frames, actorsBy(p99ms)), ms, 0.01),
    mailboxes: chart(seriesOf(frames, actorsBy((a) => a.mailbox)), whole),
    lanes: chart(seriesOf(frames, (s) => mapOf(s.lanes, (l) => l.lane, (l) => l.in_flight)), whole),
    streams: chart(seriesOf(frames, (s) => mapOf(s.streams, (st) => st.stream, (st) => st.open)), whole),
  };
}

function actorRows(s: Snapshot): ActorRow[] {
  return [...s.actors]
    .sort((a, b) => b.alive - a.alive || b.messages_per_second - a.messages_per_second || a.kind.localeCompare(b.kind))
    .map((a) => ({
      kind: a.kind,
      alive: a.alive,
      mailbox: a.mailbox,
      rate: perSecond(a.messages_per_second),
      p50: formatSeconds(a.p50_seconds),
      p99: formatSeconds(a.p99_seconds),
      restarts: a.restarts,
      tone: a.restarts > 0 || a.mailbox >= MAILBOX_WARN ? 'warn' : 'ok',
    }));
}

function laneRows(s: Snapshot): LaneRow[] {
  return s.lanes.map((l) => ({
    lane: l.lane,
    inFlight: l.in_flight,
    cap: l.cap,
    queued: l.queued,
    use: l.cap > 0 ? Math.min(1, l.in_flight / l.cap) : 0,
    breaker: l.breaker,
    rate: perSecond(l.requests_per_second),
    failures: perSecond(l.failures_per_second),
    tone: laneTone(l),
  }));
}

function storeRows(s: Snapshot): StoreRow[] {
  return s.store.map((ns) => ({
    ns: ns.ns,
    hitRate: formatRatio(ns.hit_rate),
    hitRatio: ns.hit_rate,
    reads: perSecond(ns.reads_per_second),
    size: formatBytes(ns.bytes),
    detail: `${whole(ns.hits)} hits · ${whole(ns.negative)} negative · ${whole(ns.misses)} misses · ${whole(ns.invalid)} invalid`,
  }));
}

/** The view of the newest frame with the history behind it; null before any frame. */
export function dashboardView(frames: readonly Snapshot[]): DashboardView | null {
  const s = frames[frames.length - 1];
  if (s === undefined) return null;
  const limit = s.window.limit;
  const windowSeries = seriesOf(frames, (f) => new Map([['used', f.window.used]]), 1);
  return {
    updated: s.at.slice(11, 19),
    tiles: tiles(s),
    window: {
      used: s.window.used,
      limit,
      queued: s.window.queued,
      ratio: limit > 0 ? Math.min(1, s.window.used / limit) : 0,
      tone: windowTone(s.window.used, limit),
      chart: { ...chart(windowSeries, whole, limit), limit: { value: limit, label: `limit ${limit}` } },
    },
    charts: charts(frames),
    actors: actorRows(s),
    lanes: laneRows(s),
    streams: s.streams.map((st) => ({
      stream: st.stream,
      open: st.open,
      rate: perSecond(st.events_per_second),
      dropped: st.dropped_total,
      tone: st.dropped_total > 0 ? 'warn' : 'ok',
    })),
    store: storeRows(s),
  };
}
