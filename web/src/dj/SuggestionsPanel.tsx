import type { Suggestion } from '../api/types';
import { Art } from '../components/Art';
import { Icon } from '../components/Icon';
import { percent } from '../lib/format';
import type { SuggestionsState } from '../mix/store';

interface Props {
  state: SuggestionsState;
  queueFull: boolean;
  onAdd(s: Suggestion): void;
  onRefresh(): void;
}

export function SuggestionsPanel({ state, queueFull, onAdd, onRefresh }: Props) {
  const visible = state.items.filter((s) => !state.added.includes(s.trackUri));
  const loading = state.phase === 'loading' || state.phase === 'idle';
  return (
    <section className="card suggestions" aria-labelledby="sugg-title" aria-busy={loading}>
      <div className="card-head">
        <h2 id="sugg-title">Suggestions</h2>
        <button type="button" className="icon-button small" onClick={onRefresh} disabled={loading} aria-label="Refresh suggestions">
          <Icon name="refresh" size={16} />
        </button>
      </div>
      {state.basedOn && <p className="based-on muted">For {state.basedOn}</p>}
      {state.phase === 'error' && <p className="error-text" role="alert">{state.error}</p>}
      {loading && visible.length === 0 && <p className="empty" role="status">Finding tracks that fit…</p>}
      {state.phase === 'ready' && visible.length === 0 && (
        <p className="empty">{state.items.length === 0 ? 'No suggestions right now. Try refreshing or steering.' : 'All added. Refresh for more.'}</p>
      )}
      <ul className="track-list">
        {visible.map((s) => (
          <li key={s.trackUri} className="track-row suggestion" data-testid="suggestion">
            <Art src={s.albumArt} label={s.name} size="sm" />
            <div className="track-main">
              <p className="track-name">{s.name}</p>
              <p className="track-artist">{s.artist}</p>
              <p className="badges inline">
                <span className="score" title="Vibe match score">
                  <meter min={0} max={100} value={s.vibeScore} aria-label={`Vibe match ${percent(s.vibeScore)}`} />
                  {percent(s.vibeScore)}
                </span>
                {s.bpm !== null && <span className="badge">{Math.round(s.bpm)} BPM</span>}
              </p>
              <p className="track-reason">{s.reason}</p>
            </div>
            <button
              type="button"
              className="icon-button small add"
              aria-label={`Add ${s.name} to the queue`}
              disabled={queueFull}
              title={queueFull ? 'The queue is full' : undefined}
              onClick={() => onAdd(s)}
            >
              <Icon name="plus" size={16} />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
