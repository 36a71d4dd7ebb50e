import { describe, expect, test } from 'vitest';
import { FakeBus, FakeLocks, settle } from '../test/fakes';
import { PLAYER_CHANNEL, PLAYER_LOCK, PlayerHub } from './hub';
import type { StreamControl, StreamHandlers } from './stream';

interface FakeStream {
  handlers: StreamHandlers;
  signal: AbortSignal;
  kicks: number;
}

/** A browser profile: shared locks and channels, and a record of every stream opened. */
function profile(withLocks = true) {
  const locks = new FakeLocks();
  const bus = new FakeBus();
  const streams: FakeStream[] = [];
  const tab = (): PlayerHub =>
    new PlayerHub({
      locks: withLocks ? locks : null,
      channel: () => bus.channel(PLAYER_CHANNEL),
      connect: (handlers, signal): StreamControl => {
        const s: FakeStream = { handlers, signal, kicks: 0 };
        streams.push(s);
        handlers.onStatus({ state: 'live' });
        return {
          kick: () => s.kicks++,
          done: new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
        };
      },
    });
  const open = () => streams.filter((s) => !s.signal.aborted);
  return { locks, tab, streams, open };
}

const track = (id: string) => ({ id, uri: `spotify:track:${id}`, name: `Song ${id}`, artist: 'A', albumName: '', albumArt: null, duration: 200_000 });

describe('PlayerHub: one stream per profile', () => {
  test('three tabs elect one leader that runs the only stream', async () => {
    const p = profile();
    const tabs = [p.tab(), p.tab(), p.tab()];
    tabs.forEach((t) => t.start());
    await settle();
    expect(p.streams).toHaveLength(1);
    expect(tabs.map((t) => t.role.get())).toEqual(['leader', 'follower', 'follower']);
    expect(p.locks.isHeld(PLAYER_LOCK)).toBe(true);
  });

  test('followers fold the leader’s events into the same state and status', async () => {
    const p = profile();
    const [a, b] = [p.tab(), p.tab()];
    a.start();
    b.start();
    await settle();
    const seen: string[] = [];
    b.onEvent((name) => seen.push(name));
    const h = p.streams[0]!.handlers;
    h.onEvent('init', { track: track('1'), isPlaying: true, progress: 1000, device: { name: 'Laptop' } }, 1_000);
    h.onEvent('track', track('2'), 2_000);
    h.onEvent('tick', { p: 5000, ts: 99 }, 7_000);
    await settle();
    expect(b.state.get()).toEqual(a.state.get());
    expect(b.state.get().track?.id).toBe('2');
    expect(b.state.get().progressMs).toBe(5000);
    expect(b.status.get()).toEqual({ state: 'live' });
    expect(seen).toEqual(['init', 'track', 'tick']);
  });

  test('a late tab gets the folded state at once, not only the first event', async () => {
    const p = profile();
    const a = p.tab();
    a.start();
    await settle();
    const h = p.streams[0]!.handlers;
    h.onEvent('init', { track: track('1'), isPlaying: true, progress: 0 }, 1_000);
    h.onEvent('track', track('3'), 2_000);
    h.onEvent('state', { isPlaying: false }, 3_000);
    const late = p.tab();
    late.start();
    await settle();
    expect(p.streams).toHaveLength(1);
    expect(late.state.get()).toEqual(a.state.get());
    expect(late.state.get().track?.id).toBe('3');
    expect(late.state.get().isPlaying).toBe(false);
  });

  test('when the leader’s tab goes, the next tab takes over the stream', async () => {
    const p = profile();
    const [a, b, c] = [p.tab(), p.tab(), p.tab()];
    [a, b, c].forEach((t) => t.start());
    await settle();
    a.stop();
    await settle();
    expect(p.streams).toHaveLength(2);
    expect(p.open()).toHaveLength(1);
    expect(b.role.get()).toBe('leader');
    expect(c.role.get()).toBe('follower');
    p.streams[1]!.handlers.onEvent('track', track('9'), 5_000);
    await settle();
    expect(c.state.get().track?.id).toBe('9');
  });

  test('a follower’s retry request reaches the leader’s stream', async () => {
    const p = profile();
    const [a, b] = [p.tab(), p.tab()];
    a.start();
    b.start();
    await settle();
    b.kick();
    await settle();
    expect(p.streams[0]!.kicks).toBe(1);
  });

  test('stopping every tab (logout) closes the stream and clears state', async () => {
    const p = profile();
    const [a, b] = [p.tab(), p.tab()];
    a.start();
    b.start();
    await settle();
    p.streams[0]!.handlers.onEvent('init', { track: track('1') }, 1);
    await settle();
    a.stop();
    b.stop();
    await settle();
    expect(p.open()).toHaveLength(0);
    expect(p.locks.isHeld(PLAYER_LOCK)).toBe(false);
    expect(b.state.get().track).toBeNull();
    expect(b.status.get()).toEqual({ state: 'stopped' });
  });

  test('without Web Locks each tab runs its own stream', async () => {
    const p = profile(false);
    const [a, b] = [p.tab(), p.tab()];
    a.start();
    b.start();
    await settle();
    expect(p.streams).toHaveLength(2);
    expect([a.role.get(), b.role.get()]).toEqual(['solo', 'solo']);
  });
});
