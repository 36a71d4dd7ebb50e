import { useState } from 'react';
import { api, auth } from '../app';
import { describeError } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAsync } from '../lib/useAsync';
import { useStore } from '../lib/store';

const loadHealth = () => api.health();

export function LoginPage() {
  const [health, retry] = useAsync(loadHealth);
  const notice = useStore(auth.notice);
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; requestId?: string } | null>(null);

  const login = async (demoUser?: string): Promise<void> => {
    setPending(demoUser ?? 'spotify');
    setError(null);
    try {
      const { url } = await api.authUrl(demoUser);
      window.location.assign(url);
    } catch (err) {
      setError(describeError(err));
      setPending(null);
    }
  };

  const sim = health.phase === 'ready' && health.value.upstream === 'sim';
  const demoUsers = health.phase === 'ready' ? (health.value.demo_users ?? []) : [];

  return (
    <div className="login">
      <section className="login-hero" aria-labelledby="login-title">
        <div className="login-disc" aria-hidden="true" />
        <h1 id="login-title">Your AI DJ for Spotify</h1>
        <p className="lede">
          Pick a playlist and dj keeps the music going: a live queue scored for your vibe, one-tap steering and a DJ
          you can talk to.
        </p>
      </section>

      <section className="card login-card" aria-label="Log in">
        {notice && (
          <p className="notice" role="alert">
            {notice}
          </p>
        )}
        {error && <ErrorNotice message={error.message} requestId={error.requestId} />}
        {health.phase === 'error' && (
          <ErrorNotice message={health.message} requestId={health.requestId} onRetry={retry} />
        )}

        {sim && demoUsers.length > 0 ? (
          <>
            <h2>Choose a demo listener</h2>
            <p className="muted">This server runs the built-in Spotify simulator. Each listener has their own library.</p>
            <ul className="demo-users" aria-label="Demo listeners">
              {demoUsers.map((u) => (
                <li key={u}>
                  <button type="button" className="demo-user" disabled={pending !== null} onClick={() => void login(u)}>
                    <span className="avatar" aria-hidden="true">
                      {u.slice(0, 1).toUpperCase()}
                    </span>
                    <span>{pending === u ? 'Connecting…' : `Log in as ${u}`}</span>
                  </button>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <>
            <h2>Connect to Spotify</h2>
            <p className="muted">
              dj reads your playlists and playback and controls your queue. Your Spotify password and tokens stay with
              Spotify and the dj server.
            </p>
            <button
              type="button"
              className="primary-button wide"
              disabled={pending !== null || health.phase === 'loading'}
              onClick={() => void login()}
            >
              {pending === 'spotify' ? 'Connecting…' : 'Log in with Spotify'}
            </button>
          </>
        )}
        {health.phase === 'ready' && (
          <p className="build">
            {sim ? 'Simulator mode' : 'Connected to Spotify'} · version {health.value.version}
          </p>
        )}
      </section>
    </div>
  );
}
