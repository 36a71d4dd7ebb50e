import { createStore, type Store } from '../lib/store';

// The dj session token: opaque, minted by djd after the Spotify login, kept
// in localStorage so every tab shares it (a `storage` event tells the
// others), and sent only in the Authorization header. Spotify tokens never
// reach the browser.

export const SESSION_KEY = 'dj.session';

export interface Session {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface Auth {
  session: Store<Session | null>;
  /** Why the user is on the login page (session ended, login failed). */
  notice: Store<string | null>;
  token(): string | null;
  signIn(token: string, expiresInSeconds: number): void;
  /** Forgets the session here and in every other tab. */
  signOut(notice?: string): void;
  dispose(): void;
}

export interface AuthDeps {
  storage: Storage;
  now: () => number;
  /** Where other tabs' changes arrive; window in the app. */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

export function createAuth({ storage, now, events }: AuthDeps): Auth {
  const session = createStore<Session | null>(read(storage, now()));
  const notice = createStore<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (s: Session | null): void => {
    clearTimeout(timer);
    if (s === null) return;
    // setTimeout cannot wait longer than ~24.8 days; sessions last 4 h.
    timer = setTimeout(() => signOut('Your session has expired. Please log in again.'), Math.max(0, s.expiresAt - now()));
  };

  const signOut = (why?: string): void => {
    storage.removeItem(SESSION_KEY);
    if (why !== undefined) notice.set(why);
    schedule(null);
    session.set(null);
  };

  const onStorage = (e: Event): void => {
    const key = (e as StorageEvent).key;
    if (key !== SESSION_KEY && key !== null) return;
    const s = read(storage, now());
    const cur = session.get();
    if (s?.token === cur?.token) return;
    schedule(s);
    session.set(s);
  };
  events?.addEventListener('storage', onStorage);
  schedule(session.get());

  return {
    session,
    notice,
    token: () => {
      const s = session.get();
      return s !== null && s.expiresAt > now() ? s.token : null;
    },
    signIn(token, expiresInSeconds) {
      const s = { token, expiresAt: now() + expiresInSeconds * 1000 };
      storage.setItem(SESSION_KEY, JSON.stringify(s));
      notice.set(null);
      schedule(s);
      session.set(s);
    },
    signOut,
    dispose() {
      clearTimeout(timer);
      events?.removeEventListener('storage', onStorage);
    },
  };
}

function read(storage: Storage, now: number): Session | null {
  const raw = storage.getItem(SESSION_KEY);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<Session>;
    if (typeof v.token === 'string' && v.token !== '' && typeof v.expiresAt === 'number' && v.expiresAt > now) {
      return { token: v.token, expiresAt: v.expiresAt };
    }
  } catch {
    // fall through: unreadable data is no session
  }
  storage.removeItem(SESSION_KEY);
  return null;
}
