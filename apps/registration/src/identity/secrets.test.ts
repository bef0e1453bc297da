import { ConfigError, loadConfig } from '@jab/config';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registrationConfig } from '../config.js';
import { identitySecrets } from './secrets.js';

const base = { PORT: '0', DATABASE_URL: 'postgres://localhost/jab', REDIS_URL: 'redis://localhost:6379' };
const key = () => randomBytes(32).toString('base64url');
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(registrationConfig, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('identity settings', () => {
  it('are all required in production, each named', () => {
    expect(problemsOf({ ...base, NODE_ENV: 'production' })).toEqual([
      'JWT_PRIVATE_JWK: is required in production',
      'OTP_SEALING_KEY: is required in production',
      'OTP_HASH_KEY: is required in production',
      'NATIONAL_ID_HASH_KEY: is required in production',
      'NATIONAL_ID_ENC_KEY: is required in production',
    ]);
  });

  it('refuse a key that is not 32 bytes of base64url', () => {
    expect(problemsOf({ ...base, OTP_SEALING_KEY: randomBytes(16).toString('base64url'), OTP_HASH_KEY: 'not base64!' })).toEqual([
      'OTP_SEALING_KEY: must be 32 random bytes in base64url',
      'OTP_HASH_KEY: must be base64url',
    ]);
  });

  it('decode given keys and generate missing ones outside production, with a warning naming the setting only', () => {
    const sealing = key();
    const config = loadConfig(registrationConfig, { ...base, OTP_SEALING_KEY: sealing });
    const warnings: unknown[] = [];
    const secrets = identitySecrets(config, { warn: (obj: unknown) => void warnings.push(obj) });
    expect(Buffer.from(secrets.otpSealingKey).toString('base64url')).toBe(sealing);
    expect(secrets.nationalIdEncKey).toHaveLength(32);
    expect(warnings).toEqual([{ setting: 'OTP_HASH_KEY' }, { setting: 'NATIONAL_ID_HASH_KEY' }, { setting: 'NATIONAL_ID_ENC_KEY' }]);
  });
});
