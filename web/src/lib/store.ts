import { useSyncExternalStore } from 'react';

// A minimal observable value for state shared outside React's tree
// (session, player, toasts); components read it with useStore.

export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      const v = typeof next === 'function' ? (next as (prev: T) => T)(value) : next;
      if (Object.is(v, value)) return;
      value = v;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

/**
 * One derived value of a store; the component re-renders only when it
 * changes. select must return a primitive or an object already in the
 * store (a fresh object each call would re-render forever).
 */
export function useSelected<T, U>(store: Store<T>, select: (value: T) => U): U {
  const get = (): U => select(store.get());
  return useSyncExternalStore(store.subscribe, get, get);
}
