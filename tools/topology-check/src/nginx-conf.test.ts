import { describe, expect, it } from 'vitest';
import { effectiveProxyHeaders, locationsOf, parseNginxConf, selectLocation, type Directive } from './nginx-conf.js';

describe('parseNginxConf', () => {
  it('reads directives, blocks, comments, quoted strings and ${var}', () => {
    const conf = parseNginxConf(`
      # a comment { ; }
      worker_processes auto;
      http {
        log_format main '{"a":"$x"}' "b;c";
        server { listen 8080; location = /x { return 200 "ok\\n"; } set \${v} 1; }
      }
    `);
    expect(conf.map((d) => d.name)).toEqual(['worker_processes', 'http']);
    const http = conf[1]?.block ?? [];
    expect(http[0]).toMatchObject({ name: 'log_format', args: ['main', '{"a":"$x"}', 'b;c'], line: 5 });
    const server = http[1]?.block ?? [];
    expect(server.map((d) => [d.name, d.args])).toEqual([
      ['listen', ['8080']],
      ['location', ['=', '/x']],
      ['set', ['${v}', '1']],
    ]);
    expect(server[1]?.block?.[0]?.args).toEqual(['200', 'ok\n']);
  });

  it('refuses unbalanced braces and unterminated directives', () => {
    expect(() => parseNginxConf('http { server { }')).toThrow(/missing "}"/);
    expect(() => parseNginxConf('http { } }')).toThrow(/unexpected "}"/);
    expect(() => parseNginxConf('listen 80')).toThrow(/not terminated/);
  });
});

describe('selectLocation', () => {
  const [server] = parseNginxConf(`server {
    location / { return 1; }
    location /api/ { return 2; }
    location = /api { return 3; }
    location ^~ /static/ { return 4; }
    location ~ \\.php$ { return 5; }
    location /images/ { return 6; }
  }`);
  const pick = (path: string) => selectLocation(locationsOf(server ?? { name: '', args: [], line: 0 }), path)?.body[0]?.args[0];

  it('follows nginx: exact, then ^~ prefix, then regex, then the longest prefix', () => {
    expect(pick('/api')).toBe('3');
    expect(pick('/api/x')).toBe('2');
    expect(pick('/apix')).toBe('1');
    expect(pick('/static/a.php')).toBe('4');
    expect(pick('/images/a.php')).toBe('5');
    expect(pick('/images/a.png')).toBe('6');
  });
});

describe('effectiveProxyHeaders', () => {
  it('inherits proxy_set_header only into levels that define none', () => {
    const [http] = parseNginxConf(`http {
      proxy_set_header X-Request-Id $id;
      server { location /a { } location /b { proxy_set_header Host $host; } }
    }`);
    const server = http?.block?.[1];
    const [a, b] = server ? locationsOf(server) : [];
    const levels = (body: Directive[]) => [http?.block ?? [], server?.block ?? [], body];
    expect([...effectiveProxyHeaders(levels(a?.body ?? [])).keys()]).toEqual(['x-request-id']);
    expect([...effectiveProxyHeaders(levels(b?.body ?? [])).keys()]).toEqual(['host']);
  });
});
