import { useDeferredValue, useEffect, useId, useState } from 'react';
import { api, mix } from '../app';
import { describeError } from '../api/client';
import type { Playlist } from '../api/types';
import { Art } from '../components/Art';
import { ErrorNotice } from '../components/ErrorNotice';
import { navigate } from '../lib/router';
import { useStore } from '../lib/store';
import { useAsync } from '../lib/useAsync';

const loadPlaylists = (signal: AbortSignal) => api.playlists(signal);

export function filterPlaylists(all: readonly Playlist[], query: string): Playlist[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...all];
  return all.filter((p) => {
    const hay = `${p.name} ${p.description ?? ''} ${p.owner.display_name ?? ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function PlaylistsPage() {
  const [playlists, retry] = useAsync(loadPlaylists);
  const current = useStore(mix.mix);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const [starting, setStarting] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; requestId?: string } | null>(null);
  const searchId = useId();

  useEffect(() => {
    void mix.load();
  }, []);

  const start = async (id: string | null): Promise<void> => {
    setStarting(id ?? 'surprise');
    setError(null);
    try {
      await mix.start(id);
      navigate('/dj');
    } catch (err) {
      setError(describeError(err));
      setStarting(null);
    }
  };

  const shown = playlists.phase === 'ready' ? filterPlaylists(playlists.value, deferred) : [];
  const hasMix = current.session !== null;

  return (
    <div className="page playlists-page">
      <div className="page-head">
        <div>
          <h1>Pick a playlist</h1>
          <p className="muted">It seeds your mix: the DJ reads its vibe and keeps the queue going from there.</p>
        </div>
        <div className="search">
          <label htmlFor={searchId}>Search playlists</label>
          <input
            id={searchId}
            type="search"
            placeholder="Name, description or owner"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            autoComplete="off"
          />
        </div>
      </div>

      {hasMix && (
        <div className="banner" role="note">
          <span>You have a mix going. Picking a playlist ends it and starts a new one.</span>
          <button type="button" className="secondary-button" onClick={() => navigate('/dj')}>
            Back to the mix
          </button>
        </div>
      )}
      {error && <ErrorNotice message={error.message} requestId={error.requestId} />}

      {playlists.phase === 'loading' && (
        <p className="page-status" role="status">
          Loading your playlists…
        </p>
      )}
      {playlists.phase === 'error' && (
        <ErrorNotice message={playlists.message} requestId={playlists.requestId} onRetry={retry} />
      )}
      {playlists.phase === 'ready' && (
        <>
          <p className="muted count" role="status">
            {deferred.trim() === ''
              ? `${playlists.value.length} playlists`
              : `${shown.length} of ${playlists.value.length} playlists match “${deferred.trim()}”`}
          </p>
          <ul className="playlist-grid" aria-label="Your playlists">
            <li>
              <button
                type="button"
                className="playlist-card surprise"
                disabled={starting !== null}
                onClick={() => void start(null)}
              >
                <span className="art art-lg art-surprise" aria-hidden="true">
                  ✦
                </span>
                <span className="playlist-name">{starting === 'surprise' ? 'Starting…' : 'Surprise me'}</span>
                <span className="playlist-meta">From what you've been playing</span>
              </button>
            </li>
            {shown.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="playlist-card"
                  disabled={starting !== null}
                  aria-busy={starting === p.id}
                  onClick={() => void start(p.id)}
                >
                  <Art src={p.images?.[0]?.url} label={p.name} size="lg" />
                  <span className="playlist-name">{starting === p.id ? 'Starting your mix…' : p.name}</span>
                  <span className="playlist-meta">
                    {p.tracks.total} tracks{p.owner.display_name ? ` · ${p.owner.display_name}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {shown.length === 0 && deferred.trim() !== '' && <p className="empty">No playlist matches that search.</p>}
        </>
      )}
    </div>
  );
}
