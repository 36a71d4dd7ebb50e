import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiClient } from '../api/client';
import { ADMIN_STREAM, startFeed, type FeedStatus } from './feed';
import { snapshot } from './testdata';
import type { Snapshot } from './types';

/** An SSE response with frames; it ends after them when `end`, and fails when the request is aborted. */
function sseResponse(frames: string[], init: RequestInit | undefined, end = false): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const f of frames) c.enqueue(enc.encode(f));
      if (end) c.close();
      else init?.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

function problem(status: number): Response {
  return new Response(JSON.stringify({ status, detail: 'nope' }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

function run(fetch: typeof globalThis.fetch, token: string | null = 'admin-token') {
  const cleared: string[] = [];
  const client = new ApiClient({ getToken: () => token, onUnauthorized: () => cleared.push('401'), fetch });
  const frames: Snapshot[] = [];
  const statuses: FeedStatus[] = [];
  const stop = new AbortController();
  const done = startFeed(
    { client, random: () => 0 },
    { onSnapshot: (s) => frames.push(s), onStatus: (s) => statuses.push(s) },
    stop.signal,
  );
  return { frames, statuses, stop, done, cleared, states: () => statuses.map((s) => s.state) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('admin feed', () => {
  test('sends the admin token in the header only and delivers valid snapshots', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      sseResponse(
        [
          `event: snapshot\ndata: ${JSON.stringify(snapshot({ at: 'one' }))}\n\n`,
          ': heartbeat\n\n',
          'event: snapshot\ndata: {"not":"a snapshot"}\n\n',
          `event: snapshot\ndata: ${JSON.stringify(snapshot({ at: 'two' }))}\n\n`,
        ],
        init,
      ),
    );
    const r = run(fetch);
    await vi.advanceTimersByTimeAsync(10);
    r.stop.abort();
    await r.done;
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(ADMIN_STREAM);
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer admin-token');
    expect(String(url)).not.toContain('admin-token');
    expect(r.frames.map((f) => f.at)).toEqual(['one', 'two']);
    expect(r.states()).toContain('live');
  });

  test('a 404 means the server has no dashboard: it stops and says so, without retrying', async () => {
    const fetch = vi.fn(async () => problem(404));
    const r = run(fetch);
    await vi.advanceTimersByTimeAsync(60_000);
    await r.done;
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(r.states()).toEqual(['connecting', 'disabled']);
  });

  test('a 401 forgets the token and stops', async () => {
    const fetch = vi.fn(async () => problem(401));
    const r = run(fetch);
    await vi.advanceTimersByTimeAsync(60_000);
    await r.done;
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(r.cleared).toEqual(['401']);
    expect(r.states().at(-1)).toBe('stopped');
  });

  test('a dropped stream is reopened with backoff', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      sseResponse([`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`], init, true),
    );
    const r = run(fetch);
    await vi.advanceTimersByTimeAsync(10);
    expect(r.states()).toContain('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetch).toHaveBeenCalledTimes(2);
    r.stop.abort();
    await r.done;
    expect(r.frames.length).toBeGreaterThanOrEqual(2);
  });
});
