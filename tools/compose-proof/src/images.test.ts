import { describe, expect, it } from 'vitest';
import { baseImageName, buildArgsFor, parseImageRef, standInFor } from './images.js';

describe('image references', () => {
  it('resolves short names the way docker pull and podman do', () => {
    expect(parseImageRef('node:20-bookworm-slim')).toEqual({
      given: 'node:20-bookworm-slim',
      full: 'docker.io/library/node:20-bookworm-slim',
      repository: 'node',
      tag: '20-bookworm-slim',
    });
    expect(parseImageRef('opensearchproject/opensearch:2.19.1').full).toBe('docker.io/opensearchproject/opensearch:2.19.1');
    expect(parseImageRef('localhost:5000/jab/web').full).toBe('localhost:5000/jab/web:latest');
  });
});

describe('stand-ins', () => {
  it('builds each official image Jab names from the Debian suite and version in its tag', () => {
    expect(standInFor(parseImageRef('postgres:15-bookworm'))).toMatchObject({ recipe: 'postgres', suite: 'bookworm', version: '15' });
    expect(standInFor(parseImageRef('nginx:1.27-bookworm'))).toMatchObject({ recipe: 'nginx', suite: 'bookworm', version: '1.27' });
    expect(baseImageName('bookworm')).toBe('localhost/jab-compose-proof/debian:bookworm-slim');
  });

  it('says why it cannot stand in for an image', () => {
    expect(() => standInFor(parseImageRef('opensearchproject/opensearch:2.19.1'))).toThrow(/no stand-in recipe/);
    expect(() => standInFor(parseImageRef('node:20-alpine'))).toThrow(/names no Debian suite/);
  });

  it('makes the Node stand-in from this machine\'s Node only when the major versions match', () => {
    const node = standInFor(parseImageRef('node:20-bookworm-slim'));
    expect(buildArgsFor(node, '20.20.2')).toEqual({ BASE: 'localhost/jab-compose-proof/debian:bookworm-slim', NODE_VERSION: '20.20.2' });
    expect(() => buildArgsFor(node, '22.12.0')).toThrow(/needs Node 20; .* which is 22.12.0/);
    expect(buildArgsFor(standInFor(parseImageRef('postgres:15-bookworm')), '20.20.2')).toMatchObject({ PG_MAJOR: '15' });
  });
});
