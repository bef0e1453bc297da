import { describe, expect, it } from 'vitest';
import { workflowProblems } from './checks.js';
import { readRepoFile, replaceOnce } from './repo.js';

const workflow = readRepoFile('.github/workflows/ci.yml');

describe('.github/workflows/ci.yml', () => {
  it('checks affected projects on pull requests and pushes images from main with OIDC only', () => {
    expect(workflowProblems(workflow)).toEqual([]);
  });

  it.each([
    ['write permissions for every job', /^permissions:\n {2}contents: read/m, 'permissions:\n  contents: write', /top-level permissions/],
    ['images pushed from any branch', "if: github.event_name == 'push' && github.ref == 'refs/heads/main'", "if: github.event_name == 'push'", /other than main/],
    ['an OIDC token for the checks', '      actions: read\n    # Debian', '      actions: read\n      id-token: write\n    # Debian', /check: asks for an OIDC token/],
    ['stored AWS keys', /role-to-assume: .+/, 'aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}', /not role-based/],
    ['no affected checks', 'npx nx affected -t lint typecheck test build', 'npx nx run-many -t test', /nx affected/],
  ] as [string, string | RegExp, string, RegExp][])('reports %s', (_, from, to, reported) => {
    expect(workflowProblems(replaceOnce(workflow, from, to)).join('\n')).toMatch(reported);
  });
});
