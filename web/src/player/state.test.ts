import { describe, expect, test } from 'vitest';
import { applyPlayerEvent, emptyPlayer, positionAt, type PlayerState } from './state';

const track = { id: 't1', uri: 'spotify:track:t1', name: 'One', artist: 'A', albumName: 'X', albumArt: null, duration: 180_000 };

function fold(events: [string, unknown, number][]): PlayerState {
  return events.reduce((s, [n, d, at]) => applyPlayerEvent(s, n, d, at), emptyPlayer);
}

describe('player state', () => {
  test('init then ticks: progress is interpolated on the client clock only', () => {
    const s = fold([
      ['init', { track, isPlaying: true, progress: 10_000, timestamp: 999_999_999 }, 1_000],
      ['tick', { p: 12_000, ts: 5 }, 3_000],
    ]);
    expect(s.progressMs).toBe(12_000);
    expect(positionAt(s, 4_500)).toBe(13_500);
    expect(positionAt(s, 10_000_000)).toBe(180_000);
  });

  test('pause freezes the position where it was', () => {
    const s = fold([
      ['init', { track, isPlaying: true, progress: 0 }, 0],
      ['state', { isPlaying: false }, 4_000],
    ]);
    expect(positionAt(s, 60_000)).toBe(4_000);
  });

  test('track change restarts progress; idle clears the track', () => {
    const s = fold([
      ['init', { track, isPlaying: true, progress: 50_000 }, 0],
      ['track', { ...track, id: 't2', name: 'Two' }, 1_000],
    ]);
    expect([s.track?.name, s.progressMs]).toEqual(['Two', 0]);
    expect(applyPlayerEvent(s, 'idle', {}, 2_000).track).toBeNull();
  });

  test('device, volume, modes and recoverable errors', () => {
    let s = fold([['device', { id: 'd', name: 'Kitchen', type: 'speaker', volumePercent: 30, supportsVolume: true }, 0]]);
    s = applyPlayerEvent(s, 'volume', { percent: 55 }, 1);
    s = applyPlayerEvent(s, 'modes', { shuffle: true, repeat: 'context' }, 2);
    s = applyPlayerEvent(s, 'error', { message: 'Spotify is slow', retriesRemaining: 3 }, 3);
    expect(s.device).toMatchObject({ name: 'Kitchen', volumePercent: 55 });
    expect([s.shuffle, s.repeat]).toEqual([true, 'context']);
    expect(s.warning).toBe('Spotify is slow (retrying, 3 left)');
    expect(applyPlayerEvent(s, 'tick', { p: 1 }, 4).warning).toBeNull();
  });

  test('unknown events and malformed payloads change nothing harmful', () => {
    const s = fold([['init', { track, isPlaying: true }, 0]]);
    expect(applyPlayerEvent(s, 'queue_low', { depth: 1 }, 1)).toBe(s);
    expect(applyPlayerEvent(s, 'track', 'garbage', 1)).toBe(s);
  });
});
