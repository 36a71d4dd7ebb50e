import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBrowser, screenshot, type Session } from './browser';
import { startDjd, type Djd } from './djd';

// The admin dashboard against a real djd started with DJ_ADMIN_TOKEN: the
// page asks for the token, then draws live figures from
// /api/admin/metrics/stream; while a listener's mix starts (upstream calls
// through the lanes and the 40/s window), the numbers on screen move. A
// wrong token is refused, and the token never shows in a URL.

const TOKEN = process.env.DJ_ADMIN_TOKEN ?? 'e2e-admin-token-0123456789';
// startDjd passes its environment to the djd it starts.
process.env.DJ_ADMIN_TOKEN = TOKEN;

/** Logs a demo listener in the way a browser does, following redirects by hand. */
async function login(url: string, user: string): Promise<string> {
  const auth = (await (await fetch(`${url}/api/spotify/auth-url?demo_user=${user}`)).json()) as { url: string };
  let next = auth.url;
  for (let hop = 0; hop < 5; hop++) {
    const res = await fetch(next, { redirect: 'manual' });
    const loc = res.headers.get('location');
    if (loc === null) throw new Error(`login: ${next} answered ${res.status} without a redirect`);
    const code = new URL(loc, url).searchParams.get('auth_code');
    if (code !== null) {
      const grant = (await (
        await fetch(`${url}/api/auth/exchange`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ code }),
        })
      ).json()) as { token: string };
      return grant.token;
    }
    next = new URL(loc, next).toString();
  }
  throw new Error('login: too many redirects');
}

/** A listener starting a mix: Spotify calls, then enrichment through Deezer and Last.fm. */
async function startMix(url: string, user: string): Promise<void> {
  const token = await login(url, user);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const pl = (await (await fetch(`${url}/api/spotify/playlists?limit=5`, { headers })).json()) as { items: { id: string }[] };
  const res = await fetch(`${url}/api/mix/start`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ seedPlaylistId: pl.items[0]?.id }),
  });
  if (!res.ok) throw new Error(`mix start for ${user}: ${res.status}`);
}

const text = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? '';

async function openWithToken(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/dashboard`);
  await page.getByRole('heading', { name: 'Admin token' }).waitFor();
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
}

describe('admin dashboard', () => {
  let djd: Djd | undefined;
  let url = '';
  let s: Session | undefined;
  const requested: string[] = [];

  beforeAll(async () => {
    djd = await startDjd();
    url = djd.url;
    s = await openBrowser();
    s.page.on('request', (r) => requested.push(r.url()));
  });
  afterAll(async () => {
    await s?.close();
    djd?.stop();
  });

  test('asks for the admin token, then shows live figures that move with the load', async () => {
    if (!s) throw new Error('no browser');
    const { page } = s;
    await openWithToken(page, url, TOKEN);
    await page.locator('[data-tile="actors"]').waitFor({ timeout: 10_000 });
    await page.getByText('Live', { exact: true }).waitFor();
    const firstUpdate = await text(page, '.dash-actions .small');
    expect(await text(page, '[data-testid="window-used"]')).toMatch(/^\d+ \/ 40$/);

    // Two listeners start mixes: their upstream calls go through the
    // lanes and the global window, which the page shows within a second.
    const load = Promise.all([startMix(url, 'alice'), startMix(url, 'bob')]);
    await page.waitForFunction(
      () => {
        const used = document.querySelector('[data-testid="window-used"]')?.textContent ?? '';
        return Number.parseInt(used, 10) > 0;
      },
      undefined,
      { timeout: 20_000 },
    );
    await page.locator('[data-kind="session"]').waitFor();
    // Six frames on the window chart (one a second) before the picture.
    await page.waitForFunction(
      () => (document.querySelector('[aria-label="Upstream window"] path.series')?.getAttribute('d') ?? '').split('L').length >= 6,
      undefined,
      { timeout: 20_000 },
    );
    await screenshot(page, 'dashboard-desktop');
    await load;

    expect(await text(page, '.dash-actions .small')).not.toBe(firstUpdate);
    const spotify = page.locator('[data-lane="spotify"]');
    expect(await spotify.textContent()).toMatch(/\d+\/5/);
    const sessions = await text(page, '[data-kind="session"] td');
    expect(Number(sessions)).toBeGreaterThanOrEqual(2);
    expect(s.problems).toEqual([]);
  });

  test('fits a phone screen', async () => {
    const phone = await openBrowser({ width: 390, height: 844 });
    try {
      await openWithToken(phone.page, url, TOKEN);
      await phone.page.locator('[data-tile="window"]').waitFor({ timeout: 10_000 });
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await screenshot(phone.page, 'dashboard-phone');
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  test('a wrong token is refused and forgotten; the token never travels in a URL', async () => {
    if (!s) throw new Error('no browser');
    const { page } = s;
    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.getByRole('heading', { name: 'Admin token' }).waitFor();
    const problems = s.problems.length;
    await page.getByLabel('Token', { exact: true }).fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.getByText('That admin token was refused').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('dj.admin-token'))).toBeNull();
    // The browser logs the refused request itself; nothing else may fail.
    expect(s.problems.slice(problems).every((p) => p.includes('401'))).toBe(true);
    expect(requested.filter((u) => u.includes(TOKEN) || u.includes('not-the-admin-token'))).toEqual([]);
  });
});
