// Removes the previous build from dist/ but keeps placeholder.html, which
// is committed so that Go's embed works on a clone where the app was never built.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name !== 'placeholder.html') rmSync(join(dist, name), { recursive: true, force: true });
}
