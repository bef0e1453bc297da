/// <reference types='vitest' />
import { defineConfig, defaultClientConditions, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';
// Vite's config loader hands bare imports to Node, which would load @jab/topology's built dist
// (absent on a clean checkout, stale after an edit); the relative source import is bundled instead.
import { serviceList, web } from '../../libs/topology/src/index.js';

// Same routing as the ALB: every service's path prefix goes to its local port, the rest is the app.
const proxy: Record<string, ProxyOptions> = Object.fromEntries(
  serviceList().map((s) => [s.pathPrefix, { target: `http://127.0.0.1:${s.port}`, changeOrigin: false }]),
);

export default defineConfig(() => ({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/web',
  resolve: {
    // Workspace libs are consumed from their TypeScript source, never from a stale dist.
    conditions: ['@jab/source', ...defaultClientConditions],
  },
  // Every dependency pre-bundled at start: a dependency discovered on first use makes the
  // dev server re-optimize and reload the page, which signs people out mid-journey.
  optimizeDeps: {
    include: ['react', 'react-dom/client', 'react/jsx-runtime', 'i18next', 'react-i18next', 'wouter', 'wouter/use-hash-location', 'recharts', 'qrcode', 'zod'],
  },
  server: {
    // Transformed before the first visit, so the first page is not a cold compile.
    warmup: { clientFiles: ['./src/main.tsx', './src/*/*-area.tsx'] },
    port: web.port,
    strictPort: true,
    host: '127.0.0.1',
    proxy,
  },
  preview: {
    port: 4300,
    strictPort: true,
    host: '127.0.0.1',
    proxy,
  },
  plugins: [react()],
  build: {
    outDir: './dist',
    emptyOutDir: true,
    reportCompressedSize: true,
    // tools/bench/src/web-bundle.ts reads it to size each area's entry.
    manifest: true,
  },
  test: {
    name: 'web',
    watch: false,
    globals: true,
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    reporters: ['default'],
    restoreMocks: true,
    // jsdom renders are slow on a loaded 2-core machine; no test asserts time.
    testTimeout: 30_000,
    unstubGlobals: true,
    coverage: {
      reportsDirectory: './test-output/vitest/coverage',
      provider: 'v8' as const,
    },
  },
}));
