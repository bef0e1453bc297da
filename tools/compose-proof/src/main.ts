/**
 * `npm run compose:proof` (root, podman): builds every image docker-compose.yml uses and runs
 * the whole topology with podman-compose, then proves it works through the ALB stand-in.
 *
 *   1. stand-ins for the official base images (node, postgres, redis, nginx), built from a
 *      debootstrap Debian root and Debian's packages, tagged with the names the Dockerfiles
 *      and the compose file use; kept between runs (`--rebuild` makes them again);
 *   2. every service image and the web image, built from docker/ as the compose file says;
 *   3. the topology up without the opensearch profile, each service started once its
 *      depends_on conditions hold, each compose health check passing;
 *   4. the skeleton flow through 127.0.0.1:8080 (src/flow.ts), then the Playwright journeys of
 *      apps/web-e2e in Chromium through the same port (src/journeys.ts; `--no-journeys` skips them);
 *   5. non-root processes everywhere, production dependencies only, image sizes;
 *   6. everything torn down (`--keep-up` leaves it running).
 * Exits non-zero with the reason on the first failure.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { checkProductionDependencies, checkUsers, checkWebImage, type DependencyCheck, type UserCheck } from './checks.js';
import {
  activeServices,
  baseImages,
  namedVolumeAt,
  parseCompose,
  publishedAddress,
  renderForPodmanCompose,
  resolverSwapped,
  startWaves,
  type ComposeFile,
} from './compose.js';
import { run, runOk, tail } from './exec.js';
import { skeletonFlow, type FlowStep } from './flow.js';
import { runJourneys, type JourneyResult } from './journeys.js';
import { parseImageRef, standInFor, type StandIn } from './images.js';
import { Podman } from './podman.js';
import { ensureBase, ensureStandIn, standInVersion, type Built } from './stand-ins.js';
import { startTopology, type ServiceStart } from './up.js';

const root = resolve(import.meta.dirname, '../../..');
const stateDir = join(root, '.jab', 'compose-proof');
const logDir = join(stateDir, 'logs');
/** The ALB stand-in's config as podman runs it (see resolverSwapped). */
const albConfCopy = join(stateDir, 'alb-nginx.conf');
/** Docker's embedded DNS server, which docker/alb/nginx.conf resolves upstreams through. */
const DOCKER_DNS = '127.0.0.11';

