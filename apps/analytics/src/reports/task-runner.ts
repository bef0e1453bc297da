import type { Logger } from '@jab/logger';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** How a task ended: its process exit code (non-zero is a failure) and why, when known. */
export interface TaskOutcome {
  exitCode: number;
  reason?: string;
}

/**
 * Runs one of the service's own commands (`run-report <id>`) as a separate task and
 * resolves when it has stopped. Rejects only when the task could not be started.
 */
export interface TaskRunner {
  run(command: string, args: string[]): Promise<TaskOutcome>;
}

/**
 * How to start this service's entry from the folder of its code: the TypeScript
 * source in the workspace (through tsx), the bundle in an image.
 */
export function serviceEntry(dir: string): string[] {
  const source = join(dir, 'main.ts');
  if (existsSync(source)) return ['--conditions=@jab/source', '--import', 'tsx', source];
  return [join(dir, 'main.js')];
}

export interface LocalTaskRunnerOptions {
  /** Arguments before the command: `serviceEntry(dir)`. */
  entry: string[];
  /** The child's environment: the service's own settings. */
  env: Record<string, string | undefined>;
  /** Folder the child starts in (bare `--import` specifiers resolve from it). */
  cwd: string;
  timeoutMs: number;
  logger: Logger;
  node?: string;
}

/** Development runner: the task is a child process of the API on the same machine. */
export class LocalTaskRunner implements TaskRunner {
  constructor(private readonly options: LocalTaskRunnerOptions) {}

  run(command: string, args: string[]): Promise<TaskOutcome> {
    const { entry, env, cwd, timeoutMs, logger, node = process.execPath } = this.options;
    return new Promise((resolve, reject) => {
      const child = spawn(node, [...entry, command, ...args], { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      timer.unref();
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        logger.info({ command, code, signal, pid: child.pid }, 'local task stopped');
        resolve(code === null ? { exitCode: 128, reason: `killed by ${signal ?? 'a signal'}` } : { exitCode: code });
      });
    });
  }
}
