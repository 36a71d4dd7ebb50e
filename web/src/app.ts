import { ApiClient } from './api/client';
import { djApi } from './api/dj';
import { createAuth } from './auth/session';
import { ChatStore } from './chat/store';
import { createStore } from './lib/store';
import { navigate } from './lib/router';
import { clearToasts } from './lib/toasts';
import { MixStore, type MixSync } from './mix/store';
import { PLAYER_CHANNEL, PlayerHub } from './player/hub';
import { runPlayerStream } from './player/stream';
import { say, trackIntro } from './voice/voice';

// The app's long-lived parts, wired once: session, API, the shared player
// stream, the mix and the chat. Logging out (here or in another tab) and a
// 401 tear all of it down, streams included.

export const auth = createAuth({ storage: localStorage, now: Date.now, events: window });

const client = new ApiClient({
  getToken: () => auth.token(),
  onUnauthorized: () => auth.signOut('Your session has ended. Please log in again.'),
});
export const api = djApi(client);

/** True while a login code from the redirect is being exchanged. */
export const signingIn = createStore<boolean>(false);

const hasChannel = typeof BroadcastChannel !== 'undefined';

export const hub = new PlayerHub({
  locks: typeof navigator.locks?.request === 'function' ? navigator.locks : null,
  channel: () => (hasChannel ? new BroadcastChannel(PLAYER_CHANNEL) : null),
  connect: (handlers, signal) => runPlayerStream({ open: api.openPlayerStream, now: Date.now }, handlers, signal),
});

function mixSync(): MixSync {
  if (!hasChannel) return { post: () => undefined, listen: () => () => undefined };
  const ch = new BroadcastChannel('dj-mix');
  return {
    post: () => ch.postMessage('changed'),
    listen: (onChange) => {
      ch.addEventListener('message', onChange);
      return () => ch.removeEventListener('message', onChange);
    },
  };
}

const sync = mixSync();
export const mix = new MixStore(api, sync);
sync.listen(() => {
  if (auth.token() !== null) void mix.load();
});

export const chat = new ChatStore(api, {
  onToolsUsed: () => {
    void mix.load();
    void mix.refreshSuggestions();
  },
  onReply: (text) => say(text),
});

// The server moves a finished track from the queue to history itself
// (on the stream's track change), so each tab only reloads its view; no
// tab reports plays, which made the reference count every play once per tab.
// djd records the play after it has sent the `track` event (looking up the
// track's tempo and energy first), then tops the queue up in the background,
// and announces neither, so the view is reloaded shortly after the change
// and once more a little later.
const TRACK_RELOADS_MS = [1200, 5000];
let reloadTimers: ReturnType<typeof setTimeout>[] = [];
hub.onEvent((name, _data, state) => {
  if (name === 'track' || name === 'queue_low') {
    for (const t of reloadTimers) clearTimeout(t);
    const delays = name === 'track' ? TRACK_RELOADS_MS : TRACK_RELOADS_MS.slice(0, 1);
    reloadTimers = delays.map((ms, i) =>
      setTimeout(() => {
        if (auth.token() === null) return;
        void mix.load();
        if (name === 'track' && i === 0) void mix.refreshSuggestions();
      }, ms),
    );
  }
  const role = hub.role.get();
  if (name === 'track' && state.track !== null && (role === 'leader' || role === 'solo')) {
    say(trackIntro(state.track.name, state.track.artist));
  }
});

function onSession(): void {
  hub.stop();
  if (auth.token() !== null) {
    hub.start();
    return;
  }
  mix.reset();
  chat.reset();
  clearToasts();
  if ('speechSynthesis' in window) window.speechSynthesis.cancel();
  navigate('/', { replace: true });
}
auth.session.subscribe(onSession);

window.addEventListener('online', () => hub.kick());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && auth.token() !== null) void mix.load();
});
// A frozen tab must not keep the stream lock; it rejoins when it resumes.
document.addEventListener('freeze', () => hub.stop());
document.addEventListener('resume', () => {
  if (auth.token() !== null) hub.start();
});

/** Ends the session on the server and in every tab. */
export async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // the session ends here whatever the server said
  }
  auth.signOut();
}

export function startApp(): void {
  if (auth.token() !== null) hub.start();
}
