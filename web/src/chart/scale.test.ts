import { describe, expect, test } from 'vitest';
import type { PlayedTrack, QueuedTrack } from '../api/types';
import { bpmDomain, chartSeries, linePath, linearScale, niceTicks } from './scale';

describe('chart scaling', () => {
  test('linearScale maps the domain onto the range, inverted for SVG y', () => {
    const y = linearScale([0, 10], [200, 0]);
    expect([y(0), y(5), y(10)]).toEqual([200, 100, 0]);
    const x = linearScale([0, 4], [40, 600]);
    expect(x(2)).toBe(320);
  });

  test('a zero-width domain maps to the middle instead of dividing by zero', () => {
    expect(linearScale([5, 5], [0, 100])(5)).toBe(50);
  });

  test('niceTicks are round steps covering the range', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(80, 140, 4)).toEqual([80, 100, 120, 140]);
    expect(niceTicks(0.1, 0.9, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });

  test('bpmDomain holds values and the target band, padded to tens', () => {
    expect(bpmDomain([96, 128], { min: 100, max: 120 })).toEqual([90, 140]);
    expect(bpmDomain([], { min: 80, max: 140 })).toEqual([70, 150]);
    expect(bpmDomain([], null)).toEqual([60, 180]);
  });

  test('chartSeries puts history oldest-first, then the queue, and drops impossible values', () => {
    const history = [
      { name: 'new', artist: 'A', bpm: 120, energy: 0.8 },
      { name: 'old', artist: 'B', bpm: 0, energy: 3 },
    ] as PlayedTrack[];
    const queue = [{ name: 'next', artist: 'C' }] as QueuedTrack[];
    expect(chartSeries(history, queue)).toEqual([
      { label: 'old — B', kind: 'played', bpm: null, energy: null },
      { label: 'new — A', kind: 'played', bpm: 120, energy: 0.8 },
      { label: 'next — C', kind: 'queued', bpm: null, energy: null },
    ]);
  });

  test('linePath breaks at missing values rather than inventing them', () => {
    const id = (v: number) => v;
    expect(linePath([1, 2, null, 4, 5], id, id)).toBe('M0 1L1 2M3 4L4 5');
    expect(linePath([null, null], id, id)).toBe('');
  });
});
