import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBrowser, screenshot, type Session } from './browser';
import { startDjd, type Djd } from './djd';

// The whole DJ experience against a real djd in simulator mode, step by
// step, as a listener would do it: log in as a demo user, pick a playlist,
// the mix starts, a track plays through into history, reorder the queue and
// see it survive a reload, steer and see the queue change, chat and watch
// the reply stream in, save the mix as a playlist, check the phone layout,
// log out. Nothing is mocked and no step tolerates a failure: what the page
// shows is checked against what djd holds (GET /api/mix/current) or sent
// (the steer and chat streams' frames, recorded as they arrive). Each step
// leaves a screenshot in the artifacts folder.

const DEMO_USER = 'alice';

/**
 * Records the frames of the steer and chat streams as the page reads them
 * (test-only wrapper around fetch: the app reads its own copy of the body).
 */
const recordStreamFrames = `
(() => {
  const orig = window.fetch.bind(window);
  window.__frames = { chat: [], steer: [] };
  const kinds = { '/api/chat-stream/message': 'chat', '/api/mix/vibe/steer-stream': 'steer' };
  window.fetch = async (input, init) => {
    const res = await orig(input, init);
    const path = new URL(typeof input === 'string' ? input : input.url, location.href).pathname;
    const kind = kinds[path];
    if (!kind || !res.body) return res;
    const [mine, theirs] = res.body.tee();
    (async () => {
      const reader = theirs.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\\n\\n')) !== -1) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\\n');
          try { window.__frames[kind].push(JSON.parse(data)); } catch {}
        }
      }
    })();
    return new Response(mine, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
})();`;

interface Frame {
  type: string;
  data: unknown;
}

interface Track {
  name: string;
  artist: string;
  trackUri: string;
}

interface ServerMix {
  queue: Track[];
  history: (Track & { bpm: number | null })[];
  vibe: { energyLevel: number };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function queueNames(page: Page): Promise<string[]> {
  return page.getByTestId('queue-item-name').allTextContents();
}

async function waitForQueue(page: Page, atLeast: number): Promise<string[]> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="queue-item"]').length >= n, atLeast, { timeout: 30_000 });
  return queueNames(page);
}

/** The mix as djd has it, read with the page's own session. */
async function serverMix(page: Page): Promise<ServerMix> {
  return page.evaluate(async () => {
    const token = (JSON.parse(localStorage.getItem('dj.session') ?? 'null') as { token?: string } | null)?.token;
    const res = await fetch('/api/mix/current', { headers: { Authorization: `Bearer ${token ?? ''}` } });
    if (!res.ok) throw new Error(`GET /api/mix/current: ${res.status}`);
    const { session } = (await res.json()) as { session: ServerMix | null };
    if (session === null) throw new Error('djd has no mix');
    return session;
  });
}

/**
 * Waits until the page shows the queue djd has, with at least `atLeast`
 * tracks (djd may still be filling it in the background).
 */
async function showsServerQueue(page: Page, atLeast: number): Promise<string[]> {
  let shown: string[] = [];
  await expect
    .poll(
      async () => {
        const server = (await serverMix(page)).queue.map((t) => t.name);
        shown = await queueNames(page);
        return server.length >= atLeast && JSON.stringify(server) === JSON.stringify(shown);
      },
      { timeout: 15_000, interval: 500 },
    )
    .toBe(true);
  return shown;
}

const frames = (page: Page, kind: 'chat' | 'steer') =>
  page.evaluate((k) => (window as unknown as { __frames: Record<string, Frame[]> }).__frames[k] ?? [], kind);

