import { useStore } from '../lib/store';
import { dismiss, toasts } from '../lib/toasts';
import { Icon } from './Icon';

export function Toasts() {
  const all = useStore(toasts);
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {all.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'}>
          <div>
            <p>{t.message}</p>
            {t.requestId && <p className="request-id">Request ID: {t.requestId}</p>}
          </div>
          <button type="button" className="icon-button" onClick={() => dismiss(t.id)} aria-label="Dismiss">
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}
