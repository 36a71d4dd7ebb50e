import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBrowser, screenshot, type Session } from './browser';
import { startDjd, type Djd } from './djd';

// The embedded build as djd serves it: the login page renders from `/` and
// from a deep link (SPA fallback), offers what /api/health says, and the
// phone layout holds together. Runs against any djd, today's included.


interface Health {
  upstream: string;
  version: string;
  demo_users?: string[];
}

describe('login page', () => {
  let djd: Djd | undefined;
  let url = '';
  let s: Session | undefined;
  let health: Health;

  beforeAll(async () => {
    djd = await startDjd();
    url = djd.url;
    health = (await (await fetch(`${url}/api/health`)).json()) as Health;
    s = await openBrowser();
  });
  afterAll(async () => {
    await s?.close();
    await djd?.stop();
  });

  test('renders from the embedded build with what /api/health offers', async () => {
    if (!s) throw new Error('no browser');
    const { page } = s;
    const res = await page.goto(`${url}/`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Your AI DJ for Spotify' }).waitFor();
    await page.getByText(`version ${health.version}`).waitFor();
    const demo = health.demo_users ?? [];
    if (health.upstream === 'sim' && demo.length > 0) {
      for (const u of demo) await page.getByRole('button', { name: `Log in as ${u}` }).waitFor();
    } else {
      await page.getByRole('button', { name: 'Log in with Spotify' }).waitFor();
    }
    await screenshot(page, 'login-desktop');
    expect(s.problems).toEqual([]);
  });

  test('a client route deep link gets the app, not a 404', async () => {
    if (!s) throw new Error('no browser');
    const { page } = s;
    const res = await page.goto(`${url}/dj`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Your AI DJ for Spotify' }).waitFor();
  });

  test('fits a phone screen', async () => {
    const phone = await openBrowser({ width: 390, height: 844 });
    try {
      await phone.page.goto(`${url}/`);
      await phone.page.getByRole('heading', { name: 'Your AI DJ for Spotify' }).waitFor();
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(phone.page, 'login-phone');
    } finally {
      await phone.close();
    }
  });
});
