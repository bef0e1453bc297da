/** What must hold of the running containers and of the images that ship. */
import { z } from 'zod';
import type { Podman } from './podman.js';

export interface UserCheck {
  service: string;
  /** Every distinct user the container's processes run as. */
  users: string[];
  /** `id -u` of a command `podman exec` runs (the container's configured user). */
  execUid: string;
  problem?: string;
}

/** Every process of a running container must run as a user other than root. */
export async function checkUsers(podman: Podman, service: string, container: string): Promise<UserCheck> {
  const processes = await podman.processes(container);
  const users = [...new Set(processes.map((p) => p.user))];
  const exec = await podman.exec(container, ['id', '-u'], { timeoutMs: 10_000 });
  const execUid = exec.code === 0 ? exec.stdout.trim() : `exit ${exec.code}`;
  const root = processes.filter((p) => p.user === 'root' || p.user === '0');
  const problem = root.length > 0 ? `runs as root: ${root.map((p) => p.command).join('; ')}` : processes.length === 0 ? 'no processes' : undefined;
  return { service, users, execUid, problem };
}

/**
 * Run inside a service image: the pruned lockfile's development packages must not be
 * installed, no build or test tool may be, and every declared dependency must be. (The
 * pruned package.json still lists the app's devDependencies; `npm ci --omit=dev` skips them.)
 */
export const PRODUCTION_ONLY = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const app = process.argv[1] || '/app';
const present = (p) => fs.existsSync(path.join(app, p));
const lock = JSON.parse(fs.readFileSync(path.join(app, 'package-lock.json'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
const dev = Object.entries(lock.packages || {}).filter(([p, m]) => p && m.dev && present(p)).map(([p]) => p);
const tools = ['vitest', 'typescript', 'nx', '@nx', 'eslint', 'vite', 'tsx', 'esbuild', '@swc', 'prettier', '@playwright', '@vitest', '@types', 'typescript-eslint']
  .filter((n) => present('node_modules/' + n));
const missing = Object.keys(pkg.dependencies || {}).filter((d) => !present('node_modules/' + d));
const installed = (present('node_modules') ? fs.readdirSync(path.join(app, 'node_modules')) : []).filter((n) => !n.startsWith('.'))
  .flatMap((n) => (n.startsWith('@') ? fs.readdirSync(path.join(app, 'node_modules', n)).map((m) => n + '/' + m) : [n]));
console.log(JSON.stringify({ dev, tools, missing, devDeclared: Object.keys(pkg.devDependencies || {}), installed: installed.length }));
`;

const productionReport = z.object({
  dev: z.array(z.string()),
  tools: z.array(z.string()),
  missing: z.array(z.string()),
  devDeclared: z.array(z.string()),
  installed: z.number(),
});

export interface DependencyCheck {
  image: string;
  installed: number;
  /** devDependencies the pruned package.json lists (not installed). */
  devDeclared: string[];
  problem?: string;
}

export type ProductionReport = z.infer<typeof productionReport>;

export function parseProductionReport(out: string): ProductionReport {
  return productionReport.parse(JSON.parse(out));
}

/** What is wrong with an image's dependencies, in words; empty when it holds production ones only. */
export function productionProblems(report: ProductionReport): string[] {
  return [
    report.dev.length ? `development packages installed: ${report.dev.slice(0, 10).join(', ')}` : '',
    report.tools.length ? `build or test tools installed: ${report.tools.join(', ')}` : '',
    report.missing.length ? `declared dependencies missing: ${report.missing.join(', ')}` : '',
  ].filter(Boolean);
}

export async function checkProductionDependencies(podman: Podman, image: string): Promise<DependencyCheck> {
  const out = await podman.ok(['run', '--rm', '--network', 'none', '--entrypoint', 'node', image, '-e', PRODUCTION_ONLY, '/app']);
  const report = parseProductionReport(out);
  const problems = productionProblems(report);
  return { image, installed: report.installed, devDeclared: report.devDeclared, problem: problems.length ? problems.join('; ') : undefined };
}

/** The web image serves built files only: no Node, no node_modules, an index.html. */
export async function checkWebImage(podman: Podman, image: string): Promise<string | undefined> {
  const script = [
    'test -f /usr/share/nginx/html/index.html || { echo "no index.html"; exit 1; }',
    'test ! -e /usr/share/nginx/html/node_modules || { echo "node_modules in the web root"; exit 1; }',
    '! command -v node >/dev/null || { echo "node is installed"; exit 1; }',
    'ls /usr/share/nginx/html/assets/*.js >/dev/null 2>&1 || { echo "no built scripts"; exit 1; }',
  ].join('\n');
  const result = await podman.run(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', script]);
  return result.code === 0 ? undefined : (result.stdout + result.stderr).trim();
}
