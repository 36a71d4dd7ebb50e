import { describe, expect, test } from 'vitest';
import type { QueuedTrack } from '../api/types';
import { dropIndex, moveItem, queueKeys, removeAt, reorderQueue } from './queue';

const q = (...names: string[]): QueuedTrack[] =>
  names.map((n, i) => ({ addedBy: 'ai', artist: 'A', name: n, position: i, trackId: n, trackUri: `spotify:track:${n}`, vibeScore: 80 }));
const names = (list: QueuedTrack[]) => list.map((t) => t.name);

describe('queue reorder logic', () => {
  test('moveItem moves down, up, and clamps out-of-range targets', () => {
    expect(moveItem(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveItem(['a', 'b', 'c', 'd'], 3, 1)).toEqual(['a', 'd', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, 99)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, -5)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
  });

  test('moveItem does not mutate its input', () => {
    const list = ['a', 'b', 'c'];
    moveItem(list, 0, 2);
    expect(list).toEqual(['a', 'b', 'c']);
  });

  test('reorderQueue matches the server: item from→to, positions equal indexes', () => {
    const out = reorderQueue(q('a', 'b', 'c'), 0, 2);
    expect(names(out)).toEqual(['b', 'c', 'a']);
    expect(out.map((t) => t.position)).toEqual([0, 1, 2]);
  });

  test('removeAt removes by index and reindexes', () => {
    const out = removeAt(q('a', 'b', 'c'), 1);
    expect(names(out)).toEqual(['a', 'c']);
    expect(out.map((t) => t.position)).toEqual([0, 1]);
  });

  test('queueKeys are unique even for a track queued twice', () => {
    expect(queueKeys(q('a', 'b', 'a'))).toEqual(['spotify:track:a#0', 'spotify:track:b#0', 'spotify:track:a#1']);
  });

  test('dropIndex: where a dragged row lands, from the pointer and the rows’ midpoints', () => {
    const mids = [20, 60, 100, 140];
    expect(dropIndex(mids, 10, 0)).toBe(0);
    expect(dropIndex(mids, 70, 0)).toBe(1);
    expect(dropIndex(mids, 200, 0)).toBe(3);
    expect(dropIndex(mids, 90, 3)).toBe(2);
    expect(dropIndex(mids, 0, 3)).toBe(0);
    expect(dropIndex(mids, 145, 1)).toBe(3);
  });
});
