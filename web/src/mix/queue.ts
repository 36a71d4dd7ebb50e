import type { QueuedTrack } from '../api/types';

// Queue editing as pure functions, shared by the optimistic update, the
// drag preview and the keyboard reorder.

/** A copy of list with the item at `from` moved to index `to` (both clamped). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const target = Math.max(0, Math.min(out.length - 1, to));
  const [item] = out.splice(from, 1) as [T];
  out.splice(target, 0, item);
  return out;
}

/** Positions always equal indexes, as on the server. */
export function reindex(queue: readonly QueuedTrack[]): QueuedTrack[] {
  return queue.map((t, i) => (t.position === i ? t : { ...t, position: i }));
}

export function reorderQueue(queue: readonly QueuedTrack[], from: number, to: number): QueuedTrack[] {
  return reindex(moveItem(queue, from, to));
}

export function removeAt(queue: readonly QueuedTrack[], index: number): QueuedTrack[] {
  return reindex(queue.filter((_, i) => i !== index));
}

/**
 * React keys for queue rows. The same track may be queued twice, so a key
 * is the URI plus its occurrence number.
 */
export function queueKeys(queue: readonly Pick<QueuedTrack, 'trackUri'>[]): string[] {
  const seen = new Map<string, number>();
  return queue.map((t) => {
    const n = seen.get(t.trackUri) ?? 0;
    seen.set(t.trackUri, n + 1);
    return `${t.trackUri}#${n}`;
  });
}

/**
 * The index a dragged row lands on: rows are described by their vertical
 * midpoints (in list order, the dragged row included), `y` is the pointer.
 */
export function dropIndex(midpoints: readonly number[], y: number, from: number): number {
  let to = 0;
  midpoints.forEach((mid, i) => {
    if (i !== from && y > mid) to++;
  });
  return to;
}
