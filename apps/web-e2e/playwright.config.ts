import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

// The demo accounts' password: given, or fresh per run. Set on process.env so the stack's seeding
// (webServer env) and the test workers (forked from this process) see the same value.
process.env['JAB_DEMO_PASSWORD'] ||= `e2e-${randomBytes(18).toString('base64url')}`;
const demoPassword = process.env['JAB_DEMO_PASSWORD'];
// Where the local stack's notifications sink writes what citizens receive (support.ts reads codes there).
process.env['JAB_STATE_DIR'] ||= mkdtempSync(path.join(tmpdir(), 'jab-e2e-'));

// Web port from libs/topology (web.port). Point JAB_E2E_BASE_URL at an already running platform
// (docker compose's ALB stand-in, a QA environment) to skip starting the local stack.
const externalBaseURL = process.env['JAB_E2E_BASE_URL'];
const baseURL = externalBaseURL ?? 'http://127.0.0.1:4200';

export default defineConfig({
  testDir: './src',
  testMatch: '**/*.spec.ts',
  outputDir: path.join(here, 'test-output/playwright'),
  globalSetup: './src/global-setup.ts',
  fullyParallel: false,
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: path.join(here, 'test-output/results.json') }]],
  use: {
    baseURL,
    locale: 'en-GB',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          // Debian's Chromium, not a Playwright download: the CI image ships it.
          executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: externalBaseURL
    ? undefined
    : {
        // Migrations, every service's api and worker, and the web dev server, on a throwaway database.
        command: 'node --conditions=@jab/source --import tsx tools/dev/src/main.ts --test',
        cwd: repoRoot,
        url: baseURL,
        reuseExistingServer: false,
        timeout: 180_000,
        // The stack stops cleanly on SIGTERM; without this Playwright would SIGKILL it.
        gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
        stdout: 'pipe',
        stderr: 'pipe',
        env: { JAB_DEMO_PASSWORD: demoPassword },
      },
});
