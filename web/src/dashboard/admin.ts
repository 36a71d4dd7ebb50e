import { ApiClient } from '../api/client';
import { createAdminToken } from './token';

// The dashboard's own wiring, separate from the app's user session: its
// token is the admin token, and a 401 forgets that token (never the
// user's session). Loaded only with the dashboard page.

export const admin = createAdminToken(sessionStorage);

export const adminClient = new ApiClient({
  getToken: () => admin.token.get(),
  onUnauthorized: () => admin.clear('That admin token was refused. Check DJ_ADMIN_TOKEN on the server.'),
});
