import { defineConfig } from 'vitest/config';

// Every project's own config; build output (which may carry copies) never counts.
export default defineConfig({
  test: {
    projects: [
      '{apps,libs,tools}/*/vitest.config.mts',
      '{apps,libs,tools}/*/vite.config.mts',
      'infra/vitest.config.mts',
      '!apps/web-e2e/**',
    ],
  },
});
