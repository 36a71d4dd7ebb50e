import type { Snapshot } from './types';

// The dashboard's memory: the last HISTORY frames (two minutes at one a
// second), and the per-key time series the charts draw from them. The
// server sends only the present; the page keeps the past.

export const HISTORY = 120;

/** The fewest slots a chart spans, so its first seconds are not a sliver. */
export const MIN_SLOTS = 20;

/** How many slots the charts span for this many frames: they grow to HISTORY. */
export function slotsFor(frames: number): number {
  return Math.min(HISTORY, Math.max(MIN_SLOTS, frames));
}

/** The frames with s appended, oldest dropped past cap. */
export function pushFrame(frames: readonly Snapshot[], s: Snapshot, cap = HISTORY): Snapshot[] {
  const next = frames.length >= cap ? frames.slice(frames.length - cap + 1) : frames.slice();
  next.push(s);
  return next;
}

export interface Series {
  key: string;
  /** One value per slot, oldest first: the newest frame is the last
   * slot, slots before the first frame and keys absent from a frame are
   * null (the line breaks there). */
  values: (number | null)[];
  latest: number | null;
}

/** Reads one figure per key from a frame. */
export type Pick = (s: Snapshot) => ReadonlyMap<string, number | null>;

/**
 * The series of every key pick finds, the `limit` largest (by their peak
 * in the window, then by name) first; the rest are left out so a chart
 * stays readable. Keys never above zero rank last.
 */
export function seriesOf(frames: readonly Snapshot[], pick: Pick, limit = 6, slots = slotsFor(frames.length)): Series[] {
  const shown = frames.slice(-slots);
  const picked = shown.map(pick);
  const peak = new Map<string, number>();
  for (const m of picked) {
    for (const [k, v] of m) peak.set(k, Math.max(peak.get(k) ?? 0, v ?? 0));
  }
  const keys = [...peak.keys()].sort((a, b) => (peak.get(b) ?? 0) - (peak.get(a) ?? 0) || a.localeCompare(b));
  const pad = slots - shown.length;
  return keys.slice(0, limit).map((key) => {
    const values: (number | null)[] = Array.from({ length: pad }, () => null);
    for (const m of picked) values.push(m.get(key) ?? null);
    return { key, values, latest: values[values.length - 1] ?? null };
  });
}

/** The largest value in the series (0 when there is none). */
export function seriesMax(series: readonly Series[]): number {
  let m = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > m) m = v;
  return m;
}

/** A Map from a list, for Pick functions. */
export function mapOf<T>(items: readonly T[], key: (t: T) => string, value: (t: T) => number | null): Map<string, number | null> {
  return new Map(items.map((t) => [key(t), value(t)]));
}
