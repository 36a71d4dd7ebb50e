import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBrowser, screenshot, type Session } from './browser';
import { startDjd, type Djd } from './djd';

// The whole DJ experience against a real djd in simulator mode, step by
// step, as a listener would do it: log in as a demo user, pick a playlist,
// the mix starts, reorder the queue and see it survive a reload, steer and
// see the queue change, chat and watch the reply stream in, save the mix as
// a playlist, log out. Nothing is mocked and no step tolerates a failure.
// Each step leaves a screenshot in the artifacts folder.

const DEMO_USER = 'alice';

/** Counts the chat stream's `content` frames as they arrive (test-only wrapper around fetch). */
const countChatFrames = `
(() => {
  const orig = window.fetch.bind(window);
  window.__chat = { frames: [], reads: 0 };
  window.fetch = async (input, init) => {
    const res = await orig(input, init);
    const u = typeof input === 'string' ? input : input.url;
    if (!u.includes('/api/chat-stream/message') || !res.body) return res;
    const [mine, theirs] = res.body.tee();
    (async () => {
      const reader = theirs.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        window.__chat.reads++;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\\n\\n')) !== -1) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\\n');
          try { const f = JSON.parse(data); if (f.type === 'content') window.__chat.frames.push(f.data); } catch {}
        }
      }
    })();
    return new Response(mine, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
})();`;

async function queueNames(page: Page): Promise<string[]> {
  return page.getByTestId('queue-item-name').allTextContents();
}

async function waitForQueue(page: Page, atLeast: number): Promise<string[]> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="queue-item"]').length >= n, atLeast, { timeout: 30_000 });
  return queueNames(page);
}

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
    await page.addInitScript(countChatFrames);
    page.on('request', (r) => requestUrls.push(r.url()));
    page.on('console', (m) => consoleText.push(m.text()));
  });
  afterAll(async () => {
    await s?.close();
    djd?.stop();
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
    const match = page.getByRole('button', { name: new RegExp(playlistName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
    await match.first().click();
    await page.waitForURL(`${url}/dj`, { timeout: 30_000 });
  });

  let before: string[] = [];
  step('the mix starts: now playing, a queue and suggestions', async () => {
    before = await waitForQueue(page, 3);
    await page.getByRole('heading', { name: 'Now playing' }).waitFor();
    await page.getByTestId('suggestion').first().waitFor({ timeout: 30_000 });
    await page.getByText('Live').waitFor({ timeout: 15_000 });
    await screenshot(page, '03-dj');
  });

  step('reorder the queue with the keyboard and see it persist after a reload', async () => {
    const expected = [before[1] ?? '', before[0] ?? '', ...before.slice(2)];
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/mix/queue/reorder') && r.request().method() === 'PUT');
    await page.getByRole('button', { name: `Reorder ${before[0]}` }).first().focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    expect((await saved).status()).toBe(200);
    expect(await queueNames(page)).toEqual(expected);
    await page.reload();
    expect(await waitForQueue(page, expected.length)).toEqual(expected);
    before = expected;
  });

  step('steer and see the queue change', async () => {
    await page.getByRole('button', { name: 'More energy' }).click();
    await page.locator('.steer-done, .steer-error').first().waitFor({ timeout: 45_000 });
    expect(await page.locator('.steer-error').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'More energy' }).isEnabled()).toBe(true);
    const after = await waitForQueue(page, 1);
    expect(after).not.toEqual(before);
    await screenshot(page, '04-steer');
  });

  step('chat with the DJ and see the reply stream in', async () => {
    const box = page.getByLabel('Message to the DJ');
    await box.fill('Queue something upbeat for me');
    await box.press('Enter');
    const reply = page.getByTestId('chat-assistant').last();
    await reply.waitFor();
    await page.waitForFunction(() => !document.querySelector('.msg-assistant:last-child .typing'), null, { timeout: 45_000 });
    const frames = await page.evaluate(() => (window as unknown as { __chat: { frames: string[] } }).__chat.frames);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(await reply.locator('.msg-text').textContent()).toBe(frames.join(''));
    expect(await reply.locator('.error-text').count()).toBe(0);
    await screenshot(page, '05-chat');
  });

  step('save the mix as a playlist', async () => {
    await page.getByRole('button', { name: 'Save as playlist' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save mix as a playlist' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Save playlist' }).click();
    await dialog.getByText(/Saved \d+ tracks/).waitFor({ timeout: 30_000 });
    await screenshot(page, '06-saved');
    await dialog.getByRole('button', { name: 'Done' }).click();
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
    await screenshot(page, '07-logged-out');
    expect(requestUrls.some((u) => u.includes(tok as string))).toBe(false);
    expect(consoleText.some((t) => t.includes(tok as string))).toBe(false);
  });
});
