/**
 * Local stand-ins for the official base images, tagged with exactly the names the
 * Dockerfiles and docker-compose.yml use (no registry can be reached for images here).
 * Each is built once and kept; `--rebuild` makes them again.
 */
import { existsSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { run, runOk } from './exec.js';
import { baseImageName, buildArgsFor, STAND_IN_LABEL, type DebianSuite, type StandIn } from './images.js';
import type { Podman } from './podman.js';

const IMAGES_DIR = join(import.meta.dirname, '../images');
const MIRROR = process.env.JAB_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const SECURITY_MIRROR = process.env.JAB_DEBIAN_SECURITY_MIRROR ?? 'http://deb.debian.org/debian-security';

export interface Built {
  image: string;
  /** `cached` when an image of that name already existed. */
  outcome: 'built' | 'cached';
  ms: number;
  note?: string;
}

/**
 * The debootstrap minbase root, trimmed the way Debian's own `-slim` images are (no
 * documentation, manual pages or translations, apt caches cleaned after every install).
 */
const SLIM = String.raw`
set -eu
root="$1"; suite="$2"; mirror="$3"; security="$4"
rm -f "$root/etc/apt/sources.list"
mkdir -p "$root/etc/apt/sources.list.d"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
echo 'APT::Install-Recommends "false";' > "$root/etc/apt/apt.conf.d/docker-no-recommends"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/groff/* "$root"/usr/share/info/* "$root"/usr/share/linda/* \
  "$root"/usr/share/lintian/overrides/* "$root"/usr/share/locale/* "$root"/usr/share/man/* \
  "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
  "$root"/var/log/apt/* "$root"/var/log/*.log
: > "$root/etc/resolv.conf"
: > "$root/etc/hostname"
`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const value = await fn();
  return [value, Date.now() - started];
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  // /var/tmp, not /tmp: a Debian root holds device nodes and is too big for a tmpfs.
  const dir = await mkdtemp('/var/tmp/jab-compose-proof-');
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Debian base a suite's stand-ins are built from: debootstrap, trimmed, imported. */
export async function ensureBase(podman: Podman, suite: DebianSuite, rebuild: boolean, logFile: string): Promise<Built> {
  const image = baseImageName(suite);
  if (!rebuild && (await podman.imageExists(image))) return { image, outcome: 'cached', ms: 0 };
  const [, ms] = await timed(() =>
    withTempDir(async (work) => {
      const root = join(work, 'rootfs');
      await runOk('debootstrap', ['--variant=minbase', suite, root, MIRROR], { logFile });
      await runOk('sh', ['-c', SLIM, 'slim', root, suite, MIRROR, SECURITY_MIRROR], { logFile });
      const tarball = join(work, 'rootfs.tar');
      await runOk('tar', ['-C', root, '--numeric-owner', '-cf', tarball, '.'], { logFile });
      await podman.ok(
        ['import', '--change', 'CMD ["bash"]', '--change', `LABEL ${STAND_IN_LABEL}=debian-${suite}`, tarball, image],
        { logFile },
      );
    }),
  );
  return { image, outcome: 'built', ms };
}

/** The CA bundle this machine's npm trusts instead of Node's own list, if it has one. */
async function hostNpmCaFile(): Promise<string | undefined> {
  const configured = (await run('npm', ['config', 'get', 'cafile'])).stdout.trim();
  if (configured && configured !== 'null' && configured !== 'undefined' && existsSync(configured)) return configured;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  return extra && existsSync(extra) ? extra : undefined;
}

/**
 * The node stand-in's build context: this machine's Node binary and its npm (and corepack)
 * laid out under usr/local as in the official image.
 */
async function nodeContext(dir: string): Promise<string | undefined> {
  const node = realpathSync(process.execPath);
  const prefix = dirname(dirname(node));
  const modules = join(prefix, 'lib/node_modules');
  if (!existsSync(join(modules, 'npm'))) throw new Error(`npm not found next to this Node (${modules}/npm)`);
  await mkdir(join(dir, 'usr/local/bin'), { recursive: true });
  await mkdir(join(dir, 'usr/local/lib/node_modules'), { recursive: true });
  await cp(node, join(dir, 'usr/local/bin/node'));
  for (const pkg of ['npm', 'corepack']) {
    if (existsSync(join(modules, pkg))) await runOk('cp', ['-a', join(modules, pkg), join(dir, 'usr/local/lib/node_modules/')]);
  }
  const ca = await hostNpmCaFile();
  if (!ca) return undefined;
  await mkdir(join(dir, 'usr/local/etc'), { recursive: true });
  await cp(ca, join(dir, 'usr/local/etc/compose-proof-host-ca.pem'));
  await writeFile(join(dir, 'usr/local/etc/npmrc'), 'cafile=/usr/local/etc/compose-proof-host-ca.pem\n');
  return `npm trusts this machine's CA bundle (${ca})`;
}

/** Builds one stand-in from its recipe in images/<recipe>, unless an image of that name exists. */
export async function ensureStandIn(podman: Podman, standIn: StandIn, rebuild: boolean, logFile: string): Promise<Built> {
  const image = standIn.ref.full;
  if (!rebuild && (await podman.imageExists(image))) return { image, outcome: 'cached', ms: 0 };
  const args = buildArgsFor(standIn, process.versions.node);
  let note: string | undefined;
  const [, ms] = await timed(() =>
    withTempDir(async (dir) => {
      await cp(join(IMAGES_DIR, standIn.recipe), dir, { recursive: true });
      if (standIn.recipe === 'node') note = await nodeContext(dir);
      const buildArgs = Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
      await podman.nice(
        'podman',
        ['build', '--label', `${STAND_IN_LABEL}=${standIn.recipe}`, ...buildArgs, '-f', join(dir, 'Containerfile'), '-t', image, dir],
        { logFile },
      );
    }),
  );
  return { image, outcome: 'built', ms, note };
}

const VERSION_COMMANDS: Record<StandIn['recipe'], string[]> = {
  node: ['node', '--version'],
  postgres: ['postgres', '--version'],
  redis: ['redis-server', '--version'],
  nginx: ['nginx', '-v'],
};

/** What a stand-in really runs (`nginx version: nginx/1.22.1`), for the report. */
export async function standInVersion(podman: Podman, standIn: StandIn): Promise<string> {
  const [command = '', ...args] = VERSION_COMMANDS[standIn.recipe];
  const result = await podman.run(['run', '--rm', '--network', 'none', '--entrypoint', command, standIn.ref.full, ...args]);
  const text = `${result.stdout}${result.stderr}`;
  const version = /v?(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
  if (result.code !== 0 || !version) throw new Error(`${standIn.ref.given}: \`${command} ${args.join(' ')}\` failed:\n${text}`);
  return version;
}
