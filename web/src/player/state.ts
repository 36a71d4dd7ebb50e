// The live playback state, folded from the player stream's named events
// (anchor-api §7.5). Pure: every tab applies the same events in the same
// order and ends with the same state.

export interface PlayerTrack {
  id: string;
  uri: string;
  name: string;
  artist: string;
  albumName: string;
  albumArt: string | null;
  /** Milliseconds. */
  duration: number;
}

export interface PlayerDevice {
  id: string | null;
  name: string;
  type: string;
  volumePercent: number | null;
  supportsVolume: boolean;
}

export interface PlayerState {
  track: PlayerTrack | null;
  isPlaying: boolean;
  /** Position at progressAt, in ms. */
  progressMs: number;
  /** Client clock (epoch ms) when progressMs was true. Server timestamps are never mixed in. */
  progressAt: number;
  device: PlayerDevice | null;
  shuffle: boolean;
  repeat: 'off' | 'track' | 'context';
  /** The last recoverable upstream problem the stream reported, cleared by the next good event. */
  warning: string | null;
}

export const emptyPlayer: PlayerState = {
  track: null,
  isPlaying: false,
  progressMs: 0,
  progressAt: 0,
  device: null,
  shuffle: false,
  repeat: 'off',
  warning: null,
};

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

function parseTrack(v: unknown): PlayerTrack | null {
  const o = obj(v);
  if (o === null) return null;
  return {
    id: str(o.id),
    uri: str(o.uri),
    name: str(o.name, 'Unknown'),
    artist: str(o.artist),
    albumName: str(o.albumName),
    albumArt: typeof o.albumArt === 'string' ? o.albumArt : null,
    duration: num(o.duration),
  };
}

function parseDevice(v: unknown): PlayerDevice | null {
  const o = obj(v);
  if (o === null) return null;
  return {
    id: typeof o.id === 'string' ? o.id : null,
    name: str(o.name, 'Unknown'),
    type: str(o.type, 'unknown'),
    volumePercent: typeof o.volumePercent === 'number' ? o.volumePercent : null,
    supportsVolume: o.supportsVolume === true,
  };
}

function parseRepeat(v: unknown): PlayerState['repeat'] {
  return v === 'track' || v === 'context' ? v : 'off';
}

/** Where playback is at `now`, interpolated between server ticks. */
export function positionAt(s: PlayerState, now: number): number {
  if (s.track === null) return 0;
  const p = s.progressMs + (s.isPlaying ? Math.max(0, now - s.progressAt) : 0);
  return s.track.duration > 0 ? Math.min(p, s.track.duration) : p;
}

/** Applies one stream event received at `at` (client epoch ms). Unknown events change nothing. */
export function applyPlayerEvent(s: PlayerState, name: string, data: unknown, at: number): PlayerState {
  const d = obj(data) ?? {};
  switch (name) {
    case 'init': {
      const modes = obj(d.modes) ?? {};
      return {
        track: parseTrack(d.track),
        isPlaying: d.isPlaying === true,
        progressMs: num(d.progress),
        progressAt: at,
        device: parseDevice(d.device),
        shuffle: modes.shuffle === true,
        repeat: parseRepeat(modes.repeat),
        warning: null,
      };
    }
    case 'track': {
      const track = parseTrack(data);
      return track === null ? s : { ...s, track, progressMs: 0, progressAt: at, warning: null };
    }
    case 'state': {
      const isPlaying = d.isPlaying === true;
      return { ...s, isPlaying, progressMs: positionAt(s, at), progressAt: at, warning: null };
    }
    case 'tick':
      return { ...s, progressMs: num(d.p, s.progressMs), progressAt: at, warning: null };
    case 'device':
      return { ...s, device: parseDevice(d) };
    case 'volume':
      return s.device === null ? s : { ...s, device: { ...s.device, volumePercent: num(d.percent) } };
    case 'modes':
      return { ...s, shuffle: d.shuffle === true, repeat: parseRepeat(d.repeat) };
    case 'idle':
      return { ...s, track: null, isPlaying: false, progressMs: 0, progressAt: at };
    case 'error':
      return { ...s, warning: describeStreamError(d) };
    default:
      return s;
  }
}

function describeStreamError(d: Obj): string {
  const message = str(d.message, 'Spotify is not answering');
  return typeof d.retriesRemaining === 'number' ? `${message} (retrying, ${d.retriesRemaining} left)` : message;
}
