import { describe, expect, test } from 'vitest';
import { ADMIN_TOKEN_KEY, createAdminToken } from './token';

function memoryStorage(initial: Record<string, string> = {}) {
  const m = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  };
}

describe('admin token', () => {
  test('is read from, written to and removed from the storage it is given', () => {
    const storage = memoryStorage({ [ADMIN_TOKEN_KEY]: 'kept-from-before' });
    const t = createAdminToken(storage);
    expect(t.token.get()).toBe('kept-from-before');
    t.set('  new-token  ');
    expect(t.token.get()).toBe('new-token');
    expect(storage.map.get(ADMIN_TOKEN_KEY)).toBe('new-token');
    t.clear('refused');
    expect(t.token.get()).toBeNull();
    expect(t.notice.get()).toBe('refused');
    expect(storage.map.has(ADMIN_TOKEN_KEY)).toBe(false);
  });

  test('a blank token is not kept, and setting one clears the notice', () => {
    const t = createAdminToken(memoryStorage());
    t.clear('refused');
    t.set('   ');
    expect(t.token.get()).toBeNull();
    t.set('ok-token');
    expect(t.notice.get()).toBeNull();
  });

  test('works in memory when storage throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const t = createAdminToken(broken);
    expect(t.token.get()).toBeNull();
    t.set('tok');
    expect(t.token.get()).toBe('tok');
    t.clear();
    expect(t.token.get()).toBeNull();
  });
});
