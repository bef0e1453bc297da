import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Shared Vitest settings for every project: workspace libraries resolve to their
 * TypeScript sources (the `@jab/source` export condition), so tests never need a
 * prior build, and integration tests get time for real PostgreSQL and Redis.
 */
export function jabVitest(name: string, root: string, overrides: ViteUserConfig = {}) {
  return defineConfig({
    root,
    cacheDir: `../../node_modules/.vite/${name}`,
    resolve: { conditions: ['@jab/source', ...defaultClientConditions] },
    // No `module` condition on the server: the AWS SDK's `module` build has extension-less
    // ESM imports only bundlers resolve; Node (and the services' esbuild bundles) take `node`.
    ssr: { resolve: { conditions: ['@jab/source', ...defaultServerConditions.filter((c) => c !== 'module')] } },
    ...overrides,
    test: {
      name,
      watch: false,
      globals: false,
      environment: 'node',
      include: ['{src,tests,migrations}/**/*.test.{ts,tsx}'],
      reporters: ['default'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides.test,
    },
  });
}
