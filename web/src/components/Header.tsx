import { logout } from '../app';
import { navigate, type Route } from '../lib/router';
import { useStore } from '../lib/store';
import { setVoice, voiceOn, voiceSupported } from '../voice/voice';
import { ConnectionStatus } from './ConnectionStatus';
import { Icon } from './Icon';

export function Header({ route, signedIn }: { route: Route; signedIn: boolean }) {
  const voice = useStore(voiceOn);
  const link = (to: Route, label: string) => (
    <a
      href={to}
      aria-current={route === to ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <header className="app-header">
      <a className="brand" href="/" aria-label="dj home">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">dj</span>
      </a>
      {signedIn && (
        <>
          <nav aria-label="Main" className="main-nav">
            {link('/dj', 'Mix')}
            {link('/playlists', 'Playlists')}
          </nav>
          <div className="header-actions">
            <ConnectionStatus />
            <button
              type="button"
              className={`chip-toggle ${voice ? 'on' : ''}`}
              aria-pressed={voice}
              disabled={!voiceSupported}
              title={voiceSupported ? 'Spoken track intros and DJ replies' : 'This browser cannot speak'}
              onClick={() => setVoice(!voice)}
            >
              <Icon name="voice" size={16} />
              <span className="button-label">DJ voice</span>
            </button>
            <button type="button" className="ghost-button" onClick={() => void logout()}>
              <Icon name="logout" size={16} />
              <span className="button-label">Log out</span>
            </button>
          </div>
        </>
      )}
    </header>
  );
}
