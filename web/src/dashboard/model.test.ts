import { describe, expect, test } from 'vitest';
import { dashboardView, laneTone, windowTone } from './model';
import { pushFrame } from './series';
import { snapshot } from './testdata';
import { isSnapshot } from './types';

describe('dashboardView', () => {
  test('is null before the first frame', () => {
    expect(dashboardView([])).toBeNull();
  });

  test('headline tiles add up the newest frame', () => {
    const v = dashboardView([snapshot()]);
    const tile = (id: string) => v?.tiles.find((t) => t.id === id);
    expect(v?.updated).toBe('17:42:44');
    expect(tile('actors')).toMatchObject({ value: '8', detail: '3 kinds' });
    expect(tile('messages')).toMatchObject({ value: '43/s', detail: '2 waiting' });
    expect(tile('window')).toMatchObject({ value: '12 / 40', tone: 'ok' });
    expect(tile('breakers')).toMatchObject({ value: 'all closed', tone: 'ok' });
    expect(tile('streams')).toMatchObject({ value: '2' });
    expect(tile('store')).toMatchObject({ value: '80%', detail: '10 reads' });
    expect(tile('http')).toMatchObject({ value: '5/s', detail: 'p99 50 ms · 0/s 5xx', tone: 'neutral' });
    expect(tile('runtime')).toMatchObject({ value: '63', detail: 'Go heap 77 MiB' });
  });

  test('lanes show use against their cap, and queues and breakers as tones', () => {
    const v = dashboardView([snapshot()]);
    expect(v?.lanes).toEqual([
      expect.objectContaining({ lane: 'anthropic', use: 0, tone: 'ok', breaker: 'closed' }),
      expect.objectContaining({ lane: 'spotify', inFlight: 5, cap: 5, use: 1, queued: 3, tone: 'warn', rate: '9/s' }),
    ]);
    const open = snapshot({
      lanes: [{ lane: 'deezer', in_flight: 0, queued: 0, cap: 10, breaker: 'open', requests_per_second: 0, failures_per_second: 4 }],
    });
    expect(dashboardView([open])?.tiles.find((t) => t.id === 'breakers')).toMatchObject({ value: '1 not closed', tone: 'bad' });
    expect(dashboardView([open])?.lanes[0]).toMatchObject({ tone: 'bad', failures: '4/s' });
  });

  test('actors are listed busiest first, with latencies in readable units and unknown ones as a dash', () => {
    const rows = dashboardView([snapshot()])?.actors ?? [];
    expect(rows.map((r) => r.kind)).toEqual(['lane', 'session', 'stream']);
    expect(rows[0]).toMatchObject({ p50: '3 µs', p99: '40 µs', rate: '12/s', tone: 'ok' });
    expect(rows[1]).toMatchObject({ p50: '200 µs', p99: '4 ms' });
    expect(rows[2]).toMatchObject({ p50: '—', p99: '—' });
    const restarted = snapshot({
      actors: [{ kind: 'rate', alive: 1, mailbox: 0, restarts: 2, messages_per_second: 0, p50_seconds: null, p99_seconds: null }],
    });
    expect(dashboardView([restarted])?.actors[0]?.tone).toBe('warn');
  });

  test('the window chart keeps the limit line and its series ends at the newest value', () => {
    let frames = [snapshot({ window: { used: 10, limit: 40, queued: 0 } })];
    frames = pushFrame(frames, snapshot({ window: { used: 38, limit: 40, queued: 4 } }));
    const w = dashboardView(frames)?.window;
    expect(w).toMatchObject({ used: 38, limit: 40, queued: 4, tone: 'warn' });
    expect(w?.ratio).toBeCloseTo(0.95);
    expect(w?.chart.limit).toEqual({ value: 40, label: 'limit 40' });
    expect(w?.chart.max).toBe(40);
    const values = w?.chart.series[0]?.values ?? [];
    expect(values.slice(-2)).toEqual([10, 38]);
    expect(values.filter((x) => x === null)).toHaveLength(values.length - 2);
  });

  test('charts by kind follow the history and put the biggest kinds first', () => {
    const a = snapshot();
    const b = snapshot({
      actors: [
        { kind: 'session', alive: 7, mailbox: 0, restarts: 0, messages_per_second: 80, p50_seconds: 1e-4, p99_seconds: 0.002 },
        { kind: 'stream', alive: 2, mailbox: 0, restarts: 0, messages_per_second: 2, p50_seconds: 1e-5, p99_seconds: 1e-4 },
      ],
    });
    const v = dashboardView([a, b]);
    const alive = v?.charts.actors.series ?? [];
    expect(alive.map((s) => s.key)).toEqual(['session', 'lane', 'stream']);
    expect(alive[0]?.values.slice(-2)).toEqual([3, 7]);
    expect(alive[1]?.values.slice(-2)).toEqual([4, null]); // lane missing from the newest frame
    expect(alive[1]?.latest).toBeNull();
    expect(v?.charts.actors.max).toBe(7);
    const p99 = v?.charts.latency.series.find((s) => s.key === 'session');
    expect(p99?.values.slice(-2)).toEqual([4, 2]); // milliseconds
    expect(v?.charts.latency.format(2)).toBe('2 ms');
  });

  test('store rows carry hit rate, size and the breakdown', () => {
    const rows = dashboardView([snapshot()])?.store ?? [];
    expect(rows[0]).toMatchObject({ ns: 'audio_features', hitRate: '80%', hitRatio: 0.8, reads: '5/s', size: '2.4 MiB' });
    expect(rows[0]?.detail).toBe('6 hits · 2 negative · 2 misses · 0 invalid');
    expect(rows[1]).toMatchObject({ hitRate: '—', hitRatio: null, size: '0 B' });
  });
});

describe('tones', () => {
  test('window: ok below 90 %, warn from 90 %, bad over the limit', () => {
    expect([0, 35, 36, 40, 41].map((u) => windowTone(u, 40))).toEqual(['ok', 'ok', 'warn', 'warn', 'bad']);
    expect(windowTone(3, 0)).toBe('neutral');
  });

  test('lane: over cap or open breaker is bad; half-open or a queue is a warning', () => {
    expect(laneTone({ breaker: 'closed', queued: 0, in_flight: 6, cap: 5 })).toBe('bad');
    expect(laneTone({ breaker: 'half-open', queued: 0, in_flight: 0, cap: 5 })).toBe('warn');
    expect(laneTone({ breaker: 'closed', queued: 1, in_flight: 5, cap: 5 })).toBe('warn');
    expect(laneTone({ breaker: 'closed', queued: 0, in_flight: 5, cap: 5 })).toBe('ok');
  });
});

describe('isSnapshot', () => {
  test('accepts what djd sends and refuses other shapes', () => {
    expect(isSnapshot(JSON.parse(JSON.stringify(snapshot())))).toBe(true);
    expect(isSnapshot(null)).toBe(false);
    expect(isSnapshot({ ...snapshot(), lanes: null })).toBe(false);
    expect(isSnapshot({ ...snapshot(), window: { used: '1', limit: 40 } })).toBe(false);
    expect(isSnapshot({ ...snapshot(), actors: [{ kind: 1 }] })).toBe(false);
  });
});
