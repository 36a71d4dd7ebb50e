// Exponential backoff with jitter for reconnecting streams: 1 s, 2 s, 4 s …
// capped at 30 s, each delay drawn from its upper half so that many tabs or
// clients do not reconnect in lockstep.

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
