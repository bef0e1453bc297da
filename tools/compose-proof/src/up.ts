/**
 * Starts the containers podman-compose created, in the order and on the conditions
 * docker-compose.yml gives (`service_healthy`, `service_completed_successfully`), and runs
 * each compose health check the way Docker's engine does: the test command, executed in the
 * container. podman-compose 1.0.3 ignores the conditions, and podman's own health checks
 * need systemd timers, which this machine does not run.
 */
import { dependenciesOf, healthcheckOf, readinessOf, type ComposeFile, type Healthcheck, type Readiness } from './compose.js';
import { tail } from './exec.js';
import type { ContainerState, Podman } from './podman.js';

/** How often a health check runs while a service starts (compose intervals are 5–10 s). */
const PROBE_EVERY_MS = 2000;
/** The least time any service gets to become ready on this shared, busy machine. */
const MIN_DEADLINE_MS = 180_000;

export interface ServiceStart {
  service: string;
  container: string;
  readiness: Readiness;
  /** When `podman start` was run, and when the service became ready (ms since the first start). */
  startedAt: number;
  readyAt: number;
  probes: number;
}

interface Tracked {
  service: string;
  container: string;
  readiness: Readiness;
  health?: Healthcheck;
  deadlineMs: number;
  /** ms since the first start; set by `podman start`. */
  startedAt?: number;
  readyAt?: number;
  running: boolean;
  probes: number;
  probing?: Promise<void>;
  lastProbeAt: number;
  lastProbeOutput: string;
}

type Started = Tracked & { startedAt: number };

const isStarted = (t: Tracked): t is Started => t.startedAt !== undefined;

export class StartError extends Error {
  constructor(message: string, readonly service: string) {
    super(message);
    this.name = 'StartError';
  }
}

function satisfied(dep: Tracked | undefined, condition: string): boolean {
  if (!dep || !isStarted(dep)) return false;
  if (condition === 'service_started') return dep.running || dep.readyAt !== undefined;
  if (condition === 'service_healthy') return dep.readiness === 'healthy' && dep.readyAt !== undefined;
  return dep.readiness === 'completed' && dep.readyAt !== undefined;
}

/**
 * Starts every active service once its dependencies are satisfied and waits until all are
 * ready. Fails on the first container that exits (unless it is a one-shot that exited 0),
 * restarts, or is not ready in time, with the end of its log.
 */
export async function startTopology(
  podman: Podman,
  file: ComposeFile,
  active: readonly string[],
  containerOf: (service: string) => string,
  log: (line: string) => void,
): Promise<ServiceStart[]> {
  const tracked: Tracked[] = active.map((service) => {
    const spec = file.services[service] ?? {};
    const health = healthcheckOf(spec);
    const deadlineMs = Math.max(MIN_DEADLINE_MS, health ? health.startPeriodMs + health.intervalMs * health.retries : 0);
    const readiness = readinessOf(spec);
    return { service, container: containerOf(service), readiness, health, deadlineMs, running: false, probes: 0, lastProbeAt: 0, lastProbeOutput: '' };
  });
  const byService = new Map(tracked.map((t) => [t.service, t]));
  const t0 = Date.now();
  const failure = async (t: Tracked, why: string): Promise<StartError> => {
    const logs = await podman.logs(t.container, 40).catch(() => '');
    return new StartError(`${t.service}: ${why}${logs ? `\n  last lines of its log:\n${tail(logs, 40)}` : ''}`, t.service);
  };
  const ready = (t: Started, what: string) => {
    t.readyAt = Date.now() - t0;
    log(`  ${t.service} ${what} after ${((t.readyAt - t.startedAt) / 1000).toFixed(1)} s`);
  };
  const probe = async (t: Started, health: Healthcheck) => {
    t.probes += 1;
    t.lastProbeAt = Date.now();
    const result = await podman.exec(t.container, health.argv, { timeoutMs: health.timeoutMs });
    t.lastProbeOutput = `${result.stdout}${result.stderr}`.trim() || `exit ${result.code}`;
    if (result.code === 0 && t.readyAt === undefined) ready(t, 'healthy');
  };

  for (;;) {
    // Start whatever may start now.
    for (const t of tracked) {
      if (isStarted(t)) continue;
      const deps = dependenciesOf(file, t.service, active);
      if (!deps.every((d) => satisfied(byService.get(d.service), d.condition))) continue;
      await podman.ok(['start', t.container]);
      t.startedAt = Date.now() - t0;
      log(`  started ${t.service}${deps.length ? ` (after ${deps.map((d) => d.service).join(', ')})` : ''}`);
    }
    const started = tracked.filter(isStarted);
    const states = await podman.states(started.map((t) => t.container));
    for (const t of started) {
      const state: ContainerState | undefined = states.get(t.container);
      if (!state) throw await failure(t, 'its container disappeared');
      t.running = state.State.Running;
      if (state.RestartCount > 0) throw await failure(t, `its container restarted ${state.RestartCount} time(s) while the topology started`);
      if (t.readiness === 'completed') {
        if (!t.running && state.State.Status === 'exited') {
          if (state.State.ExitCode !== 0) throw await failure(t, `exited with code ${state.State.ExitCode}`);
          if (t.readyAt === undefined) ready(t, 'completed');
        }
        continue;
      }
      if (!t.running) throw await failure(t, `its container stopped (${state.State.Status}, exit ${state.State.ExitCode})`);
      if (t.readyAt !== undefined) continue;
      if (!t.health) ready(t, 'running');
      else if (!t.probing && Date.now() - t.lastProbeAt >= PROBE_EVERY_MS) {
        t.probing = probe(t, t.health).finally(() => {
          t.probing = undefined;
        });
      }
    }
    for (const t of started) {
      if (t.readyAt === undefined && Date.now() - t0 - t.startedAt > t.deadlineMs) {
        throw await failure(t, `not ${t.readiness} ${t.deadlineMs / 1000} s after it started; last health check: ${t.lastProbeOutput || 'none ran'}`);
      }
    }
    if (started.length === tracked.length && started.every((t) => t.readyAt !== undefined)) break;
    if (started.length === 0) throw new StartError('no service can start: every one waits for another', '-');
    await new Promise((r) => setTimeout(r, 1000));
  }
  await Promise.all(tracked.map((t) => t.probing));
  return tracked.filter(isStarted).map((t) => ({
    service: t.service,
    container: t.container,
    readiness: t.readiness,
    startedAt: t.startedAt,
    readyAt: t.readyAt ?? t.startedAt,
    probes: t.probes,
  }));
}
