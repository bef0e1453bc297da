import { routeFor, serviceList, web } from '@jab/topology';
import { describe, expect, it } from 'vitest';
import { ALB_CONF, albAction, albExpectations, albProblems } from './checks.js';
import { readRepoFile, replaceOnce } from './repo.js';

const conf = readRepoFile(ALB_CONF);

describe('docker/alb/nginx.conf (the local ALB stand-in)', () => {
  it('routes like the ALB and forwards the request id and X-Forwarded-* headers', () => {
    expect(albProblems(conf)).toEqual([]);
  });

  it.each(serviceList().map((s) => [s.pathPrefix, `${s.name}-api:${s.port}`]))('sends %s/* to %s', (prefix, upstream) => {
    expect(albAction(conf, `${prefix}/v1/anything?x=1`)).toEqual({ upstream });
  });

  it(`sends everything else to ${web.name}:${web.port} and never routes /metrics`, () => {
    expect(albAction(conf, '/citizen/book')).toEqual({ upstream: `${web.name}:${web.port}` });
    expect(albAction(conf, '/metrics')).toEqual({ status: 404 });
  });

  it('expects what routeFor says for every sample path', () => {
    for (const { path, expected } of albExpectations()) {
      if ('status' in expected) continue;
      const owner = routeFor(path);
      expect(expected, path).toEqual({ upstream: owner ? `${owner.name}-api:${owner.port}` : `${web.name}:${web.port}` });
    }
  });

  describe('reports drift', () => {
    const drifts: [string, string | RegExp, string, RegExp][] = [
      ['a wrong upstream port', 'set $upstream search-api:3003;', 'set $upstream search-api:3030;', /\/api\/search: proxies to search-api:3030/],
      ['a swapped upstream', /location \/api\/analytics\/ \{\n(\s+)set \$upstream analytics-api:3004;/, 'location /api/analytics/ {\n$1set $upstream notifications-api:3002;', /\/api\/analytics\/v1\/a\/b: proxies to notifications-api:3002/],
      ['a missing route', /\s+location \/api\/notifications\/ \{[^}]+\}/, '', /\/api\/notifications\/: proxies to web:4200, expected it proxies to notifications-api:3002/],
      ['/metrics routed publicly', /location \^~ \/metrics \{[^}]+\}/, '', /\/metrics: proxies to web:4200, expected it returns 404/],
      ['the request id not forwarded', /\n\s+proxy_set_header X-Request-Id [^;]+;/, '', /does not forward x-request-id/],
      ['a location dropping the inherited headers', 'proxy_pass http://$upstream;\n        }\n\n        location = /api/notifications', 'proxy_set_header Host $host;\n            proxy_pass http://$upstream;\n        }\n\n        location = /api/notifications', /location \/api\/registration\/: does not forward x-forwarded-for/],
      ['no body size limit', /client_max_body_size [^;]+;/, '', /client_max_body_size is not set/],
      ['another listen port', 'listen 8080;', 'listen 80;', /no server listens on 8080/],
      ['an unbalanced brace', 'location / {', 'location / {{', /docker\/alb\/nginx.conf: /],
    ];
    it.each(drifts)('%s', (_, from, to, reported) => {
      expect(albProblems(replaceOnce(conf, from, to)).join('\n')).toMatch(reported);
    });
  });
});
