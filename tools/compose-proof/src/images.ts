/**
 * Image references and the stand-in recipes for the official base images Jab names.
 * Pure: which recipe, which Debian suite and which build arguments for a reference.
 */

export interface ImageRef {
  /** As written: `node:20-bookworm-slim`. */
  given: string;
  /** Docker Hub's full name, what `docker pull` and podman's short-name lookup resolve to. */
  full: string;
  repository: string;
  tag: string;
}

/** `node:20-bookworm-slim` → docker.io/library/node:20-bookworm-slim. */
export function parseImageRef(given: string): ImageRef {
  const at = given.lastIndexOf(':');
  const hasTag = at > given.lastIndexOf('/');
  const name = hasTag ? given.slice(0, at) : given;
  const tag = hasTag ? given.slice(at + 1) : 'latest';
  const parts = name.split('/');
  const hasRegistry = parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '');
  const path = hasRegistry ? parts.slice(1).join('/') : parts.length === 1 ? `library/${name}` : name;
  const registry = hasRegistry ? parts[0] : 'docker.io';
  return { given, full: `${registry}/${path}:${tag}`, repository: path.replace(/^library\//, ''), tag };
}

export type Recipe = 'node' | 'postgres' | 'redis' | 'nginx';

export const DEBIAN_SUITES = ['bullseye', 'bookworm', 'trixie'] as const;
export type DebianSuite = (typeof DEBIAN_SUITES)[number];

export interface StandIn {
  ref: ImageRef;
  recipe: Recipe;
  suite: DebianSuite;
  /** The version the tag asks for: `20`, `15`, `7`, `1.27`. */
  version: string;
}

/** How to stand in for an image, or why it cannot be done here. */
export function standInFor(ref: ImageRef): StandIn {
  const recipe = (['node', 'postgres', 'redis', 'nginx'] as const).find((r) => r === ref.repository);
  if (!recipe || !ref.full.startsWith('docker.io/library/')) {
    throw new Error(`no stand-in recipe for ${ref.given}: only the official node, postgres, redis and nginx images can be built here`);
  }
  const suite = DEBIAN_SUITES.find((s) => ref.tag.split('-').includes(s));
  if (!suite) throw new Error(`${ref.given}: the tag names no Debian suite (${DEBIAN_SUITES.join(', ')}), so there is nothing to build it from`);
  const version = ref.tag.split('-')[0] ?? '';
  if (!/^\d+(\.\d+)*$/.test(version)) throw new Error(`${ref.given}: the tag names no version`);
  return { ref, recipe, suite, version };
}

/** The imported debootstrap root every stand-in of a suite starts from. */
export function baseImageName(suite: DebianSuite): string {
  return `localhost/jab-compose-proof/debian:${suite}-slim`;
}

/** Label on every image this tool builds, so they are told apart from pulled ones. */
export const STAND_IN_LABEL = 'org.jab.compose-proof.stand-in';

/** Build arguments of a recipe's Containerfile. */
export function buildArgsFor(standIn: StandIn, hostNodeVersion: string): Record<string, string> {
  const base = baseImageName(standIn.suite);
  const major = standIn.version.split('.')[0] ?? standIn.version;
  switch (standIn.recipe) {
    case 'node':
      if (hostNodeVersion.split('.')[0] !== major) {
        throw new Error(
          `${standIn.ref.given} needs Node ${standIn.version}; the stand-in is made from this machine's Node, which is ${hostNodeVersion}`,
        );
      }
      return { BASE: base, NODE_VERSION: hostNodeVersion };
    case 'postgres':
      return { BASE: base, PG_MAJOR: major };
    case 'redis':
      return { BASE: base, REDIS_MAJOR: major };
    case 'nginx':
      return { BASE: base };
  }
}
