import { useEffect, useState } from 'react';
import { chat, hub, mix } from '../app';
import { Icon } from '../components/Icon';
import { ErrorNotice } from '../components/ErrorNotice';
import { ChatPanel } from '../dj/ChatPanel';
import { EnergyChart } from '../dj/EnergyChart';
import { HistoryPanel } from '../dj/HistoryPanel';
import { NowPlaying } from '../dj/NowPlaying';
import { QueuePanel } from '../dj/QueuePanel';
import { SaveMixDialog } from '../dj/SaveMixDialog';
import { SteerPanel } from '../dj/SteerPanel';
import { SuggestionsPanel } from '../dj/SuggestionsPanel';
import { navigate } from '../lib/router';
import { useSelected, useStore } from '../lib/store';
import { notifyError } from '../lib/toasts';

/** The server keeps at most 10 queued tracks. */
const QUEUE_MAX = 10;

export function DjPage() {
  const state = useStore(mix.mix);
  const suggestions = useStore(mix.suggestions);
  const steer = useStore(mix.steer);
  const messages = useStore(chat.messages);
  const chatBusy = useStore(chat.busy);
  const playingUri = useSelected(hub.state, (p) => p.track?.uri ?? null);
  const [saving, setSaving] = useState(false);
  const session = state.session;

  useEffect(() => {
    void mix.load();
  }, []);
  useEffect(() => {
    if (state.phase === 'ready' && session === null) navigate('/playlists', { replace: true });
  }, [state.phase, session]);
  const hasSession = session !== null;
  useEffect(() => {
    if (hasSession && mix.suggestions.get().phase === 'idle') void mix.refreshSuggestions();
  }, [hasSession]);

  if (session === null) {
    if (state.phase === 'error') {
      return <ErrorNotice message={state.error ?? 'Could not load your mix.'} onRetry={() => void mix.load()} />;
    }
    return (
      <p className="page-status" role="status">
        Loading your mix…
      </p>
    );
  }

  const endMix = (): void => {
    mix.end().then(() => navigate('/playlists'), notifyError);
  };

  return (
    <div className="dj-page">
      <h1 className="sr-only">Your mix</h1>
      <div className="dj-toolbar">
        <p className="muted">
          Mix started {new Date(session.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </p>
        <div className="toolbar-actions">
          <button type="button" className="secondary-button" onClick={() => setSaving(true)}>
            <Icon name="save" size={16} />
            Save as playlist
          </button>
          <button type="button" className="ghost-button" onClick={endMix}>
            End mix
          </button>
        </div>
      </div>
      <div className="dj-grid">
        <div className="area-now">
          <NowPlaying />
        </div>
        <div className="area-steer">
          <SteerPanel state={steer} vibe={session.vibe} onSteer={(d) => void mix.runSteer(d)} />
        </div>
        <div className="area-queue">
          <QueuePanel
            queue={session.queue}
            playingUri={playingUri}
            onMove={(f, t) => mix.reorder(f, t)}
            onRemove={(i) => mix.remove(i)}
          />
        </div>
        <div className="area-sugg">
          <SuggestionsPanel
            state={suggestions}
            queueFull={session.queue.length >= QUEUE_MAX}
            onAdd={(s) => mix.add(s)}
            onRefresh={() => void mix.refreshSuggestions()}
          />
        </div>
        <div className="area-chart">
          <EnergyChart history={session.history} queue={session.queue} vibe={session.vibe} />
        </div>
        <div className="area-hist">
          <HistoryPanel history={session.history} />
        </div>
        <div className="area-chat">
          <ChatPanel messages={messages} busy={chatBusy} onSend={(t) => void chat.send(t)} onStop={() => chat.stop()} />
        </div>
      </div>
      <SaveMixDialog open={saving} onClose={() => setSaving(false)} onSave={(n, d, q) => mix.save(n, d, q)} />
    </div>
  );
}
