import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { api, auth, signingIn, startApp } from './app';
import { describeError } from './api/client';
import { loginErrorMessage, takeAuthCallback } from './auth/callback';
import './styles.css';

// The login redirect is handled before React renders, exactly once (the
// code is single-use), and is gone from the address bar at once.
async function finishLogin(): Promise<void> {
  const cb = takeAuthCallback(window.location, window.history);
  if (cb === null) return;
  if ('error' in cb) {
    auth.notice.set(loginErrorMessage(cb.error));
    return;
  }
  signingIn.set(true);
  try {
    const grant = await api.exchange(cb.code);
    auth.signIn(grant.token, grant.expires_in);
  } catch (err) {
    auth.notice.set(describeError(err).message);
  } finally {
    signingIn.set(false);
  }
}

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
startApp();
void finishLogin();
