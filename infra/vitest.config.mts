import { jabVitest } from '../vitest.preset.mjs';

// infra sits one level below the root, and keeps its tests in test/ (the CDK layout).
export default jabVitest('infra', import.meta.dirname, {
  cacheDir: '../node_modules/.vite/infra',
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
