import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The dev server proxies the API to a running djd (DJ_URL, default :8080).
const api = process.env.DJ_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // dist/placeholder.html is committed for Go's embed; scripts/clean-dist.mjs
    // removes the previous build instead.
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
  },
  server: { proxy: { '/api': { target: api, changeOrigin: false } } },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
