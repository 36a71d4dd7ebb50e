import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiError } from '../api/client';
import { backoffDelay, BACKOFF_MAX_MS } from './backoff';
import { runPlayerStream, STALE_MS, type ConnStatus } from './stream';

/** A server whose streams the test writes to and closes. */
function server() {
  const opened: { push(s: string): void; end(): void; signal: AbortSignal }[] = [];
  const enc = new TextEncoder();
  let fail: ApiError | null = null;
  const open = async (signal: AbortSignal): Promise<Response> => {
    if (fail) throw fail;
    let ctl!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) });
    signal.addEventListener('abort', () => ctl.error(new DOMException('aborted', 'AbortError')));
    opened.push({ push: (s) => ctl.enqueue(enc.encode(s)), end: () => ctl.close(), signal });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  };
  return { opened, open, failWith: (e: ApiError | null) => void (fail = e) };
}

function run(srv: ReturnType<typeof server>) {
  const events: [string, unknown][] = [];
  const statuses: ConnStatus[] = [];
  const stop = new AbortController();
  const control = runPlayerStream(
    { open: srv.open, now: () => Date.now(), random: () => 1 },
    { onEvent: (n, d) => events.push([n, d]), onStatus: (s) => statuses.push(s) },
    stop.signal,
  );
  return { events, statuses, stop, control, states: () => statuses.map((s) => s.state) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  test('doubles from 1 s up to 30 s, jittered within the upper half', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((a) => backoffDelay(a, () => 1))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffDelay(3, () => 0)).toBe(2000);
    expect(backoffDelay(50, () => 0.5)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });
});

describe('runPlayerStream', () => {
  test('delivers named events and reconnects with growing backoff after the stream ends', async () => {
    const srv = server();
    const r = run(srv);
    await vi.advanceTimersByTimeAsync(0);
    srv.opened[0]!.push('event: init\ndata: {"isPlaying":true}\n\n: heartbeat\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(r.events).toEqual([['init', { isPlaying: true }]]);
    srv.opened[0]!.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.statuses.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 1 });
    await vi.advanceTimersByTimeAsync(999);
    expect(srv.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(srv.opened).toHaveLength(2);
    srv.opened[1]!.end();
    await vi.advanceTimersByTimeAsync(1999);
    expect(srv.opened).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(srv.opened).toHaveLength(3);
    r.stop.abort();
    await r.control.done;
    expect(r.states().at(-1)).toBe('stopped');
  });

  test('the server’s `reconnect` event reconnects at once, without showing a lost connection', async () => {
    const srv = server();
    const r = run(srv);
    await vi.advanceTimersByTimeAsync(0);
    srv.opened[0]!.push('event: reconnect\ndata: {"message":"Stream lifetime exceeded"}\n\n');
    await vi.advanceTimersByTimeAsync(300);
    expect(srv.opened).toHaveLength(2);
    expect(r.states()).not.toContain('reconnecting');
    expect(r.events).toEqual([]);
    r.stop.abort();
  });

  test('auth_expired closes the stream and tries again; a 401 then ends it for good', async () => {
    const srv = server();
    const r = run(srv);
    await vi.advanceTimersByTimeAsync(0);
    srv.failWith(new ApiError({ status: 401, title: 'Unauthorized', detail: 'over' }));
    srv.opened[0]!.push('event: auth_expired\ndata: {}\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(r.statuses.at(-1)).toMatchObject({ state: 'reconnecting' });
    await vi.advanceTimersByTimeAsync(1000);
    await r.control.done;
    expect(r.states().at(-1)).toBe('stopped');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(srv.opened).toHaveLength(1);
  });

  test('server errors (5xx) are retried with backoff, and the message is kept', async () => {
    const srv = server();
    srv.failWith(new ApiError({ status: 503, title: 'Unavailable', detail: 'Spotify is down' }));
    const r = run(srv);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.statuses.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 1, message: 'Spotify is down' });
    srv.failWith(null);
    await vi.advanceTimersByTimeAsync(1000);
    expect(srv.opened).toHaveLength(1);
    expect(r.states().at(-1)).toBe('live');
    r.stop.abort();
  });

  test('a silent connection (no heartbeat) is dropped and replaced', async () => {
    const srv = server();
    const r = run(srv);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(STALE_MS - 1);
    srv.opened[0]!.push(': heartbeat\n\n');
    await vi.advanceTimersByTimeAsync(STALE_MS - 1);
    expect(srv.opened[0]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(srv.opened[0]!.signal.aborted).toBe(true);
    expect(r.statuses.at(-1)).toMatchObject({ state: 'reconnecting', message: 'The live connection went quiet.' });
    r.stop.abort();
  });

  test('kick skips the backoff wait', async () => {
    const srv = server();
    const r = run(srv);
    await vi.advanceTimersByTimeAsync(0);
    srv.opened[0]!.end();
    await vi.advanceTimersByTimeAsync(0);
    r.control.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(srv.opened).toHaveLength(2);
    r.stop.abort();
  });
});
