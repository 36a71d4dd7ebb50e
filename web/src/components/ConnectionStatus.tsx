import { hub } from '../app';
import { useStore } from '../lib/store';
import { useNow } from '../lib/useNow';
import type { ConnStatus } from '../player/stream';

// Says whether live updates flow, and when a lost connection is retried.

export function describeStatus(s: ConnStatus, now: number): { tone: 'ok' | 'warn' | 'off'; text: string } {
  switch (s.state) {
    case 'live':
      return { tone: 'ok', text: 'Live' };
    case 'connecting':
      return { tone: 'warn', text: 'Connecting…' };
    case 'reconnecting': {
      const secs = Math.max(0, Math.ceil((s.retryAt - now) / 1000));
      return { tone: 'warn', text: secs > 0 ? `Connection lost — retrying in ${secs}s` : 'Reconnecting…' };
    }
    case 'stopped':
      return { tone: 'off', text: 'Offline' };
  }
}

export function ConnectionStatus() {
  const status = useStore(hub.status);
  const now = useNow(1000, status.state === 'reconnecting');
  const { tone, text } = describeStatus(status, now);
  return (
    <div className={`conn conn-${tone}`} role="status" aria-live="polite">
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-text">{text}</span>
      {status.state === 'reconnecting' && (
        <button type="button" className="link-button" onClick={() => hub.kick()}>
          Retry now
        </button>
      )}
    </div>
  );
}
