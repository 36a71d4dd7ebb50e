import { ApiError, type ApiClient } from '../api/client';
import { runPlayerStream, type ConnStatus } from '../player/stream';
import { isSnapshot, type Snapshot } from './types';

// The admin metrics stream, kept open with the same reconnecting reader as
// the player stream (backoff, watchdog, 401 ends it). A 404 means the
// server has no admin token configured: the feed stops and says so
// instead of retrying for ever.

export const ADMIN_STREAM = '/api/admin/metrics/stream';

export type FeedStatus = ConnStatus | { state: 'disabled' };

export interface FeedHandlers {
  onSnapshot(s: Snapshot): void;
  onStatus(s: FeedStatus): void;
}

export interface FeedDeps {
  /** The admin client: its token is the admin token, its 401 forgets it. */
  client: ApiClient;
  now?: () => number;
  random?: () => number;
}

export function startFeed(deps: FeedDeps, h: FeedHandlers, signal: AbortSignal): Promise<void> {
  const ctl = new AbortController();
  const stop = (): void => ctl.abort();
  signal.addEventListener('abort', stop);
  let disabled = false;
  const open = async (sig: AbortSignal): Promise<Response> => {
    try {
      return await deps.client.open('GET', ADMIN_STREAM, { signal: sig, accept: 'text/event-stream' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        disabled = true;
        h.onStatus({ state: 'disabled' });
        ctl.abort();
      }
      throw err;
    }
  };
  const control = runPlayerStream(
    { open, now: deps.now ?? Date.now, ...(deps.random ? { random: deps.random } : {}) },
    {
      onEvent(name, data) {
        if (name === 'snapshot' && isSnapshot(data)) h.onSnapshot(data);
      },
      onStatus(st) {
        if (!disabled) h.onStatus(st);
      },
    },
    ctl.signal,
  );
  return control.done.finally(() => signal.removeEventListener('abort', stop));
}
