import { api, hub } from '../app';
import { Art } from '../components/Art';
import { Icon } from '../components/Icon';
import { clock } from '../lib/format';
import { useStore } from '../lib/store';
import { notifyError } from '../lib/toasts';
import { useNow } from '../lib/useNow';
import { positionAt } from '../player/state';

export function NowPlaying() {
  const player = useStore(hub.state);
  const now = useNow(500, player.isPlaying);
  const t = player.track;
  const pos = positionAt(player, now);
  const duration = t?.duration ?? 0;
  const pct = duration > 0 ? (pos / duration) * 100 : 0;

  const send = (action: 'play' | 'pause' | 'next' | 'previous') => () => {
    api.player(action).catch(notifyError);
  };

  return (
    <section className="card now-playing" aria-labelledby="np-title">
      <h2 id="np-title" className="eyebrow">
        Now playing
      </h2>
      <div className="np-body">
        <Art src={t?.albumArt} label={t?.name ?? '♪'} size="lg" />
        <div className="np-info">
          {t ? (
            <>
              <p className="np-track" data-testid="now-playing-track">
                {t.name}
              </p>
              <p className="np-artist">{t.artist}</p>
              {t.albumName && <p className="np-album muted">{t.albumName}</p>}
            </>
          ) : (
            <>
              <p className="np-track">Nothing playing</p>
              <p className="np-artist muted">Start playback on a Spotify device and the DJ takes it from there.</p>
            </>
          )}
          <div className="np-progress">
            <span className="time">{clock(pos)}</span>
            <div
              className="bar"
              role="progressbar"
              aria-label="Track progress"
              aria-valuemin={0}
              aria-valuemax={Math.round(duration / 1000)}
              aria-valuenow={Math.round(pos / 1000)}
              aria-valuetext={`${clock(pos)} of ${clock(duration)}`}
            >
              <span className="bar-fill" style={{ width: `${pct}%` }} />
            </div>
            <span className="time">{clock(duration)}</span>
          </div>
          <div className="transport" role="group" aria-label="Playback controls">
            <button type="button" className="icon-button" onClick={send('previous')} aria-label="Previous track">
              <Icon name="previous" />
            </button>
            <button
              type="button"
              className="icon-button play"
              onClick={send(player.isPlaying ? 'pause' : 'play')}
              aria-label={player.isPlaying ? 'Pause' : 'Play'}
            >
              <Icon name={player.isPlaying ? 'pause' : 'play'} size={24} />
            </button>
            <button type="button" className="icon-button" onClick={send('next')} aria-label="Next track">
              <Icon name="next" />
            </button>
            {player.device && <span className="device muted">on {player.device.name}</span>}
          </div>
          {player.warning && <p className="warning">{player.warning}</p>}
        </div>
      </div>
    </section>
  );
}