describe('the DJ journey', () => {
  let djd: Djd | undefined;
  let url = '';
  let s: Session | undefined;
  let page: Page;
  const requestUrls: string[] = [];
  const consoleText: string[] = [];

  // Each step needs the one before it: after a failure the rest are
  // skipped rather than timing out one by one.
  let broken = false;
  const step = (name: string, fn: () => Promise<void>) =>
    test(name, async (ctx) => {
      if (broken) ctx.skip();
      try {
        await fn();
      } catch (err) {
        broken = true;
        throw err;
      }
    });

  beforeAll(async () => {
    djd = await startDjd();
    url = djd.url;
    s = await openBrowser();
    page = s.page;
    page.setDefaultTimeout(20_000);
    await page.addInitScript(recordStreamFrames);
    page.on('request', (r) => requestUrls.push(r.url()));
    page.on('console', (m) => consoleText.push(m.text()));
  });
  afterAll(async () => {
    await s?.close();
    await djd?.stop();
  });

  const token = () => page.evaluate(() => JSON.parse(localStorage.getItem('dj.session') ?? 'null')?.token as string | undefined);

  step('log in as a demo user', async () => {
    await page.goto(`${url}/`);
    const button = page.getByRole('button', { name: `Log in as ${DEMO_USER}` });
    await button.waitFor();
    await screenshot(page, '01-login');
    await button.click();
    await page.getByRole('heading', { name: 'Pick a playlist' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/playlists');
    expect(page.url()).not.toContain('auth_code');
    expect(await token()).toBeTruthy();
  });

  let playlistName = '';
  step('search the playlists and pick one', async () => {
    const cards = page.getByRole('list', { name: 'Your playlists' }).getByRole('button');
    await cards.nth(1).waitFor();
    await screenshot(page, '02-playlists');
    playlistName = (await cards.nth(1).locator('.playlist-name').textContent()) ?? '';
    expect(playlistName).not.toBe('');
    const word = playlistName.split(/\s+/).find((w) => w.length >= 3) ?? playlistName;
    await page.getByLabel('Search playlists').fill(word);
    await page.getByText(/playlists match/).waitFor();
    await page.getByRole('button', { name: new RegExp(escape(playlistName)) }).first().click();
    await page.waitForURL(`${url}/dj`, { timeout: 30_000 });
  });

  let before: string[] = [];
  step('the mix starts: now playing, the queue djd built, suggestions, a live player stream', async () => {
    await waitForQueue(page, 3);
    before = await showsServerQueue(page, 3);
    await page.getByRole('heading', { name: 'Now playing' }).waitFor();
    await page.getByTestId('now-playing-track').waitFor({ timeout: 15_000 });
    await page.getByTestId('suggestion').first().waitFor({ timeout: 30_000 });
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 15_000 });
  });

  step('skip two tracks: djd moves each to history, the page shows them played, newest first', async () => {
    // Playback is the simulator's; a skip reaches the page only through the
    // player stream (a track change) and the history djd writes for it.
    const skipped: string[] = [];
    for (let i = 0; i < 2; i++) {
      const playing = (await page.getByTestId('now-playing-track').textContent()) ?? '';
      expect(playing).not.toBe('');
      await page.getByRole('button', { name: 'Next track', exact: true }).click();
      await page.waitForFunction(
        (was) => document.querySelector('[data-testid="now-playing-track"]')?.textContent !== was,
        playing,
        { timeout: 15_000 },
      );
      skipped.unshift(playing);
      const played = page.getByRole('region', { name: 'Played' }).locator('.track-name');
      await page.waitForFunction(
        (n) => document.querySelectorAll('[aria-labelledby="history-title"] .track-name').length >= n,
        skipped.length,
        { timeout: 15_000 },
      );
      expect(await played.allTextContents()).toEqual(skipped);
    }
    expect((await serverMix(page)).history.map((t) => t.name)).toEqual(skipped);
    // A play that empties a slot makes djd top the queue up to 5 in the
    // background, unannounced; the page shows it on its later reload.
    await showsServerQueue(page, 5);
    // The page shows djd's queue; a queued track that is playing now is marked.
    before = await queueNames(page);
    const now = (await page.getByTestId('now-playing-track').textContent()) ?? '';
    if (before.includes(now)) {
      await page.getByTestId('queue-item').filter({ hasText: 'Playing now' }).getByText(now, { exact: true }).waitFor();
    }
    await screenshot(page, '03-dj');
  });

  step('reorder the queue with the keyboard and see it persist after a reload', async () => {
    // Rows 2 and 3 trade places (row 1 may be the track playing now).
    const expected = [before[0] ?? '', before[2] ?? '', before[1] ?? '', ...before.slice(3)];
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/mix/queue/reorder') && r.request().method() === 'PUT');
    await page.getByRole('button', { name: `Reorder ${before[1]}` }).first().focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    expect((await saved).status()).toBe(200);
    expect(await queueNames(page)).toEqual(expected);
    await page.reload();
    expect(await waitForQueue(page, expected.length)).toEqual(expected);
    expect((await serverMix(page)).queue.map((t) => t.name)).toEqual(expected);
    before = expected;
  });

  step('steer and see the queue change', async () => {
    const vibeBefore = (await page.getByTestId('vibe').textContent()) ?? '';
    await page.getByRole('button', { name: 'More energy' }).click();
    await page.locator('.steer-done, .steer-error').first().waitFor({ timeout: 45_000 });
    expect(await page.locator('.steer-error').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'More energy' }).isEnabled()).toBe(true);
    const got = await frames(page, 'steer');
    expect(got.map((f) => f.type).slice(0, 1)).toEqual(['ack']);
    const done = got.at(-1);
    expect(done?.type).toBe('done');
    const doneQueue = (done?.data as { queue: Track[] }).queue.map((t) => t.name);
    // The page shows the queue the steer ended with, and it is not the one before.
    expect(await queueNames(page)).toEqual(doneQueue);
    expect(doneQueue).not.toEqual(before);
    expect((await serverMix(page)).queue.map((t) => t.name)).toEqual(doneQueue);
    expect(await page.getByTestId('vibe').textContent()).not.toBe(vibeBefore);
    await screenshot(page, '04-steer');
    before = doneQueue;
  });

  step('chat with the DJ and see the reply stream in', async () => {
    const box = page.getByLabel('Message to the DJ');
    await box.fill('Queue something upbeat for me');
    await box.press('Enter');
    const reply = page.getByTestId('chat-assistant').last();
    await reply.waitFor();
    await page.waitForFunction(() => !document.querySelector('.msg-assistant:last-child .typing'), null, { timeout: 45_000 });
    const got = await frames(page, 'chat');
    expect(got.at(-1)?.type).toBe('done');
    const content = got.filter((f) => f.type === 'content').map((f) => f.data as string);
    expect(content.length).toBeGreaterThanOrEqual(2);
    expect((await reply.locator('.msg-text').allTextContents()).join('')).toBe(content.join(''));
    expect(await reply.locator('.error-text').count()).toBe(0);
    // The DJ queued a track with its tool; the page reloads the mix and shows it.
    const queued = got.some(
      (f) => f.type === 'tool_end' && (f.data as { tool?: string; error?: boolean }).tool === 'add_to_queue' && !(f.data as { error?: boolean }).error,
    );
    expect(queued).toBe(true);
    await reply.getByText(/Adding to the queue/).waitFor();
    await waitForQueue(page, before.length + 1);
    expect(await queueNames(page)).toEqual((await serverMix(page)).queue.map((t) => t.name));
    await screenshot(page, '05-chat');
  });

  step('save the mix as a playlist and find it among the playlists', async () => {
    await page.getByRole('button', { name: 'Save as playlist' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save mix as a playlist' });
    await dialog.waitFor();
    const name = `Journey mix ${Date.now()}`;
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('button', { name: 'Save playlist' }).click();
    const saved = dialog.getByText(/Saved \d+ tracks/);
    await saved.waitFor({ timeout: 30_000 });
    const count = Number(/Saved (\d+) tracks/.exec((await saved.textContent()) ?? '')?.[1]);
    const server = await serverMix(page);
    // Each track once: what was played, then what is queued.
    expect(count).toBe(new Set([...server.history, ...server.queue].map((t) => t.trackUri)).size);
    await screenshot(page, '06-saved', { fullPage: false });
    await dialog.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('link', { name: 'Playlists' }).click();
    await page.getByLabel('Search playlists').fill(name);
    await page.getByRole('button', { name: new RegExp(escape(name)) }).getByText(`${count} tracks`, { exact: false }).waitFor();
    await page.getByRole('link', { name: 'Mix' }).click();
    await waitForQueue(page, 1);
  });

  step('the pages fit a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByRole('heading', { name: 'Up next' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
      await screenshot(page, '07-dj-phone');
      await page.getByRole('link', { name: 'Playlists' }).click();
      await page.getByRole('list', { name: 'Your playlists' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
      await screenshot(page, '07-playlists-phone');
      await page.getByRole('link', { name: 'Mix' }).click();
      await waitForQueue(page, 1);
    } finally {
      await page.setViewportSize({ width: 1440, height: 960 });
    }
  });

  step('log out: back to the login page, session gone, streams stopped, token never in a URL or the console', async () => {
    const tok = await token();
    expect(tok).toBeTruthy();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Your AI DJ for Spotify' }).waitFor();
    expect(await token()).toBeUndefined();
    const streamsBefore = requestUrls.filter((u) => u.includes('/api/player/stream')).length;
    await page.waitForTimeout(2500);
    expect(requestUrls.filter((u) => u.includes('/api/player/stream')).length).toBe(streamsBefore);
    // The token no longer works on the server either (asked from here, not the page).
    const res = await fetch(`${url}/api/mix/current`, { headers: { Authorization: `Bearer ${tok as string}` } });
    expect(res.status).toBe(401);
    await screenshot(page, '08-logged-out');
    expect(requestUrls.some((u) => u.includes(tok as string))).toBe(false);
    expect(consoleText.some((t) => t.includes(tok as string))).toBe(false);
  });

  step('no console errors or page errors along the way', async () => {
    expect(s?.problems).toEqual([]);
  });
});
