import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Debian's chromium, headless, with a fresh profile per run. Screenshots go
// to DJ_ARTIFACTS (default: test-artifacts/ at the repository root).
//
// The browser never reaches the Internet: every host name except localhost
// fails to resolve. The pages djd serves load nothing from elsewhere, but
// album art URLs come from Spotify (in simulator mode, made-up i.scdn.co
// URLs), so cover images fail as they would offline and the app shows its
// generated covers; the same on every machine.

export const artifacts = resolve(process.env.DJ_ARTIFACTS ?? join(import.meta.dirname, '..', '..', 'test-artifacts'));

export interface Session {
  context: BrowserContext;
  page: Page;
  /**
   * Console errors and failed page scripts seen so far, except the failed
   * loads of third-party resources (the cover images) that the blocked
   * Internet causes.
   */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1440, height: 960 }): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), 'dj-chromium-'));
  // A persistent context is how playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    viewport,
    deviceScaleFactor: 1,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=${offline()}`,
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (thirdParty(m.location().url, page.url()) && m.text().startsWith('Failed to load resource')) return;
    problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Every host fails to resolve but localhost and a DJ_URL's host. */
function offline(): string {
  const hosts = ['localhost', '127.0.0.1'];
  if (process.env.DJ_URL) hosts.push(new URL(process.env.DJ_URL).hostname);
  return ['MAP * ~NOTFOUND', ...hosts.map((h) => `EXCLUDE ${h}`)].join(', ');
}

function thirdParty(resource: string, pageUrl: string): boolean {
  try {
    return new URL(resource).origin !== new URL(pageUrl).origin;
  } catch {
    return false;
  }
}

/** Saves a PNG in the artifacts folder: the whole page, or (for a modal) what is on screen. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
  return path;
}
