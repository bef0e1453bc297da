import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from './index.js';

const schema = baseConfigSchema.extend({ JWKS_URL: z.url() });
const good = {
  PORT: '3003',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/jab',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWKS_URL: 'http://127.0.0.1:3001/api/registration/v1/.well-known/jwks.json',
};

describe('loadConfig', () => {
  it('parses a complete environment and applies defaults', () => {
    const config = loadConfig(schema, good);
    expect(config.PORT).toBe(3003);
    expect(config.ROLE).toBe('all');
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(25_000);
  });

  it('lists every problem at once in one message', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'http', DATABASE_URL: 'mysql://x', ROLE: 'boss' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems).toHaveLength(5);
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(message).toContain('REDIS_URL: is required');
    expect(message).toContain('JWKS_URL: is required');
    expect(message).toContain('ROLE');
  });

  it('takes an optional DATABASE_READ_URL for reads that tolerate lag, a postgres:// URL like DATABASE_URL', () => {
    expect(loadConfig(schema, good).DATABASE_READ_URL).toBeUndefined();
    const reader = 'postgres://jab.cluster-ro.example:5432/jab?sslmode=no-verify';
    expect(loadConfig(schema, { ...good, DATABASE_READ_URL: reader }).DATABASE_READ_URL).toBe(reader);
    expect(() => loadConfig(schema, { ...good, DATABASE_READ_URL: 'mysql://x' })).toThrow(/DATABASE_READ_URL: must be a postgres:\/\/ URL/);
  });

  it('reads NAME from the file named by NAME_FILE, unless NAME is set, and reports unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jab-config-'));
    writeFileSync(join(dir, 'jwks'), 'http://registration:3001/jwks.json\n');
    const { JWKS_URL: _unset, ...rest } = good;
    expect(loadConfig(schema, { ...rest, JWKS_URL_FILE: join(dir, 'jwks') }).JWKS_URL).toBe('http://registration:3001/jwks.json');
    expect(loadConfig(schema, { ...good, JWKS_URL_FILE: join(dir, 'jwks') }).JWKS_URL).toBe(good.JWKS_URL);
    expect(() => loadConfig(schema, { ...rest, JWKS_URL_FILE: join(dir, 'missing') })).toThrow(/JWKS_URL_FILE: cannot read/);
    // Another program's *_FILE variable is none of Jab's business.
    expect(loadConfig(schema, { ...good, TF_CLI_CONFIG_FILE: join(dir, 'missing') }).JWKS_URL).toBe(good.JWKS_URL);
  });
});
