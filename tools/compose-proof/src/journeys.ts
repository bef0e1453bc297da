/**
 * The Playwright journeys (apps/web-e2e) through the ALB stand-in, against the containers:
 * the same specs `npm test` runs against the local dev stack, here pointed at the built web
 * image and the service images behind nginx.
 *
 * What the dev stack gives the journeys, the proof gives the containers instead:
 *   - the demo catalogue and demo staff accounts: registration's own `seed-demo` command, run
 *     inside the registration api container with a password made for the run;
 *   - the citizen's inbox: the journeys read sign-in codes from `$JAB_STATE_DIR/outbox/outbox.jsonl`,
 *     the file notifications' local sink writes; here `outbox` is a link to the sink volume.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Podman } from './podman.js';

export interface JourneyResult {
  title: string;
  ok: boolean;
  ms: number;
}

export interface JourneysContext {
  podman: Podman;
  root: string;
  /** The ALB stand-in, e.g. `http://127.0.0.1:8080`. */
  base: string;
  registrationApi: string;
  /** The named volume notifications' sink writes to. */
  sinkVolume: string;
  log: (line: string) => void;
}

class JourneysError extends Error {
  override name = 'JourneysError';
}

/** The demo catalogue and the demo staff accounts, with a password made for this run. */
export async function seedDemo(ctx: Pick<JourneysContext, 'podman' | 'registrationApi'>, password: string): Promise<void> {
  const seed = await ctx.podman.exec(ctx.registrationApi, ['node', 'main.js', 'seed-demo'], {
    env: { JAB_DEMO_PASSWORD: password },
    timeoutMs: 120_000,
  });
  if (seed.code !== 0) throw new JourneysError(`seed-demo failed (exit ${seed.code}): ${seed.stderr || seed.stdout}`);
}

const spec = z.object({
  title: z.string(),
  tests: z.array(z.object({ results: z.array(z.object({ status: z.string(), duration: z.number() })) })),
});
interface Suite {
  title: string;
  specs?: z.infer<typeof spec>[];
  suites?: Suite[];
}
const suite: z.ZodType<Suite> = z.lazy(() => z.object({ title: z.string(), specs: z.array(spec).optional(), suites: z.array(suite).optional() }));
const report = z.object({ suites: z.array(suite) });

/** Every test in Playwright's JSON report, with the file it is in. */
export function journeyResults(json: unknown): JourneyResult[] {
  const out: JourneyResult[] = [];
  const walk = (s: Suite, file: string) => {
    for (const sp of s.specs ?? []) {
      const results = sp.tests.flatMap((t) => t.results);
      const last = results.at(-1);
      out.push({
        title: `${file} › ${sp.title}`,
        ok: last?.status === 'passed',
        ms: results.reduce((sum, r) => sum + r.duration, 0),
      });
    }
    for (const child of s.suites ?? []) walk(child, file);
  };
  for (const s of report.parse(json).suites) walk(s, s.title);
  return out;
}

/** Seeds the demo, then runs every journey in Chromium through `ctx.base`; never throws for a failed journey. */
export async function runJourneys(ctx: JourneysContext): Promise<JourneyResult[]> {
  const password = `proof-${randomBytes(18).toString('base64url')}`;
  await seedDemo(ctx, password);
  ctx.log('  demo catalogue and demo staff accounts seeded in the registration container');
  const mountpoint = (await ctx.podman.ok(['volume', 'inspect', ctx.sinkVolume, '--format', '{{.Mountpoint}}'])).trim();
  if (!mountpoint) throw new JourneysError(`volume ${ctx.sinkVolume} has no mount point`);
  const stateDir = mkdtempSync(join(tmpdir(), 'jab-proof-e2e-'));
  symlinkSync(mountpoint, join(stateDir, 'outbox'));
  const config = join(ctx.root, 'apps/web-e2e/playwright.config.ts');
  // The config's own reporters: a list as it goes, and the JSON report read below.
  const resultsFile = join(ctx.root, 'apps/web-e2e/test-output/results.json');
  rmSync(resultsFile, { force: true });
  try {
    const code = await new Promise<number>((done) => {
      const child = spawn('npx', ['--no-install', 'playwright', 'test', '-c', config], {
        cwd: ctx.root,
        // The podman settings stay out: Chromium runs on the host, like a person's browser.
        env: {
          ...process.env,
          JAB_E2E_BASE_URL: ctx.base,
          JAB_DEMO_PASSWORD: password,
          JAB_STATE_DIR: stateDir,
          FORCE_COLOR: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr]) {
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          for (const line of chunk.split('\n')) if (line.trim() !== '') ctx.log(`    ${line}`);
        });
      }
      child.on('error', () => done(127));
      child.on('close', (c) => done(c ?? 1));
    });
    let results: JourneyResult[];
    try {
      results = journeyResults(JSON.parse(readFileSync(resultsFile, 'utf8')));
    } catch (error) {
      throw new JourneysError(`playwright exited ${code} without a readable report (${error instanceof Error ? error.message : String(error)})`);
    }
    if (results.length === 0) throw new JourneysError(`playwright exited ${code} and ran no journey`);
    if (code !== 0 && results.every((r) => r.ok)) throw new JourneysError(`playwright exited ${code} although every journey passed`);
    return results;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
