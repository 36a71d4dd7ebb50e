import { describe, expect, test } from 'vitest';
import { formatBytes, formatCount, formatRate, formatRatio, formatSeconds } from './format';

describe('dashboard formats', () => {
  test('rates', () => {
    expect([0, -1, Number.NaN, 0.44, 9.96, 12.4, 999, 1234, 25_000].map(formatRate)).toEqual([
      '0/s', '0/s', '0/s', '0.4/s', '10/s', '12/s', '999/s', '1.2k/s', '25k/s',
    ]);
  });

  test('durations from seconds', () => {
    expect([null, 0, 3e-6, 4.2e-5, 2e-4, 0.0042, 0.25, 1.5, 12].map(formatSeconds)).toEqual([
      '—', '0', '3 µs', '42 µs', '200 µs', '4.2 ms', '250 ms', '1.5 s', '12 s',
    ]);
  });

  test('bytes, ratios and counts', () => {
    expect([0, 900, 12_345, 2_500_000, 80_788_712].map(formatBytes)).toEqual(['0 B', '900 B', '12 KiB', '2.4 MiB', '77 MiB']);
    expect([null, 0, 0.804, 1.2].map(formatRatio)).toEqual(['—', '0%', '80%', '100%']);
    expect(formatCount(1234.4)).toBe('1,234');
  });
});
