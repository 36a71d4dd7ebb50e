import { defineConfig } from 'vitest/config';

// Browser tests: headless Debian chromium driven by playwright-core, against
// a real djd in simulator mode (DJ_URL, or one each file starts; see djd.ts).
// Nothing is mocked.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
