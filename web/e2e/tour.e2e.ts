import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openBrowser, screenshot, type Session } from './browser';
import { startMockApi, type MockApi } from './mock-api';

// A screenshot tour of every page on desktop and phone, against the mock
// API (see mock-api.ts): it checks that pages render and fit, not what the
// real server does — that is the journey's job.

describe.each([
  ['desktop', { width: 1440, height: 960 }],
  ['phone', { width: 390, height: 844 }],
])('screenshot tour (%s, mock API)', (label, viewport) => {
  let api: MockApi;
  let s: Session;

  beforeAll(async () => {
    api = await startMockApi();
    s = await openBrowser(viewport);
  });
  afterAll(async () => {
    await s?.close();
    await api?.close();
  });

  const fits = () => s.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  test('login, playlists, DJ page, chat and save dialog', async () => {
    const { page } = s;
    await page.goto(`${api.url}/`);
    await page.getByRole('button', { name: 'Log in as alice' }).click();
    await page.getByRole('heading', { name: 'Pick a playlist' }).waitFor();
    expect(page.url()).not.toContain('auth_code');
    await screenshot(page, `tour-${label}-playlists`);
    expect(await fits()).toBe(true);

    await page.getByRole('button', { name: /Synthwave Sunset/ }).click();
    await page.getByText('Live').first().waitFor();
    await page.getByTestId('suggestion').first().waitFor();
    await screenshot(page, `tour-${label}-dj`);
    expect(await fits()).toBe(true);

    await page.getByLabel('Message to the DJ').fill('What is next?');
    await page.getByLabel('Message to the DJ').press('Enter');
    await page.getByText(/keeps the build going/).waitFor();
    await page.getByTestId('chat-assistant').screenshot({ path: `${(await import('./browser')).artifacts}/tour-${label}-chat.png` });

    await page.getByRole('button', { name: 'Save as playlist' }).click();
    await page.getByRole('dialog').waitFor();
    await screenshot(page, `tour-${label}-save`);
    expect(s.problems).toEqual([]);
  });
});
