import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const COLORS = [36, 35, 33, 32, 34, 31, 96, 95, 93];

/** Starts a child process whose output is prefixed with its name, one line at a time. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  index: number,
  quiet = false,
): Proc {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `\u001b[${COLORS[index % COLORS.length]}m${name.padEnd(22)}\u001b[0m│ `;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (!quiet) process.stdout.write(`${tag}${line}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, child, exited };
}

/** SIGTERM every process, then SIGKILL whatever is still running after the deadline. */
export async function stopAll(procs: Proc[], deadlineMs: number): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }, deadlineMs);
  await Promise.all(procs.map((p) => p.exited));
  clearTimeout(timer);
}

/** Polls a URL until it answers 2xx, a process dies, or the deadline passes. */
export async function waitHealthy(url: string, procs: Proc[], deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited with code ${dead.child.exitCode} while starting`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not become healthy within ${deadlineMs / 1000} s`);
}
