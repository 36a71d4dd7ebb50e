import { readSse, parseEnvelope, type Envelope } from '../sse/parser';
import type { ApiClient } from './client';
import type {
  AuthUrl,
  ChatTurn,
  Health,
  MixSession,
  Paging,
  Playlist,
  QueueReply,
  SavedMix,
  Suggestions,
  TokenGrant,
} from './types';

// The djd routes the SPA calls, one function each.

const PLAYLIST_PAGE = 50;
/** Enough for any real library; stops a misbehaving server from looping us. */
const MAX_PLAYLIST_PAGES = 40;

export type DjApi = ReturnType<typeof djApi>;

export function djApi(api: ApiClient) {
  const json = { accept: 'application/json' };
  return {
    health: () => api.request<Health>('GET', '/api/health', { auth: false }),

    authUrl: (demoUser?: string) =>
      api.request<AuthUrl>(
        'GET',
        demoUser ? `/api/spotify/auth-url?demo_user=${encodeURIComponent(demoUser)}` : '/api/spotify/auth-url',
        { auth: false },
      ),
    exchange: (code: string) => api.request<TokenGrant>('POST', '/api/auth/exchange', { body: { code }, auth: false }),
    logout: () => api.request<unknown>('POST', '/api/auth/logout'),

    /** Every playlist, page after page (the reference showed only the first 20). */
    async playlists(signal?: AbortSignal): Promise<Playlist[]> {
      const all: Playlist[] = [];
      for (let page = 0; page < MAX_PLAYLIST_PAGES; page++) {
        const p = await api.request<Paging<Playlist>>(
          'GET',
          `/api/spotify/playlists?limit=${PLAYLIST_PAGE}&offset=${page * PLAYLIST_PAGE}`,
          { signal, ...json },
        );
        all.push(...p.items);
        if (p.next === null || p.items.length === 0) break;
      }
      return all;
    },

    currentMix: (signal?: AbortSignal) => api.request<{ session: MixSession | null }>('GET', '/api/mix/current', { signal }),
    /**
     * A new mix, replacing any mix already going: without `restart` djd
     * returns an existing mix unchanged, whatever the seed.
     */
    startMix: (seedPlaylistId: string | null) =>
      api.request<{ session: MixSession }>('POST', '/api/mix/start', {
        body: seedPlaylistId === null ? { restart: true } : { seedPlaylistId, restart: true },
      }),
    endMix: () => api.request<unknown>('DELETE', '/api/mix/end'),
    addToQueue: (trackUri: string) => api.request<QueueReply>('POST', '/api/mix/queue/add', { body: { trackUri } }),
    removeFromQueue: (position: number) => api.request<QueueReply>('DELETE', `/api/mix/queue/${position}`),
    reorderQueue: (from: number, to: number) =>
      api.request<QueueReply>('PUT', '/api/mix/queue/reorder', { body: { from, to } }),
    suggestions: (signal?: AbortSignal) => api.request<Suggestions>('GET', '/api/mix/suggestions?count=6', { signal }),
    saveMix: (name: string, description: string, includeQueue: boolean) =>
      api.request<SavedMix>('POST', '/api/mix/save', {
        body: description === '' ? { name, includeQueue } : { name, description, includeQueue },
      }),

    player: (action: 'play' | 'pause' | 'next' | 'previous') => api.request<unknown>('POST', `/api/player/${action}`),
    openPlayerStream: (signal: AbortSignal) =>
      api.open('GET', '/api/player/stream', { signal, accept: 'text/event-stream' }),

    steer: (direction: string, onEnvelope: (e: Envelope) => void, signal: AbortSignal) =>
      postStream(api, '/api/mix/vibe/steer-stream', { direction }, onEnvelope, signal),
    chat: (message: string, conversationHistory: ChatTurn[], onEnvelope: (e: Envelope) => void, signal: AbortSignal) =>
      postStream(api, '/api/chat-stream/message', { message, conversationHistory, mode: 'dj' }, onEnvelope, signal),
  };
}

/** POSTs and reads the `{"type","data"}` frames until the server closes. */
async function postStream(
  api: ApiClient,
  path: string,
  body: unknown,
  onEnvelope: (e: Envelope) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await api.open('POST', path, { body, signal, accept: 'text/event-stream' });
  if (res.body === null) return;
  await readSse(res.body, (e) => {
    const env = parseEnvelope(e);
    if (env !== null) onEnvelope(env);
  });
}
