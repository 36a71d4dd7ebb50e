import { createStore, useStore } from './store';

// Client-side routes without a router library: four pages, the History
// API, and djd's fallback to index.html for any non-/api path.

export type Route = '/' | '/playlists' | '/dj' | '/dashboard';

const path = createStore<string>(window.location.pathname);
window.addEventListener('popstate', () => path.set(window.location.pathname));

export function navigate(to: Route, opts: { replace?: boolean } = {}): void {
  if (window.location.pathname === to) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  path.set(to);
  window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const p = useStore(path);
  return p === '/playlists' || p === '/dj' || p === '/dashboard' ? p : '/';
}
