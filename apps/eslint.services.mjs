import baseConfig from '../eslint.config.mjs';

/**
 * Lint config of the four service apps: the workspace's, plus @nx/dependency-checks on
 * their package.json. Every import of a service's code must be declared there, since the
 * image's pruned install holds only those (an undeclared one once crashed a container).
 */
export default [
  ...baseConfig,
  {
    files: ['**/*.json'],
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          // Tests and their helpers are not in the image: what only they import is a devDependency.
          ignoredFiles: [
            '{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}',
            '{projectRoot}/vitest.config.{js,ts,mjs,mts}',
            '{projectRoot}/src/**/*.{test,testing,live-test}.ts',
            '{projectRoot}/src/testing/**',
          ],
        },
      ],
    },
    languageOptions: {
      parser: await import('jsonc-eslint-parser'),
    },
  },
];
