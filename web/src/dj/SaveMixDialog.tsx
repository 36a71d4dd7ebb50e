import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/client';
import type { SavedMix } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';

interface Props {
  open: boolean;
  onClose(): void;
  onSave(name: string, description: string, includeQueue: boolean): Promise<SavedMix>;
}

function defaultName(): string {
  return `dj mix — ${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date())}`;
}

export function SaveMixDialog({ open, onClose, onSave }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(defaultName);
  const [description, setDescription] = useState('');
  const [includeQueue, setIncludeQueue] = useState(true);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SavedMix | null>(null);
  const [error, setError] = useState<{ message: string; requestId?: string } | null>(null);
  const ids = { name: useId(), desc: useId(), queue: useId(), title: useId() };

  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (open && !d.open) {
      setSaved(null);
      setError(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSaved(await onSave(name.trim(), description.trim(), includeQueue));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={ids.title} onClose={onClose}>
      <h2 id={ids.title}>Save mix as a playlist</h2>
      {saved ? (
        <div className="saved" role="status">
          <p>
            Saved {saved.trackCount} tracks to your Spotify library.
          </p>
          <p>
            <a href={saved.playlistUrl} target="_blank" rel="noreferrer">
              Open the playlist in Spotify
            </a>
          </p>
          <div className="dialog-actions">
            <button type="button" className="primary-button" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          <label htmlFor={ids.desc}>Description (optional)</label>
          <textarea id={ids.desc} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} rows={2} />
          <label className="check" htmlFor={ids.queue}>
            <input id={ids.queue} type="checkbox" checked={includeQueue} onChange={(e) => setIncludeQueue(e.target.checked)} />
            Include the tracks still queued
          </label>
          {error && <ErrorNotice message={error.message} requestId={error.requestId} />}
          <div className="dialog-actions">
            <button type="button" className="ghost-button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary-button" disabled={busy || name.trim() === ''}>
              {busy ? 'Saving…' : 'Save playlist'}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
