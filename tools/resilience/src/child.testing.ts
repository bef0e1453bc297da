/**
 * A service as a real child process, started the way `npm start` starts it
 * (`node --conditions=@jab/source --import tsx apps/<name>/src/main.ts`): its own PID to
 * signal, and every line it writes to stdout and stderr kept for the test to read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ServiceName } from './services.testing.js';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface ChildService {
  name: ServiceName;
  url: string;
  port: number;
  process: ChildProcess;
  /** Every line written so far, stdout and stderr. */
  lines: string[];
  /** Resolves with the exit code (null when killed by a signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if still running after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startChild(name: ServiceName, env: Record<string, string>, { startTimeoutMs = 60_000 } = {}): Promise<ChildService> {
  const child = spawn(process.execPath, ['--conditions=@jab/source', '--import', 'tsx', join(ROOT, 'apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    // Only what the service needs: nothing of the test runner's own environment leaks in.
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NODE_ENV: 'test', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const started = new Promise<number>((resolvePort, reject) => {
    const onLine = (line: string) => {
      lines.push(line);
      if (!line.includes('"service started"')) return;
      try {
        resolvePort((JSON.parse(line) as { port: number }).port);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', onLine);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} while starting:\n${lines.slice(-20).join('\n')}`)));
  });
  // Raced below; a rejection after the race is settled must not go unhandled.
  started.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not start within ${startTimeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), startTimeoutMs);
  });
  let port: number;
  try {
    port = await Promise.race([started, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const stop = async (graceMs = 20_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(kill);
    }
  };
  return { name, url: `http://127.0.0.1:${port}`, port, process: child, lines, exited, stop };
}

/** Settings for a service process on `databaseUrl` (one schema per service, as `npm start` shares one database). */
export function childEnv(databaseUrl: string, redisUrl: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, SHUTDOWN_TIMEOUT_MS: '10000', ...extra };
}