const { values: options } = parseArgs({
  options: {
    rebuild: { type: 'boolean', default: false },
    'keep-up': { type: 'boolean', default: false },
    'no-journeys': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const say = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

class ProofError extends Error {
  override name = 'ProofError';
}

async function preflight(): Promise<void> {
  if (process.getuid?.() !== 0) throw new ProofError('needs root: rootful podman with runc, and debootstrap (run it with sudo)');
  for (const tool of ['podman', 'podman-compose', 'debootstrap', 'runc']) {
    await runOk('sh', ['-c', `command -v ${tool}`]).catch(() => {
      throw new ProofError(`${tool} is not installed: apt-get install -y podman runc podman-compose debootstrap`);
    });
  }
}

async function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}

const networkInfo = z.array(
  z.object({ dns_enabled: z.boolean().optional(), subnets: z.array(z.object({ gateway: z.string().optional() })).optional() }).loose(),
);

const composeContainer = z.object({
  Names: z.array(z.string()),
  Image: z.string(),
  Labels: z.record(z.string(), z.string()).nullable(),
});

async function projectContainers(podman: Podman, project: string): Promise<Map<string, { name: string; image: string }>> {
  const out = await podman.ok(['ps', '-a', '--filter', `label=io.podman.compose.project=${project}`, '--format', 'json']);
  const rows = z.array(composeContainer).parse(JSON.parse(out || '[]'));
  return new Map(
    rows.flatMap((r) => {
      const name = r.Names[0];
      const service = r.Labels?.['com.docker.compose.service'];
      return name && service ? [[service, { name, image: r.Image }] as const] : [];
    }),
  );
}

interface Results {
  date: string;
  machine: string;
  standIns: (Built & { version: string })[];
  builds: { service: string; image: string; ms: number }[];
  starts: ServiceStart[];
  flow: FlowStep[];
  journeys: JourneyResult[];
  users: UserCheck[];
  dependencies: DependencyCheck[];
  sizes: { image: string; bytes: number; services: string[] }[];
  renderChanges: string[];
  phases: Record<string, number>;
}

async function machine(): Promise<string> {
  const cpus = (await runOk('nproc', [])).trim();
  const memory = /MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  const os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  const podmanVersion = (await runOk('podman', ['--version'])).trim();
  const composeVersion = /version\s+(\S+)/.exec(await runOk('podman-compose', ['--version']).catch(() => ''))?.[1] ?? '?';
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return `${cpus} vCPU, ${Math.round(Number(memory) / 1024 / 1024)} GiB, ${os}, ${podmanVersion}, podman-compose ${composeVersion}, runc; load average at the end ${load}`;
}

async function main(): Promise<number> {
  if (options.help) {
    say('usage: npm run compose:proof [-- --rebuild] [--keep-up] [--no-journeys]   (as root)');
    return 0;
  }
  const started = Date.now();
  await preflight();
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const podman = new Podman(stateDir, logDir);
  const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
  const file: ComposeFile = parseCompose(composeText);
  const project = file.name ?? 'jab';
  const active = activeServices(file, []);
  const results: Results = {
    date: new Date().toISOString().slice(0, 10),
    machine: '',
    standIns: [],
    builds: [],
    starts: [],
    flow: [],
    journeys: [],
    users: [],
    dependencies: [],
    sizes: [],
    renderChanges: [],
    phases: {},
  };
  let phase = 'start';
  const timePhase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    phase = name;
    say(`\n▶ ${name}`);
    const t = Date.now();
    try {
      return await fn();
    } finally {
      results.phases[name] = Date.now() - t;
    }
  };

  const alb = file.services['alb'];
  const albAddress = alb && publishedAddress(alb, 8080);
  if (!albAddress) throw new ProofError('docker-compose.yml publishes no ALB port 8080');
  const composeArgs = (...args: string[]) => ['-p', project, '-f', join(stateDir, 'docker-compose.podman.yml'), ...args];
  const down = async () => {
    await podman.nice('podman-compose', composeArgs('down', '-v'), { logFile: join(logDir, 'podman-compose-down.log') }).catch(() => undefined);
    // podman-compose 1.0.3 leaves the network behind, and volumes it did not label.
    await podman.run(['network', 'rm', '-f', `${project}_default`]);
    for (const volume of Object.keys((file as { volumes?: Record<string, unknown> }).volumes ?? {})) {
      await podman.run(['volume', 'rm', '-f', `${project}_${volume}`]);
    }
  };

  let failure: unknown;
  let wentUp = false;
  const interrupted = () => {
    say('\nInterrupted: tearing down…');
    void down().finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    // 1. Stand-ins for the base images.
    const dockerfilePaths = [
      ...new Set(
        active.flatMap((name) => {
          const build = file.services[name]?.build;
          if (!build) return [];
          return typeof build === 'string' ? [join(root, build, 'Dockerfile')] : [join(root, build.context, build.dockerfile ?? 'Dockerfile')];
        }),
      ),
    ];
    const standIns: StandIn[] = baseImages(dockerfilePaths.map((p) => readFileSync(p, 'utf8')), file, active).map((given) => standInFor(parseImageRef(given)));
    await timePhase('stand-ins for the base images', async () => {
      const log = join(logDir, 'stand-ins.log');
      for (const suite of new Set(standIns.map((s) => s.suite))) {
        const built = await ensureBase(podman, suite, options.rebuild, log);
        say(`  ${built.image.padEnd(52)} ${built.outcome === 'cached' ? 'cached' : `built in ${seconds(built.ms)} (debootstrap)`}`);
      }
      for (const standIn of standIns) {
        const built = await ensureStandIn(podman, standIn, options.rebuild, log);
        const version = await standInVersion(podman, standIn);
        results.standIns.push({ ...built, version });
        say(`  ${standIn.ref.full.padEnd(52)} ${built.outcome === 'cached' ? 'cached' : `built in ${seconds(built.ms)}`}, runs ${standIn.recipe} ${version}${built.note ? ` (${built.note})` : ''}`);
        if (standIn.recipe === 'nginx' && !version.startsWith(`${standIn.version}.`)) {
          say(`    note: Debian ships nginx ${version}; every directive Jab's configs use exists in it`);
        }
      }
    });

    // 2. The compose file as podman-compose 1.0.3 can run it.
    const sources = new Map<string, string>();
    const albMount = (alb.volumes ?? []).find((v): v is string => typeof v === 'string' && v.endsWith(':/etc/nginx/nginx.conf:ro'));
    const albConf = albMount && resolve(root, albMount.slice(0, albMount.indexOf(':')));
    if (!albConf || !existsSync(albConf)) throw new ProofError('the alb service mounts no nginx.conf');
    sources.set(albConf, albConfCopy);
    const rendered = renderForPodmanCompose(file, { root, active, replaceSources: sources });
    writeFileSync(join(stateDir, 'docker-compose.podman.yml'), rendered.yaml);
    // Until the network exists its DNS address is unknown: the original config stands in.
    writeFileSync(albConfCopy, readFileSync(albConf, 'utf8'));
    results.renderChanges = rendered.changes;
    say('\n▶ podman-compose 1.0.3 gets docker-compose.yml with these changes (.jab/compose-proof/docker-compose.podman.yml):');
    for (const change of rendered.changes) say(`  - ${change}`);
    say(`  start order (waves): ${startWaves(file, active).map((w) => w.join(' ')).join(' → ')}`);

    if ((await projectContainers(podman, project)).size > 0) {
      say('  (containers of an earlier run found: taking them down first)');
      await down();
    }

    // 3. Every image the compose file builds.
    await timePhase('images from docker/ (podman-compose build)', async () => {
      for (const service of active.filter((s) => file.services[s]?.build)) {
        const t = Date.now();
        const image = `${project}_${service}`;
        const logFile = join(logDir, `build-${service}.log`);
        // podman-compose 1.0.3 exits 0 when `podman build` fails; it prints `exit code: N` after it.
        const result = await run('nice', ['-n', '10', 'podman-compose', ...composeArgs('build', service)], { env: podman.env, logFile });
        const output = `${result.stdout}\n${result.stderr}`;
        const buildExit = [...output.matchAll(/^exit code: (\d+)$/gm)].at(-1)?.[1];
        if (result.code !== 0 || buildExit !== '0' || !(await podman.imageExists(image))) {
          throw new ProofError(`building ${service} failed (see ${logFile}):\n${tail(output, 25)}`);
        }
        results.builds.push({ service, image, ms: Date.now() - t });
        say(`  ${service.padEnd(22)} ${seconds(Date.now() - t)}`);
      }
    });

    // 4. Up, in order, healthy.
    const containers = await timePhase('the topology up (podman-compose up --no-start, then started in depends_on order)', async () => {
      if (!(await portIsFree(albAddress.host, albAddress.port))) {
        throw new ProofError(`${albAddress.host}:${albAddress.port} is already in use; the ALB stand-in publishes it`);
      }
      wentUp = true;
      const upLog = join(logDir, 'podman-compose-up.log');
      await runOk('podman-compose', composeArgs('up', '--no-build', '--no-start'), { env: podman.env, logFile: upLog });
      const found = await projectContainers(podman, project);
      const missing = active.filter((s) => !found.has(s));
      if (missing.length > 0) {
        throw new ProofError(`podman-compose created no container for ${missing.join(', ')}; see ${upLog}:\n${readFileSync(upLog, 'utf8').split('\n').filter((l) => /error/i.test(l)).slice(-10).join('\n')}`);
      }
      const [network] = networkInfo.parse(JSON.parse(await podman.ok(['network', 'inspect', `${project}_default`])));
      const dns = network?.subnets?.[0]?.gateway;
      if (!dns || network?.dns_enabled === false) throw new ProofError(`the ${project}_default network has no DNS server`);
      writeFileSync(albConfCopy, resolverSwapped(readFileSync(albConf, 'utf8'), DOCKER_DNS, dns));
      say(`  ALB stand-in resolves through podman's DNS at ${dns} instead of Docker's ${DOCKER_DNS}`);
      const containerOf = (service: string) => {
        const container = found.get(service);
        if (!container) throw new ProofError(`no container for ${service}`);
        return container;
      };
      results.starts = await startTopology(podman, file, active, (s) => containerOf(s).name, say);
      return containerOf;
    });

    // 5. The skeleton flow through the one published port.
    const base = `http://${albAddress.host}:${albAddress.port}`;
    const sinkDir = String((file.services['notifications-worker']?.environment as Record<string, string> | undefined)?.['NOTIFY_SINK_DIR'] ?? '/var/lib/jab/sink');
    results.flow = await timePhase(`the skeleton flow through ${base}`, () =>
      skeletonFlow({
        podman,
        base,
        registrationApi: containers('registration-api').name,
        notifications: containers('notifications-worker').name,
        sinkDir,
        log: say,
      }),
    );

    // 5b. The browser journeys through the same port.
    if (!options['no-journeys']) {
      const worker = file.services['notifications-worker'];
      const sinkVolume = worker && namedVolumeAt(worker, sinkDir);
      if (!sinkVolume) throw new ProofError(`notifications-worker mounts no named volume at ${sinkDir}, where the journeys read codes`);
      results.journeys = await timePhase(`the Playwright journeys in Chromium through ${base}`, () =>
        runJourneys({
          podman,
          root,
          base,
          registrationApi: containers('registration-api').name,
          sinkVolume: `${project}_${sinkVolume}`,
          log: say,
        }),
      );
      const failed = results.journeys.filter((j) => !j.ok);
      if (failed.length > 0) throw new ProofError(`journeys failed through the ALB:\n${failed.map((j) => `  ${j.title}`).join('\n')}`);
    }

    // 6. Users, dependencies, sizes.
    await timePhase('non-root containers, production-only images, sizes', async () => {
      const problems: string[] = [];
      for (const start of results.starts) {
        if (start.readiness === 'completed') {
          say(`  ${start.service.padEnd(22)} one-shot, exited 0 (writes the keys as root and hands them to uid 1000)`);
          continue;
        }
        const check = await checkUsers(podman, start.service, start.container);
        results.users.push(check);
        say(`  ${start.service.padEnd(22)} processes run as ${check.users.join(', ')}; exec as uid ${check.execUid}${check.problem ? `  ✘ ${check.problem}` : ''}`);
        if (check.problem) problems.push(`${start.service} ${check.problem}`);
      }
      const images = new Map<string, { image: string; bytes: number; services: string[] }>();
      for (const service of active) {
        const container = containers(service);
        const info = await podman.image(container.image);
        const entry = images.get(info.id) ?? { image: container.image, bytes: info.size, services: [] };
        entry.services.push(service);
        images.set(info.id, entry);
      }
      results.sizes = [...images.values()];
      for (const entry of results.sizes) {
        const built = entry.services.some((s) => file.services[s]?.build);
        if (!built) continue;
        if (entry.services.includes('web')) {
          const problem = await checkWebImage(podman, entry.image);
          say(`  ${entry.image.padEnd(40)} static files only${problem ? `  ✘ ${problem}` : ''}`);
          if (problem) problems.push(`${entry.image}: ${problem}`);
          continue;
        }
        const check = await checkProductionDependencies(podman, entry.image);
        results.dependencies.push(check);
        const skipped = check.devDeclared.length ? ` (declared, not installed: ${check.devDeclared.join(', ')})` : '';
        say(`  ${entry.image.padEnd(40)} ${check.installed} production packages${check.problem ? `  ✘ ${check.problem}` : `, no development ones${skipped}`}`);
        if (check.problem) problems.push(`${entry.image}: ${check.problem}`);
      }
      if (problems.length > 0) throw new ProofError(problems.join('\n'));
    });
  } catch (error) {
    failure = error;
  } finally {
    if (wentUp && !options['keep-up']) {
      say('\n▶ tear down (podman-compose down -v)');
      await down();
    }
  }

  results.machine = await machine();
  results.phases['total'] = Date.now() - started;
  writeFileSync(join(stateDir, 'last-run.json'), `${JSON.stringify({ ...results, failed: failure ? String(failure) : undefined }, null, 2)}\n`);
  printSummary(results);
  if (failure) {
    say(`\ncompose-proof FAILED during “${phase}”:\n${failure instanceof Error ? failure.message : String(failure)}`);
    say(`Logs: ${logDir}`);
    return 1;
  }
  say(`\ncompose-proof passed in ${seconds(Date.now() - started)}${options['keep-up'] ? `; the topology is still up on http://${albAddress.host}:${albAddress.port}/` : ''}.`);
  return 0;
}

function printSummary(r: Results): void {
  say('\n── summary ───────────────────────────────────────────');
  say(`${r.date}, ${r.machine}`);
  if (r.sizes.length > 0) {
    say('\nimage sizes:');
    for (const s of [...r.sizes].sort((a, b) => b.bytes - a.bytes)) say(`  ${megabytes(s.bytes).padStart(7)}  ${s.image.padEnd(40)} ${s.services.join(', ')}`);
  }
  if (r.builds.length > 0) {
    say('\nimage builds:');
    for (const b of r.builds) say(`  ${seconds(b.ms).padStart(8)}  ${b.service}`);
  }
  if (r.starts.length > 0) {
    say('\nstart-up (from `podman start` to ready; t = since the first container started):');
    for (const s of [...r.starts].sort((a, b) => a.readyAt - b.readyAt)) {
      say(`  ${s.service.padEnd(22)} ${s.readiness.padEnd(9)} in ${seconds(s.readyAt - s.startedAt).padStart(7)}   t = ${seconds(s.readyAt)}`);
    }
  }
  if (r.flow.length > 0) {
    say('\nskeleton flow:');
    for (const f of r.flow) say(`  ${seconds(f.ms).padStart(8)}  ${f.name}`);
  }
  if (r.journeys.length > 0) {
    say(`\nPlaywright journeys through the ALB (${r.journeys.filter((j) => j.ok).length} of ${r.journeys.length} passed):`);
    for (const j of r.journeys) say(`  ${seconds(j.ms).padStart(8)}  ${j.ok ? '✔' : '✘'} ${j.title}`);
  }
  say('\nphases:');
  for (const [name, ms] of Object.entries(r.phases)) say(`  ${seconds(ms).padStart(8)}  ${name}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`compose-proof FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
