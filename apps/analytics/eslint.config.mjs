import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // Every import of the service's code is declared in its package.json: the image's pruned
    // install holds only those (an undeclared one crashed a container once).
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
