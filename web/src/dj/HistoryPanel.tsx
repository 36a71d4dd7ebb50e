import type { PlayedTrack } from '../api/types';
import { Art } from '../components/Art';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function HistoryPanel({ history }: { history: PlayedTrack[] }) {
  return (
    <section className="card history" aria-labelledby="history-title">
      <div className="card-head">
        <h2 id="history-title">Played</h2>
        <span className="muted">{history.length === 1 ? '1 track' : `${history.length} tracks`}</span>
      </div>
      {history.length === 0 ? (
        <p className="empty">Tracks the mix has played show up here.</p>
      ) : (
        <ol className="track-list compact">
          {history.map((t, i) => (
            <li key={`${t.trackUri}@${t.playedAt}#${i}`} className="track-row">
              <Art src={t.albumArt} label={t.name} size="sm" />
              <div className="track-main">
                <p className="track-name">{t.name}</p>
                <p className="track-artist">{t.artist}</p>
              </div>
              <div className="badges">
                {t.bpm !== null && <span className="badge">{Math.round(t.bpm)} BPM</span>}
                <time className="muted small" dateTime={t.playedAt}>
                  {time.format(new Date(t.playedAt))}
                </time>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
