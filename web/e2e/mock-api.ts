import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

// A stand-in djd for the screenshot tour only: it serves the built app and
// answers the API with fixed, realistic data — including SSE streams that
// stay open — so every page can be looked at while the real routes are
// still being built. The journey test never uses it.

const dist = join(import.meta.dirname, '..', 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

const names = [
  ['Midnight Circuit', 'Neon Harbor', 128, 0.82],
  ['Glass Rivers', 'Lumen Drive', 122, 0.74],
  ['Paper Satellites', 'The Quiet Static', 118, 0.66],
  ['Slow Bloom', 'Aurora Vale', 104, 0.48],
  ['Afterglow Avenue', 'Kite Parade', 112, 0.58],
  ['Signal Fire', 'Echo Lantern', 126, 0.79],
  ['Velvet Orbit', 'Moon Taxi Club', 120, 0.7],
  ['Polaroid Summer', 'Vera & the Tides', 116, 0.63],
  ['Static Hearts', 'Northbound', 130, 0.86],
  ['Cobalt Dreams', 'Harbor Lights', 124, 0.77],
  ['Tangerine Skies', 'Dune Radio', 110, 0.55],
] as const;

const reasons = [
  'Keeps the 120s groove and lifts the energy a notch after a mellow stretch.',
  'Same shimmering synth palette as the last two tracks; a smooth key change.',
  'A listener favourite in your library with the bright indie-pop vibe you asked for.',
  'Bridges into the 90s era with a familiar drum-machine feel.',
  'Slightly faster tempo to keep the build going.',
];

function track(i: number) {
  const [name, artist, bpm, energy] = names[i % names.length]!;
  return { name, artist, bpm, energy, trackId: `t${i}`, trackUri: `spotify:track:t${i}` };
}

function initialSession() {
  const now = Date.now();
  return {
    id: 'mix-1',
    userId: 'alice',
    createdAt: new Date(now - 42 * 60_000).toISOString(),
    updatedAt: new Date(now).toISOString(),
    vibe: { bpmRange: { min: 105, max: 128 }, energyDirection: 'building', energyLevel: 7, era: { start: 1995, end: 2024 }, genres: ['indie pop', 'synthwave'], mood: ['upbeat'] },
    queue: [5, 6, 7, 8, 9].map((i, position) => {
      const t = track(i);
      return { addedBy: position === 1 ? 'user' : 'ai', artist: t.artist, name: t.name, position, trackId: t.trackId, trackUri: t.trackUri, vibeScore: 92 - position * 6, reason: reasons[position], bpm: t.bpm, energy: t.energy };
    }),
    history: [4, 3, 2, 1, 0].map((i, k) => {
      const t = track(i);
      return { artist: t.artist, name: t.name, bpm: t.bpm, energy: t.energy, playedAt: new Date(now - (k + 1) * 3.5 * 60_000).toISOString(), trackId: t.trackId, trackUri: t.trackUri };
    }),
    preferences: { autoFill: true, avoidGenres: [], bpmLock: null, favoriteArtists: [] },
  };
}

export interface MockApi {
  url: string;
  close(): Promise<void>;
}

export async function startMockApi(): Promise<MockApi> {
  let session: ReturnType<typeof initialSession> | null = null;
  const open = new Set<ServerResponse>();

  const json = (res: ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const sse = (res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    return (frame: string) => res.write(frame);
  };
  const body = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    let raw = '';
    for await (const c of req) raw += c;
    return raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
  };

  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://mock');
    const route = `${req.method} ${u.pathname}`;
    if (!u.pathname.startsWith('/api/')) {
      const file = normalize(join(dist, u.pathname));
      const path = file.startsWith(dist) && extname(file) !== '' ? file : join(dist, 'index.html');
      try {
        const data = await readFile(path);
        res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
        res.end(data);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    switch (route) {
      case 'GET /api/health':
        return json(res, { status: 'healthy', version: 'mock', upstream: 'sim', uptime_seconds: 1, demo_users: ['alice', 'bob', 'carol', 'dave'] });
      case 'GET /api/spotify/auth-url':
        return json(res, { url: `/?auth_code=mock-code` });
      case 'POST /api/auth/exchange':
        return json(res, { token: 'mock-token', expires_in: 14_400 });
      case 'POST /api/auth/logout':
        return json(res, { success: true });
      case 'GET /api/spotify/playlists': {
        const lists = ['Late Night Drive', 'Sunday Morning Coffee', 'Indie Pop Essentials', '90s Throwback', 'Synthwave Sunset', 'Deep Focus', 'Running 170', 'Dinner Jazz', 'Summer Roadtrip', 'Rainy Day Acoustic', 'Party Starters', 'Chill Electronica'];
        return json(res, {
          items: lists.map((name, i) => ({ id: `pl${i}`, name, description: null, images: [], owner: { id: 'alice', display_name: 'alice' }, tracks: { total: 18 + i * 7 } })),
          next: null, offset: 0, limit: 50, total: lists.length,
        });
      }
      case 'GET /api/mix/current':
        return json(res, { session });
      case 'POST /api/mix/start':
        session = initialSession();
        return json(res, { session });
      case 'DELETE /api/mix/end':
        session = null;
        return json(res, { success: true, sessionDuration: 1, tracksPlayed: 0 });
      case 'GET /api/mix/suggestions':
        return json(res, {
          basedOn: { currentTrack: 'Glass Rivers', vibeProfile: 'Energy: 7/10 (building), BPM: 105-128, Genres: indie pop, synthwave' },
          suggestions: [10, 2, 3, 4].map((i, k) => {
            const t = track(i);
            return { artist: t.artist, name: t.name, bpm: t.bpm, reason: reasons[(k + 2) % reasons.length], trackId: `s${i}`, trackUri: `spotify:track:s${i}`, vibeScore: 88 - k * 7 };
          }),
        });
      case 'PUT /api/mix/queue/reorder': {
        const { from, to } = (await body(req)) as { from: number; to: number };
        if (session) {
          const q = [...session.queue];
          const [item] = q.splice(from, 1);
          if (item) q.splice(to, 0, item);
          session.queue = q.map((t, position) => ({ ...t, position }));
        }
        return json(res, { queue: session?.queue ?? [], success: true });
      }
      case 'GET /api/player/stream': {
        const send = sse(res);
        open.add(res);
        req.on('close', () => open.delete(res));
        const t = track(1);
        send(`event: connected\ndata: {"message":"mock"}\n\n`);
        send(`event: init\ndata: ${JSON.stringify({ track: { id: t.trackId, uri: t.trackUri, name: t.name, artist: t.artist, albumName: 'Lumen', albumArt: null, duration: 214_000 }, isPlaying: true, progress: 83_000, device: { id: 'd1', name: "Alice's laptop", type: 'computer', volumePercent: 70, supportsVolume: true }, modes: { shuffle: false, repeat: 'off' } })}\n\n`);
        return;
      }
      case 'POST /api/chat-stream/message': {
        const send = sse(res);
        const frame = (type: string, data: unknown) => send(`data: ${JSON.stringify({ type, data })}\n\n`);
        frame('thinking', 'Looking at your queue…');
        frame('tool_start', { tool: 'get_queue', args: {} });
        frame('tool_end', { tool: 'get_queue', result: '5 tracks queued' });
        for (const w of 'Up next is Signal Fire by Echo Lantern: 126 BPM, right in your band, and it keeps the build going after Glass Rivers.'.split(/(?<= )/)) frame('content', w);
        frame('done', null);
        res.end();
        return;
      }
      default:
        return json(res, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no such API route', request_id: 'mock' }, 404);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise((r) => {
        for (const res of open) res.end();
        server.close(() => r());
      }),
  };
}
