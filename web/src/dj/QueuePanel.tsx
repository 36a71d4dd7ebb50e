import { useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type PointerEvent } from 'react';
import type { QueuedTrack } from '../api/types';
import { Art } from '../components/Art';
import { Icon } from '../components/Icon';
import { percent } from '../lib/format';
import { dropIndex, moveItem, queueKeys } from '../mix/queue';

// The queue, reorderable three ways: drag the grip (mouse or touch), pick
// the grip up with Space/Enter and move it with the arrow keys, or use the
// up/down buttons. Every move is announced for screen readers.
//
// djd takes a track out of the queue when it has finished playing, so
// while the queue's head is playing it is still listed; it is marked as
// playing rather than hidden, so positions stay the server's.

interface Props {
  queue: QueuedTrack[];
  /** The URI Spotify is playing now, if any. */
  playingUri?: string | null | undefined;
  onMove(from: number, to: number): void;
  onRemove(index: number): void;
}

const attr = (v: string): string => v.replace(/["\\]/g, '\\$&');

interface Drag {
  from: number;
  to: number;
  mode: 'pointer' | 'keyboard';
}

export function QueuePanel({ queue, playingUri, onMove, onRemove }: Props) {
  const [drag, setDrag] = useState<Drag | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const midpoints = useRef<number[]>([]);
  // Rows move in the DOM when the order changes, which can drop focus; the
  // control that had it gets it back after the render.
  const refocus = useRef<{ key: string; role: 'grip' | 'up' | 'down' } | null>(null);

  const keys = queueKeys(queue);

  useLayoutEffect(() => {
    const want = refocus.current;
    if (want === null) return;
    const list = listRef.current;
    const el =
      list?.querySelector<HTMLButtonElement>(`[data-key="${attr(want.key)}"][data-role="${want.role}"]:not(:disabled)`) ??
      list?.querySelector<HTMLButtonElement>(`[data-key="${attr(want.key)}"][data-role="grip"]`);
    if (el && document.activeElement !== el) el.focus();
    if (drag?.mode !== 'keyboard') refocus.current = null;
  });
  const order = queue.map((_, i) => i);
  const shown = drag === null ? order : moveItem(order, drag.from, drag.to);
  const name = (i: number): string => queue[i]?.name ?? 'track';
  const playingIndex = playingUri ? queue.findIndex((t) => t.trackUri === playingUri) : -1;

  const commit = (d: Drag): void => {
    setDrag(null);
    if (d.mode === 'keyboard') refocus.current = { key: keys[d.from] ?? '', role: 'grip' };
    if (d.to !== d.from) {
      onMove(d.from, d.to);
      setAnnouncement(`${name(d.from)} moved to position ${d.to + 1} of ${queue.length}.`);
    } else {
      setAnnouncement(`${name(d.from)} dropped, position unchanged.`);
    }
  };

  const onPointerDown = (from: number) => (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return;
    const rows = listRef.current?.querySelectorAll<HTMLElement>(':scope > li') ?? [];
    midpoints.current = [...rows].map((r) => {
      const b = r.getBoundingClientRect();
      return b.top + b.height / 2;
    });
    e.currentTarget.setPointerCapture(e.pointerId);
    setDrag({ from, to: from, mode: 'pointer' });
  };
  const onPointerMove = (e: PointerEvent<HTMLButtonElement>) => {
    if (drag?.mode !== 'pointer') return;
    const to = dropIndex(midpoints.current, e.clientY, drag.from);
    if (to !== drag.to) setDrag({ ...drag, to });
  };
  const onPointerUp = () => {
    if (drag?.mode === 'pointer') commit(drag);
  };

  const onGripKey = (index: number) => (e: KeyboardEvent<HTMLButtonElement>) => {
    const grabbed = drag?.mode === 'keyboard' ? drag : null;
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      if (grabbed) commit(grabbed);
      else {
        setDrag({ from: index, to: index, mode: 'keyboard' });
        refocus.current = { key: keys[index] ?? '', role: 'grip' };
        setAnnouncement(`${name(index)} picked up at position ${index + 1}. Use the arrow keys to move, Space to drop, Escape to cancel.`);
      }
      return;
    }
    if (grabbed === null) return;
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      const to = Math.max(0, Math.min(queue.length - 1, grabbed.to + (e.key === 'ArrowUp' ? -1 : 1)));
      setDrag({ ...grabbed, to });
      setAnnouncement(`Position ${to + 1} of ${queue.length}.`);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setDrag(null);
      setAnnouncement(`Move cancelled. ${name(grabbed.from)} stays at position ${grabbed.from + 1}.`);
    }
  };

  const move = (from: number, to: number, role: 'up' | 'down'): void => {
    refocus.current = { key: keys[from] ?? '', role };
    onMove(from, to);
    setAnnouncement(`${name(from)} moved to position ${to + 1} of ${queue.length}.`);
  };

  return (
    <section className="card queue" aria-labelledby="queue-title">
      <div className="card-head">
        <h2 id="queue-title">Up next</h2>
        <span className="muted">{queue.length === 1 ? '1 track' : `${queue.length} tracks`}</span>
      </div>
      <p id="queue-help" className="sr-only">
        To reorder, focus a track's grip and press Space, move with the arrow keys and press Space again; or use the move
        buttons.
      </p>
      {queue.length === 0 ? (
        <p className="empty">The queue is empty. Add a suggestion or steer the mix and the DJ will fill it.</p>
      ) : (
        <ol className="track-list" ref={listRef} aria-describedby="queue-help">
          {shown.map((i, at) => {
            const t = queue[i] as QueuedTrack;
            const dragging = drag !== null && drag.from === i;
            const playing = i === playingIndex;
            return (
              <li
                key={keys[i]}
                className={`track-row${dragging ? ' dragging' : ''}${playing ? ' playing' : ''}`}
                data-testid="queue-item"
                aria-current={playing ? 'true' : undefined}
              >
                <button
                  type="button"
                  className="grip"
                  aria-label={`Reorder ${t.name}`}
                  aria-pressed={dragging && drag?.mode === 'keyboard'}
                  onPointerDown={onPointerDown(i)}
                  onPointerMove={onPointerMove}
                  onPointerUp={onPointerUp}
                  onPointerCancel={() => setDrag(null)}
                  onKeyDown={onGripKey(i)}
                  onBlur={(e: FocusEvent) => {
                    // relatedTarget is null when the row only moved in the DOM
                    if (drag?.mode === 'keyboard' && e.relatedTarget !== null) setDrag(null);
                  }}
                  data-key={keys[i]}
                  data-role="grip"
                >
                  <Icon name="grip" size={18} />
                </button>
                <span className="track-index" aria-hidden="true">
                  {at + 1}
                </span>
                <Art src={t.albumArt} label={t.name} size="sm" />
                <div className="track-main">
                  <p className="track-name" data-testid="queue-item-name">
                    {t.name}
                  </p>
                  <p className="track-artist">{t.artist}</p>
                  <p className="badges inline">
                    {playing && <span className="badge badge-playing">Playing now</span>}
                    <span className={`badge ${t.addedBy === 'ai' ? 'badge-ai' : 'badge-you'}`}>
                      {t.addedBy === 'ai' ? 'AI' : 'You'}
                    </span>
                    {t.addedBy === 'ai' && (
                      <span className="badge" title="Vibe match">
                        {percent(t.vibeScore)} match
                      </span>
                    )}
                  </p>
                  {t.reason && <p className="track-reason">{t.reason}</p>}
                </div>
                <div className="row-actions">
                  <button
                    type="button"
                    className="icon-button small"
                    aria-label={`Move ${t.name} up`}
                    disabled={i === 0 || drag !== null}
                    data-key={keys[i]}
                    data-role="up"
                    onClick={() => move(i, i - 1, 'up')}
                  >
                    <Icon name="up" size={16} />
                  </button>
                  <button
                    type="button"
                    className="icon-button small"
                    aria-label={`Move ${t.name} down`}
                    disabled={i === queue.length - 1 || drag !== null}
                    data-key={keys[i]}
                    data-role="down"
                    onClick={() => move(i, i + 1, 'down')}
                  >
                    <Icon name="down" size={16} />
                  </button>
                  <button
                    type="button"
                    className="icon-button small danger"
                    aria-label={`Remove ${t.name}`}
                    disabled={drag !== null}
                    onClick={() => {
                      onRemove(i);
                      setAnnouncement(`${t.name} removed from the queue.`);
                    }}
                  >
                    <Icon name="close" size={16} />
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <p className="sr-only" aria-live="assertive">
        {announcement}
      </p>
    </section>
  );
}
