import { ApiError } from '../api/client';
import { readSse } from '../sse/parser';
import { backoffDelay } from './backoff';

// One GET /api/player/stream connection, kept open: it reconnects with
// backoff after errors and ends, at once after the server's `reconnect`
// (stream lifetime reached), and gives up only when the session is over
// (HTTP 401) or the owner aborts. A silent connection (no heartbeat for
// STALE_MS) counts as dead.

export type ConnStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting'; retryAt: number; attempt: number; message: string }
  | { state: 'stopped' };

export interface StreamHandlers {
  onEvent(name: string, data: unknown, at: number): void;
  onStatus(status: ConnStatus): void;
}

export interface StreamDeps {
  /** Opens the stream; rejects with ApiError like ApiClient.open. */
  open(signal: AbortSignal): Promise<Response>;
  now(): number;
  random?: () => number;
}

/** Heartbeats come every 15 s; three missed ones mean the connection is gone. */
export const STALE_MS = 45_000;
/** A stream that lived this long resets the backoff. */
const HEALTHY_MS = 10_000;
/** Pause before reconnecting after the server asked for it. */
const SERVER_RECONNECT_MS = 250;

export interface StreamControl {
  /** Skip the current wait and reconnect now (network back, user retry). */
  kick(): void;
  done: Promise<void>;
}

export function runPlayerStream(deps: StreamDeps, h: StreamHandlers, signal: AbortSignal): StreamControl {
  let wake: (() => void) | null = null;
  const kick = (): void => wake?.();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      wake = done;
    });

  const once = async (): Promise<{ reason: 'server' | 'failed'; message: string; openedAt: number }> => {
    const ctl = new AbortController();
    const stop = (): void => ctl.abort();
    signal.addEventListener('abort', stop);
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let reason: 'server' | 'failed' = 'failed';
    let message = 'The live connection closed.';
    const fresh = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        message = 'The live connection went quiet.';
        ctl.abort();
      }, STALE_MS);
    };
    const openedAt = deps.now();
    try {
      const res = await deps.open(ctl.signal);
      if (res.body === null) throw new Error('no body');
      h.onStatus({ state: 'live' });
      fresh();
      await readSse(
        res.body,
        (e) => {
          if (e.event === 'reconnect') {
            reason = 'server';
            ctl.abort();
            return;
          }
          if (e.event === 'auth_expired') {
            // djd refreshes Spotify itself; reconnecting tells whether the
            // session still stands (a 401 then ends it).
            message = 'Spotify sign-in needs renewing.';
            ctl.abort();
            return;
          }
          let data: unknown = null;
          try {
            data = JSON.parse(e.data);
          } catch {
            return;
          }
          h.onEvent(e.event, data, deps.now());
        },
        fresh,
      );
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 401) throw err;
        message = err.detail;
      }
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', stop);
    }
    return { reason, message, openedAt };
  };

  const loop = async (): Promise<void> => {
    let attempt = 0;
    h.onStatus({ state: 'connecting' });
    while (!signal.aborted) {
      let result;
      try {
        result = await once();
      } catch {
        break; // 401: the API client has already ended the session
      }
      if (signal.aborted) break;
      if (result.reason === 'server') {
        // A planned hand-over: stay "live" through the short gap.
        attempt = 0;
        await sleep(SERVER_RECONNECT_MS);
        continue;
      }
      attempt = deps.now() - result.openedAt >= HEALTHY_MS ? 1 : attempt + 1;
      const delay = backoffDelay(attempt, deps.random);
      h.onStatus({ state: 'reconnecting', retryAt: deps.now() + delay, attempt, message: result.message });
      await sleep(delay);
      if (!signal.aborted) h.onStatus({ state: 'connecting' });
    }
    h.onStatus({ state: 'stopped' });
  };

  return { kick, done: loop() };
}
