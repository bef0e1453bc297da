import { ConfigError, loadConfig } from '@jab/config';
import { describe, expect, it } from 'vitest';
import { searchService } from './service.js';

const base = {
  PORT: '0',
  DATABASE_URL: 'postgres://localhost/jab',
  REDIS_URL: 'redis://localhost:6379',
  JWKS_URL: 'https://jab.example/api/registration/v1/.well-known/jwks.json',
  REGISTRATION_URL: 'https://jab.example/api/registration/v1',
};
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(searchService.config, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('search engine settings', () => {
  it('default to the PostgreSQL engine and unsigned OpenSearch requests', () => {
    expect(loadConfig(searchService.config, base)).toMatchObject({
      SEARCH_ENGINE: 'postgres',
      OPENSEARCH_AUTH: 'none',
    });
    expect(loadConfig(searchService.config, base)).not.toHaveProperty(
      'AWS_REGION',
    );
  });

  it('accept OpenSearch with AWS SigV4 signing in a region, as the AWS task definitions set it', () => {
    expect(
      loadConfig(searchService.config, {
        ...base,
        SEARCH_ENGINE: 'opensearch',
        OPENSEARCH_URL: 'https://search.example',
        OPENSEARCH_AUTH: 'aws-sigv4',
        AWS_REGION: 'eu-central-1',
      }),
    ).toMatchObject({
      SEARCH_ENGINE: 'opensearch',
      OPENSEARCH_AUTH: 'aws-sigv4',
      AWS_REGION: 'eu-central-1',
    });
  });

  it('refuse aws-sigv4 without AWS_REGION, a malformed region and an unknown auth, each named', () => {
    const opensearch = {
      ...base,
      SEARCH_ENGINE: 'opensearch',
      OPENSEARCH_URL: 'https://search.example',
    };
    expect(problemsOf({ ...opensearch, OPENSEARCH_AUTH: 'aws-sigv4' })).toEqual(
      ['AWS_REGION: is required when OPENSEARCH_AUTH is aws-sigv4'],
    );
    expect(
      problemsOf({
        ...opensearch,
        OPENSEARCH_AUTH: 'aws-sigv4',
        AWS_REGION: 'Frankfurt',
      }),
    ).toEqual(['AWS_REGION: must be an AWS region such as eu-west-1']);
    expect(problemsOf({ ...opensearch, OPENSEARCH_AUTH: 'basic' })).toEqual([
      expect.stringMatching(/^OPENSEARCH_AUTH: /),
    ]);
  });

  it('still refuse the OpenSearch engine without its URL', () => {
    expect(problemsOf({ ...base, SEARCH_ENGINE: 'opensearch' })).toEqual([
      'OPENSEARCH_URL: is required when SEARCH_ENGINE is opensearch',
    ]);
  });
});

describe('the cursor key', () => {
  const key = Buffer.alloc(32, 7).toString('base64url');

  it('is 32 random bytes in base64url, and optional outside production (a key is then made per process)', () => {
    expect(loadConfig(searchService.config, { ...base, SEARCH_CURSOR_KEY: key })).toMatchObject({ SEARCH_CURSOR_KEY: key });
    expect(problemsOf(base)).toEqual([]);
    expect(problemsOf({ ...base, SEARCH_CURSOR_KEY: 'c2hvcnQ' })).toEqual(['SEARCH_CURSOR_KEY: must be 32 random bytes in base64url']);
    expect(problemsOf({ ...base, SEARCH_CURSOR_KEY: 'not base64url!' })).toEqual(['SEARCH_CURSOR_KEY: must be base64url']);
  });

  it('is required in production', () => {
    expect(problemsOf({ ...base, NODE_ENV: 'production' })).toEqual(['SEARCH_CURSOR_KEY: is required in production']);
    expect(problemsOf({ ...base, NODE_ENV: 'production', SEARCH_CURSOR_KEY: key })).toEqual([]);
  });
});
