import { describe, expect, test } from 'vitest';
import { HISTORY, MIN_SLOTS, mapOf, pushFrame, seriesMax, seriesOf, slotsFor } from './series';
import { snapshot } from './testdata';

describe('pushFrame', () => {
  test('keeps the newest frames up to the cap, oldest dropped first', () => {
    let frames = [snapshot({ at: 'a' })];
    frames = pushFrame(frames, snapshot({ at: 'b' }), 2);
    frames = pushFrame(frames, snapshot({ at: 'c' }), 2);
    expect(frames.map((f) => f.at)).toEqual(['b', 'c']);
  });

  test('never changes the array it is given', () => {
    const frames = [snapshot({ at: 'a' })];
    pushFrame(frames, snapshot({ at: 'b' }));
    expect(frames).toHaveLength(1);
  });
});

describe('seriesOf', () => {
  const used = (n: number) => snapshot({ window: { used: n, limit: 40, queued: 0 } });
  const pick = (s: ReturnType<typeof snapshot>) => new Map([['used', s.window.used]]);

  test('pads the slots before the first frame with nulls so the newest value is at the right edge', () => {
    const [s] = seriesOf([used(1), used(2)], pick, 6, 4);
    expect(s).toEqual({ key: 'used', values: [null, null, 1, 2], latest: 2 });
  });

  test('shows only the last slots frames', () => {
    const [s] = seriesOf([used(1), used(2), used(3)], pick, 6, 2);
    expect(s?.values).toEqual([2, 3]);
  });

  test('keeps the limit largest keys by peak, ties by name', () => {
    const frames = [
      snapshot({
        streams: [
          { stream: 'b', open: 1, events_per_second: 0, dropped_total: 0 },
          { stream: 'a', open: 1, events_per_second: 0, dropped_total: 0 },
          { stream: 'c', open: 5, events_per_second: 0, dropped_total: 0 },
        ],
      }),
    ];
    const series = seriesOf(frames, (s) => mapOf(s.streams, (x) => x.stream, (x) => x.open), 2, 3);
    expect(series.map((s) => s.key)).toEqual(['c', 'a']);
    expect(seriesMax(series)).toBe(5);
  });

  test('is empty, with a max of 0, when nothing was picked', () => {
    const series = seriesOf([snapshot({ streams: [] })], (s) => mapOf(s.streams, (x) => x.stream, (x) => x.open));
    expect(series).toEqual([]);
    expect(seriesMax(series)).toBe(0);
  });
});

describe('slotsFor', () => {
  test('charts span at least MIN_SLOTS and grow with the frames up to HISTORY', () => {
    expect([0, 5, MIN_SLOTS + 1, 500].map(slotsFor)).toEqual([MIN_SLOTS, MIN_SLOTS, MIN_SLOTS + 1, HISTORY]);
  });
});
