import { defaultServerConditions } from 'vite';
import { jabVitest } from '../../vitest.preset.mjs';

export default jabVitest('analytics', import.meta.dirname, {
  // The AWS SDK's `module` build has extension-less ESM imports that only bundlers resolve;
  // Node (and production's esbuild bundle) take the `node` entry instead.
  ssr: { resolve: { conditions: ['@jab/source', ...defaultServerConditions.filter((c) => c !== 'module')] } },
});
