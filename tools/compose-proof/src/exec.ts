import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kills the command (SIGKILL) after this long; the result then has code 124. */
  timeoutMs?: number;
  /** Appends everything the command prints to this file (builds print thousands of lines). */
  logFile?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Output kept in memory per stream: enough to parse answers and to show why a command failed. */
const KEEP_CHARS = 256 * 1024;

/** Runs a command to completion without a shell; never throws for a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    log?.write(`\n$ ${[command, ...args].join(' ')}\n`);
    const out = { stdout: '', stderr: '' };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name].setEncoding('utf8');
      child[name].on('data', (chunk: string) => {
        log?.write(chunk);
        out[name] = (out[name] + chunk).slice(-KEEP_CHARS);
      });
    }
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    const finish = (code: number) => {
      if (timer) clearTimeout(timer);
      const result = { code: timedOut ? 124 : code, ...out };
      if (log) log.end(() => resolve(result));
      else resolve(result);
    };
    child.on('error', (error) => {
      out.stderr += `${error.message}\n`;
      finish(127);
    });
    child.on('close', (code) => finish(code ?? 1));
  });
}

/** A command that failed: its exit code and the end of what it printed. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(`\`${command}\` ${result.code === 124 ? 'timed out' : `failed (exit ${result.code})`}\n${tail(result.stderr || result.stdout, 30)}`);
    this.name = 'CommandError';
  }
}

/** Runs a command and returns its standard output; throws a CommandError on a non-zero exit. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError([command, ...args].join(' ').slice(0, 300), result);
  return result.stdout;
}

/** The last `lines` non-empty lines of a text, indented for a report. */
export function tail(text: string, lines: number): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}
