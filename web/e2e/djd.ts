import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The djd under test. DJ_URL points at a running one; otherwise DJ_BIN (or a
// fresh `go build ./cmd/djd`) is started in simulator mode on a free port
// with an empty data directory. The web app must have been built first:
// djd embeds web/dist at compile time.

const repo = resolve(import.meta.dirname, '..', '..');

export interface Djd {
  url: string;
  /** Stops djd and waits for it to exit, then removes its data. */
  stop(): Promise<void>;
}

export async function startDjd(): Promise<Djd> {
  const given = process.env.DJ_URL;
  if (given) return { url: given.replace(/\/$/, ''), stop: async () => undefined };
  if (!existsSync(join(repo, 'web', 'dist', 'index.html'))) {
    throw new Error('web/dist/index.html is missing: run `npm run build` before the browser tests');
  }
  const work = mkdtempSync(join(tmpdir(), 'dj-e2e-'));
  let bin = process.env.DJ_BIN;
  if (!bin) {
    bin = join(work, 'djd');
    const go = process.env.GO ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go');
    const built = spawnSync(go, ['build', '-o', bin, './cmd/djd'], { cwd: repo, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('go build ./cmd/djd failed');
  }
  const child = spawn(bin, ['-addr', '127.0.0.1:0', '-sim-latency', 'none', '-data-dir', join(work, 'data')], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DJ_VALIDATE_RESPONSES: '1' },
  });
  try {
    const url = await listeningUrl(child);
    return {
      url,
      async stop() {
        // djd drains streams and closes its databases on SIGTERM; the data
        // directory is removed only once it has exited.
        await exited(child, 10_000);
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await exited(child, 2_000);
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** Sends SIGTERM, and SIGKILL if the process has not exited after graceMs. */
function exited(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`djd did not start in 60 s:\n${seen}`)), 60_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (seen.length < 20_000) seen += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`djd exited (${code}) before listening:\n${seen}`));
    });
  });
}
