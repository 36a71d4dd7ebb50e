import { lazy, Suspense, useEffect } from 'react';
import { auth, signingIn } from './app';
import { Header } from './components/Header';
import { Toasts } from './components/Toasts';
import { navigate, useRoute } from './lib/router';
import { useStore } from './lib/store';
import { DjPage } from './pages/DjPage';
import { LoginPage } from './pages/LoginPage';
import { PlaylistsPage } from './pages/PlaylistsPage';

// The operator's dashboard is its own chunk: listeners never download it.
const DashboardPage = lazy(() => import('./pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));

export function App() {
  const session = useStore(auth.session);
  const busy = useStore(signingIn);
  const route = useRoute();
  const signedIn = session !== null;

  useEffect(() => {
    if (signedIn && route === '/') navigate('/dj', { replace: true });
  }, [signedIn, route]);

  let page;
  if (route === '/dashboard') {
    // Guarded by the admin token, not by a listener's session.
    page = (
      <Suspense fallback={<p className="page-status">Loading the dashboard…</p>}>
        <DashboardPage />
      </Suspense>
    );
  } else if (busy) page = <p className="page-status" role="status">Signing you in…</p>;
  else if (!signedIn) page = <LoginPage />;
  else if (route === '/playlists') page = <PlaylistsPage />;
  else page = <DjPage />;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header route={route} signedIn={signedIn && !busy} />
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <Toasts />
    </>
  );
}
