import { describe, expect, test, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { DjApi } from '../api/dj';
import type { MixSession, QueuedTrack } from '../api/types';
import type { Envelope } from '../sse/parser';
import { settle } from '../test/fakes';
import { MixStore } from './store';
import { reorderQueue } from './queue';

const track = (n: string, i: number): QueuedTrack => ({
  addedBy: 'ai', artist: 'A', name: n, position: i, trackId: n, trackUri: `spotify:track:${n}`, vibeScore: 70,
});
const session = (names: string[]): MixSession =>
  ({ id: 's', userId: 'u', createdAt: '', updatedAt: '', queue: names.map(track), history: [], vibe: { energyLevel: 5 } }) as unknown as MixSession;

function setup(api: Partial<DjApi>) {
  const sync = { post: vi.fn(), listen: () => () => undefined };
  const store = new MixStore(api as DjApi, sync);
  return { store, sync, names: () => store.mix.get().session?.queue.map((t) => t.name) };
}

describe('MixStore', () => {
  test('reorder is applied at once and confirmed by the server; other tabs are told', async () => {
    let server = session(['a', 'b', 'c']);
    const { store, sync, names } = setup({
      currentMix: async () => ({ session: server }),
      reorderQueue: async (from, to) => {
        server = { ...server, queue: reorderQueue(server.queue, from, to) };
        return { queue: server.queue, success: true };
      },
    });
    await store.load();
    store.reorder(0, 2);
    expect(names()).toEqual(['b', 'c', 'a']);
    await settle();
    expect(names()).toEqual(['b', 'c', 'a']);
    expect(sync.post).toHaveBeenCalled();
  });

  test('a reload that was already on its way when an edit started does not undo the edit', async () => {
    let server = session(['a', 'b', 'c']);
    let answerLoad: (() => void) | null = null;
    const { store, names } = setup({
      currentMix: async () => {
        const snapshot = server;
        if (answerLoad === null && store.mix.get().session !== null) {
          await new Promise<void>((resolve) => (answerLoad = resolve));
        }
        return { session: snapshot };
      },
      reorderQueue: async (from, to) => {
        server = { ...server, queue: reorderQueue(server.queue, from, to) };
        return { queue: server.queue, success: true };
      },
    });
    await store.load();
    const stale = store.load(); // e.g. the reload after a track change
    await settle();
    store.reorder(0, 2);
    await settle();
    expect(names()).toEqual(['b', 'c', 'a']);
    (answerLoad as (() => void) | null)?.();
    await stale;
    expect(names()).toEqual(['b', 'c', 'a']);
  });

  test('quick successive edits reach the server in order', async () => {
    let server = session(['a', 'b', 'c', 'd']);
    const calls: string[] = [];
    const { store, names } = setup({
      currentMix: async () => ({ session: server }),
      reorderQueue: async (from, to) => {
        calls.push(`${from}->${to}`);
        await settle(2);
        server = { ...server, queue: reorderQueue(server.queue, from, to) };
        return { queue: server.queue, success: true };
      },
      removeFromQueue: async (i) => {
        calls.push(`rm ${i}`);
        server = { ...server, queue: server.queue.filter((_, j) => j !== i).map((t, j) => ({ ...t, position: j })) };
        return { queue: server.queue, success: true };
      },
    });
    await store.load();
    store.reorder(0, 3);
    store.remove(0);
    expect(names()).toEqual(['c', 'd', 'a']);
    await settle(20);
    expect(calls).toEqual(['0->3', 'rm 0']);
    expect(names()).toEqual(['c', 'd', 'a']);
  });

  test('a refused edit is rolled back by reloading the mix', async () => {
    const { store, names } = setup({
      currentMix: async () => ({ session: session(['a', 'b']) }),
      reorderQueue: async () => {
        throw new ApiError({ status: 400, title: 'Bad Request', detail: 'Invalid positions' });
      },
    });
    await store.load();
    store.reorder(0, 1);
    expect(names()).toEqual(['b', 'a']);
    await settle();
    expect(names()).toEqual(['a', 'b']);
  });

  test('a steer streams progress, replaces the queue on done, and always re-enables the controls', async () => {
    const frames: Envelope[] = [
      { type: 'ack', data: { direction: 'More energy', message: 'Got it!' } },
      { type: 'vibe_update', data: { changes: ['Energy: 5/10 → 7/10'], vibe: { energyLevel: 7 } } },
      { type: 'queue_update', data: { queueSize: 1, track: track('x', 0) } },
      { type: 'done', data: { message: 'Vibes adjusted!', queue: [track('x', 0)], vibe: { energyLevel: 7 } } },
    ];
    const { store, names } = setup({
      currentMix: async () => ({ session: session(['a']) }),
      suggestions: async () => ({ basedOn: { vibeProfile: 'v' }, suggestions: [] }),
      steer: async (_d, on) => frames.forEach(on),
    });
    await store.load();
    await store.runSteer('More energy');
    expect(names()).toEqual(['x']);
    expect(store.mix.get().session?.vibe.energyLevel).toBe(7);
    const st = store.steer.get();
    expect(st.running).toBe(false);
    expect(st.lines.map((l) => l.kind)).toEqual(['you', 'progress', 'change', 'track', 'done']);
  });

  test('a failed steer says so and does not claim success', async () => {
    const { store } = setup({
      currentMix: async () => ({ session: session(['a']) }),
      suggestions: async () => ({ basedOn: { vibeProfile: 'v' }, suggestions: [] }),
      steer: async (_d, on) => on({ type: 'error', data: { message: 'AI not available' } }),
    });
    await store.load();
    await store.runSteer('Go 90s');
    const st = store.steer.get();
    expect(st.running).toBe(false);
    expect(st.lines.at(-1)).toEqual({ kind: 'error', text: 'AI not available' });
  });
});
