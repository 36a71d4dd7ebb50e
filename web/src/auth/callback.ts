// The end of the Spotify login: djd redirects to /?auth_code=<single-use
// code> or /?error=<code>. Both are removed from the address bar (and so
// from history) before anything else happens.

export type Callback = { code: string } | { error: string } | null;

export function takeAuthCallback(loc: Pick<Location, 'href'>, history: Pick<History, 'replaceState' | 'state'>): Callback {
  const url = new URL(loc.href);
  const code = url.searchParams.get('auth_code');
  const error = url.searchParams.get('error');
  if (code === null && error === null) return null;
  url.searchParams.delete('auth_code');
  url.searchParams.delete('error');
  url.searchParams.delete('error_description');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  if (code !== null && code !== '') return { code };
  return { error: error ?? 'unknown' };
}

const LOGIN_ERRORS: Record<string, string> = {
  access_denied: 'The Spotify login was cancelled.',
  expired_auth: 'The login took too long. Please try again.',
  state_mismatch: 'The login could not be verified. Please try again.',
  invalid_code: 'That login link was already used or has expired. Please log in again.',
};

export function loginErrorMessage(code: string): string {
  return LOGIN_ERRORS[code] ?? `Login failed (${code}). Please try again.`;
}
