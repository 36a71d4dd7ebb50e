import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { loginErrorMessage, takeAuthCallback } from './callback';
import { createAuth, SESSION_KEY } from './session';

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('auth session', () => {
  test('signIn stores token and expiry; token() hands it out until it expires', () => {
    const auth = createAuth({ storage: localStorage, now: Date.now });
    auth.signIn('opaque-1', 3600);
    expect(JSON.parse(localStorage.getItem(SESSION_KEY)!)).toEqual({ token: 'opaque-1', expiresAt: 1_000_000 + 3_600_000 });
    expect(auth.token()).toBe('opaque-1');
    vi.advanceTimersByTime(3_600_000);
    expect(auth.token()).toBeNull();
    expect(auth.session.get()).toBeNull();
    expect(auth.notice.get()).toMatch(/expired/);
    auth.dispose();
  });

  test('an expired or unreadable stored session is dropped at start', () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token: 't', expiresAt: 5 }));
    expect(createAuth({ storage: localStorage, now: Date.now }).session.get()).toBeNull();
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
    localStorage.setItem(SESSION_KEY, '{nope');
    expect(createAuth({ storage: localStorage, now: Date.now }).session.get()).toBeNull();
  });

  test('another tab logging in or out is followed through the storage event', () => {
    const auth = createAuth({ storage: localStorage, now: Date.now, events: window });
    localStorage.setItem(SESSION_KEY, JSON.stringify({ token: 'from-other-tab', expiresAt: 9_999_999 }));
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_KEY }));
    expect(auth.token()).toBe('from-other-tab');
    localStorage.removeItem(SESSION_KEY);
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_KEY }));
    expect(auth.session.get()).toBeNull();
    auth.dispose();
  });

  test('signOut clears storage and can say why', () => {
    const auth = createAuth({ storage: localStorage, now: Date.now });
    auth.signIn('x', 60);
    auth.signOut('Your session has ended.');
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
    expect(auth.notice.get()).toBe('Your session has ended.');
    auth.dispose();
  });
});

describe('login callback', () => {
  const history = () => ({ state: null, replaceState: vi.fn() });

  test('takes the single-use code and removes it from the address bar', () => {
    const h = history();
    expect(takeAuthCallback({ href: 'http://dj.test/?auth_code=abc&keep=1#x' }, h)).toEqual({ code: 'abc' });
    expect(h.replaceState).toHaveBeenCalledWith(null, '', '/?keep=1#x');
  });

  test('reports ?error= and removes it too', () => {
    const h = history();
    expect(takeAuthCallback({ href: 'http://dj.test/?error=access_denied' }, h)).toEqual({ error: 'access_denied' });
    expect(h.replaceState).toHaveBeenCalledWith(null, '', '/');
    expect(loginErrorMessage('access_denied')).toMatch(/cancelled/);
    expect(loginErrorMessage('weird')).toMatch(/weird/);
  });

  test('leaves ordinary URLs alone', () => {
    const h = history();
    expect(takeAuthCallback({ href: 'http://dj.test/dj' }, h)).toBeNull();
    expect(h.replaceState).not.toHaveBeenCalled();
  });
});
