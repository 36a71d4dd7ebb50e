import { describeError } from '../api/client';
import { createStore } from './store';

// Messages for the user: errors (with the server's request id, for support)
// and confirmations. Shown by <Toasts/> in a live region.

export interface Toast {
  id: number;
  tone: 'error' | 'info';
  message: string;
  requestId?: string;
}

export const toasts = createStore<Toast[]>([]);
let nextId = 1;
const LIMIT = 4;

export function notify(tone: Toast['tone'], message: string, requestId?: string): void {
  const t: Toast = requestId === undefined ? { id: nextId++, tone, message } : { id: nextId++, tone, message, requestId };
  toasts.set((all) => [...all, t].slice(-LIMIT));
  if (tone === 'info') setTimeout(() => dismiss(t.id), 5000);
}

export function notifyError(err: unknown): void {
  if (err instanceof DOMException && err.name === 'AbortError') return;
  const { message, requestId } = describeError(err);
  notify('error', message, requestId);
}

export function dismiss(id: number): void {
  toasts.set((all) => all.filter((t) => t.id !== id));
}

export function clearToasts(): void {
  toasts.set([]);
}
