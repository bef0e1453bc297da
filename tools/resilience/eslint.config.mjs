import baseConfig from '../../libs/eslint.libs.mjs';

/**
 * This project's files are all test code (suites and their `*.testing.ts` helpers) that
 * start the real services in-process, so they must import the four service definitions
 * from the apps, which no other project may do, and use the runtime's data-access kit.
 * The override below widens the shared boundaries for these files only.
 */
const RULE = '@nx/enforce-module-boundaries';
const SERVICE_DEFINITIONS = '^(\\.\\./)+apps/(registration|notifications|search|analytics)/src/service\\.js$';

const [level, options] = baseConfig.filter((c) => c.rules?.[RULE] && c.files?.includes('**/*.test.ts')).at(-1).rules[RULE];

export default [
  ...baseConfig,
  {
    files: ['src/**/*.test.ts', 'src/**/*.testing.ts'],
    rules: {
      [RULE]: [
        level,
        {
          ...options,
          allow: [...options.allow, SERVICE_DEFINITIONS],
          depConstraints: options.depConstraints.map((c) =>
            c.sourceTag === 'type:e2e' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:data-access'] } : c,
          ),
        },
      ],
    },
  },
];
