import { createStore, type Store } from '../lib/store';

// The operator's admin token (DJ_ADMIN_TOKEN). Kept in sessionStorage —
// this tab only, gone when it closes, unlike the user session shared
// through localStorage — and sent only in the Authorization header of the
// admin stream. A 401 forgets it, so the page asks again.

export const ADMIN_TOKEN_KEY = 'dj.admin-token';

export interface AdminToken {
  token: Store<string | null>;
  set(token: string): void;
  /** Forgets the token; `why` is shown on the form. */
  clear(why?: string): void;
  notice: Store<string | null>;
}

export function createAdminToken(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>): AdminToken {
  const read = (): string | null => {
    try {
      const v = storage.getItem(ADMIN_TOKEN_KEY);
      return v !== null && v.trim() !== '' ? v : null;
    } catch {
      return null; // storage disabled: the token lives in memory only
    }
  };
  const token = createStore<string | null>(read());
  const notice = createStore<string | null>(null);
  return {
    token,
    notice,
    set(value) {
      const v = value.trim();
      if (v === '') return;
      try {
        storage.setItem(ADMIN_TOKEN_KEY, v);
      } catch {
        // memory only
      }
      notice.set(null);
      token.set(v);
    },
    clear(why) {
      try {
        storage.removeItem(ADMIN_TOKEN_KEY);
      } catch {
        // nothing stored
      }
      if (why !== undefined) notice.set(why);
      token.set(null);
    },
  };
}
