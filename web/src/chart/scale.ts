// Scales for the energy/BPM chart, written out rather than taken from a
// chart library: a linear map, "nice" tick values, and the series built
// from the mix (history oldest first, then the queue).

import type { PlayedTrack, QueuedTrack } from '../api/types';

export type Scale = (v: number) => number;

export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Round tick values (multiples of 1, 2 or 5 × 10^n) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || count < 1) return [];
  if (min === max) return [min];
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toFixed(10)));
  }
  return ticks;
}

/** A domain that holds every value and the target range, padded to round numbers. */
export function bpmDomain(values: readonly number[], target: { min: number; max: number } | null): [number, number] {
  const all = [...values];
  if (target !== null) all.push(target.min, target.max);
  if (all.length === 0) return [60, 180];
  const lo = Math.floor((Math.min(...all) - 5) / 10) * 10;
  const hi = Math.ceil((Math.max(...all) + 5) / 10) * 10;
  return [Math.max(0, lo), hi];
}

export interface ChartPoint {
  label: string;
  kind: 'played' | 'queued';
  bpm: number | null;
  /** 0–1. */
  energy: number | null;
}

export function chartSeries(history: readonly PlayedTrack[], queue: readonly QueuedTrack[]): ChartPoint[] {
  const played = [...history].reverse().map((t): ChartPoint => ({
    label: `${t.name} — ${t.artist}`,
    kind: 'played',
    bpm: validBpm(t.bpm),
    energy: validEnergy(t.energy),
  }));
  // djd's queue entries carry no tempo or energy (those are looked up
  // when a track is played), so queued slots hold a place without values.
  const queued = queue.map((t): ChartPoint => ({
    label: `${t.name} — ${t.artist}`,
    kind: 'queued',
    bpm: null,
    energy: null,
  }));
  return [...played, ...queued];
}

const validBpm = (v: number | null): number | null => (typeof v === 'number' && v > 0 && v < 400 ? v : null);
const validEnergy = (v: number | null): number | null => (typeof v === 'number' && v >= 0 && v <= 1 ? v : null);

/**
 * An SVG path through the points that have a value; a missing value breaks
 * the line instead of inventing one.
 */
export function linePath(values: readonly (number | null)[], x: Scale, y: Scale): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${round(x(i))} ${round(y(v))}`;
    pen = true;
  });
  return d;
}

const round = (v: number): number => Math.round(v * 10) / 10;
