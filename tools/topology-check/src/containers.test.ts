import { describe, expect, it } from 'vitest';
import { NODE_DOCKERFILE, WEB_DOCKERFILE, nodeDockerfileProblems, webDockerfileProblems, webNginxProblems } from './checks.js';
import { readRepoFile, replaceOnce } from './repo.js';

const nodeDockerfile = readRepoFile(NODE_DOCKERFILE);
const webDockerfile = readRepoFile(WEB_DOCKERFILE);
const webNginx = readRepoFile('docker/web/nginx.conf');

describe(NODE_DOCKERFILE, () => {
  it('builds with nx prune and runs production deps as a non-root user with a health check', () => {
    expect(nodeDockerfileProblems(nodeDockerfile)).toEqual([]);
  });

  const drifts: [string, string | RegExp, string, RegExp][] = [
    ['running as root', 'USER node', 'USER root', /runs as root/],
    ['no USER', /\nUSER node\n/, '\n', /runs as root/],
    ['dev dependencies installed', /npm ci --omit=dev/, 'npm ci', /--omit=dev/],
    ['no HEALTHCHECK', /HEALTHCHECK[^\n]*\\\n[^\n]*\n/, '', /HEALTHCHECK/],
    ['a health check on another path', "'/health/live'", "'/healthz'", /HEALTHCHECK/],
    ['another base image', /FROM node:20-bookworm-slim AS runtime/, 'FROM node:22 AS runtime', /node:22/],
    ['another start command', 'CMD ["node", "main.js"]', 'CMD ["npm", "start"]', /CMD/],
    ['no prune', 'nx run "${APP}:prune"', 'nx run "${APP}:build"', /prune/],
  ];
  it.each(drifts)('reports %s', (_, from, to, reported) => {
    expect(nodeDockerfileProblems(replaceOnce(nodeDockerfile, from, to)).join('\n')).toMatch(reported);
  });
});

describe(WEB_DOCKERFILE, () => {
  it('serves with nginx as a non-root user on the web port, with a health check', () => {
    expect(webDockerfileProblems(webDockerfile)).toEqual([]);
  });

  it.each([
    ['running as root', /\nUSER nginx\n/, '\n', /runs as root/],
    ['another port', 'EXPOSE 4200', 'EXPOSE 80', /expose 4200/],
  ] as [string, string | RegExp, string, RegExp][])('reports %s', (_, from, to, reported) => {
    expect(webDockerfileProblems(replaceOnce(webDockerfile, from, to)).join('\n')).toMatch(reported);
  });
});

describe('docker/web/nginx.conf', () => {
  it('listens on the web port, falls back to index.html and caches hashed assets', () => {
    expect(webNginxProblems(webNginx)).toEqual([]);
  });

  it.each([
    ['no SPA fallback', 'try_files $uri $uri/ /index.html;', 'try_files $uri $uri/ =404;', /index.html/],
    ['short-lived asset caching', 'max-age=31536000', 'max-age=60', /cached for a year/],
    ['another port', 'listen 4200;', 'listen 80;', /no server listens on 4200/],
  ] as [string, string | RegExp, string, RegExp][])('reports %s', (_, from, to, reported) => {
    expect(webNginxProblems(replaceOnce(webNginx, from, to)).join('\n')).toMatch(reported);
  });
});
