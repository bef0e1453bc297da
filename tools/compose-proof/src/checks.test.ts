import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProductionReport, PRODUCTION_ONLY, productionProblems } from './checks.js';

/** An /app directory as node.Dockerfile leaves it: pruned manifests and what npm ci installed. */
function app(installed: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'jab-proof-app-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { pg: '^8.0.0' }, devDependencies: { vitest: '~4.1.0' } }));
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ packages: { '': {}, 'node_modules/pg': { version: '8.0.0' }, 'node_modules/vitest': { version: '4.1.0', dev: true } } }),
  );
  for (const name of installed) mkdirSync(join(dir, 'node_modules', name), { recursive: true });
  return dir;
}

const inspect = (dir: string) => parseProductionReport(execFileSync(process.execPath, ['-e', PRODUCTION_ONLY, dir], { encoding: 'utf8' }));

describe('the production-dependencies check run inside each service image', () => {
  it('passes an image holding its production dependencies only', () => {
    const report = inspect(app(['pg']));
    expect(productionProblems(report)).toEqual([]);
    expect(report).toMatchObject({ installed: 1, devDeclared: ['vitest'] });
  });

  it('fails an image where a development package or a build tool was installed', () => {
    expect(productionProblems(inspect(app(['pg', 'vitest'])))).toEqual([
      'development packages installed: node_modules/vitest',
      'build or test tools installed: vitest',
    ]);
    expect(productionProblems(inspect(app(['pg', '@nx/js'])))).toEqual(['build or test tools installed: @nx']);
  });

  it('fails an image missing a production dependency', () => {
    expect(productionProblems(inspect(app([])))).toEqual(['declared dependencies missing: pg']);
  });
});
