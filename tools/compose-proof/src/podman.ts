import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { run, runOk, type RunOptions, type RunResult } from './exec.js';

/**
 * What podman needs on this machine (found by the issue): crun fails on setrlimit with
 * hybrid cgroups, so runc; and explicit ulimits, because the default ones cannot be set here.
 */
export const CONTAINERS_CONF = `# Written by tools/compose-proof.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
`;

const containerState = z.object({
  Name: z.string(),
  RestartCount: z.number().default(0),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    ExitCode: z.number(),
    StartedAt: z.string(),
  }),
});
export type ContainerState = z.infer<typeof containerState>;

const imageInfo = z.object({ Id: z.string(), Size: z.number() });

/** podman and podman-compose with this run's configuration and logs. */
export class Podman {
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly stateDir: string,
    readonly logDir: string,
  ) {
    const conf = join(stateDir, 'containers.conf');
    writeFileSync(conf, CONTAINERS_CONF);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CONTAINERS_CONF: conf,
      // Docker's image format keeps HEALTHCHECK (podman's default, OCI, drops it with a warning).
      BUILDAH_FORMAT: 'docker',
    };
    // The proof runs search on its PostgreSQL engine and no compose profile (see docker-compose.yml).
    delete env.SEARCH_ENGINE;
    delete env.COMPOSE_PROFILES;
    this.env = env;
  }

  run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return run('podman', args, { env: this.env, ...options });
  }

  ok(args: readonly string[], options: RunOptions = {}): Promise<string> {
    return runOk('podman', args, { env: this.env, ...options });
  }

  /** A command at low CPU priority (builds share the machine's two cores with other work). */
  nice(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
    return runOk('nice', ['-n', '10', command, ...args], { env: this.env, ...options });
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.run(['image', 'exists', ref])).code === 0;
  }

  async image(ref: string): Promise<{ id: string; size: number }> {
    const [info] = z.array(imageInfo).parse(JSON.parse(await this.ok(['image', 'inspect', ref])));
    if (!info) throw new Error(`no image ${ref}`);
    return { id: info.Id, size: info.Size };
  }

  async containerExists(name: string): Promise<boolean> {
    return (await this.run(['container', 'exists', name])).code === 0;
  }

  async states(names: readonly string[]): Promise<Map<string, ContainerState>> {
    if (names.length === 0) return new Map();
    const out = await this.ok(['container', 'inspect', '--format', 'json', ...names]);
    const states = z.array(containerState).parse(JSON.parse(out));
    return new Map(states.map((s) => [s.Name, s]));
  }

  /** Runs a command in a running container as `docker exec` does (the container's user). */
  exec(name: string, argv: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    return this.run(['exec', ...env, name, ...argv], { timeoutMs: options.timeoutMs });
  }

  async logs(name: string, lines: number): Promise<string> {
    const result = await this.run(['logs', '--tail', String(lines), name]);
    return `${result.stdout}${result.stderr}`;
  }

  /** The user and command of every process in a container (`podman top`). */
  async processes(name: string): Promise<{ user: string; command: string }[]> {
    const out = await this.ok(['top', name, 'user', 'args']);
    return out
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [user = '', ...command] = l.trim().split(/\s+/);
        return { user, command: command.join(' ') };
      });
  }
}
