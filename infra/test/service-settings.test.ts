import { Template } from 'aws-cdk-lib/assertions';
import { serviceList } from '@jab/topology';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJab } from '../src/app.js';
import { prod } from '../src/config/index.js';
import { testApp } from './app-context.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');

/** Plausible values for what CloudFormation resolves at deploy time (tokens) and Secrets Manager holds. */
const resolved: Record<string, string> = {
  DATABASE_URL: 'postgres://jab.cluster.example:5432/jab?sslmode=no-verify',
  DATABASE_READ_URL: 'postgres://jab.cluster-ro.example:5432/jab?sslmode=no-verify',
  OPENSEARCH_URL: 'https://search.example',
  SES_EVENTS_TOPIC_ARN: 'arn:aws:sns:eu-central-1:111111111111:jab-prod-EmailEvents',
  REPORT_BUCKET: 'jab-prod-reports',
  ECS_CLUSTER: 'jab-prod',
  ECS_SUBNETS: 'subnet-0a,subnet-0b,subnet-0c',
  ECS_SECURITY_GROUPS: 'sg-0a',
  PGUSER: 'jab_app',
  PGPASSWORD: 'x'.repeat(40),
  REDIS_URL: 'rediss://:token@redis.example:6379',
  SMTP_URL: 'smtps://user:pass@email-smtp.eu-central-1.amazonaws.com:465',
  JWT_PRIVATE_JWK: JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })),
};
// Secrets Manager generates 43 alphanumerics for each symmetric key.
const generatedKey = () => randomBytes(64).toString('base64url').replace(/[-_]/g, 'A').slice(0, 43);

interface ContainerDefinition {
  Environment: { Name: string; Value: unknown }[];
  Secrets?: { Name: string }[];
}

let settings: { family: string; service: string; env: Record<string, string> }[];
let outdir: string;

beforeAll(() => {
  const made = testApp();
  outdir = made.outdir;
  const template = Template.fromStack(buildJab(made.app, [prod]).prod.services);
  settings = Object.values(template.findResources('AWS::ECS::TaskDefinition')).map((task) => {
    const family = task['Properties'].Family as string;
    const [container] = task['Properties'].ContainerDefinitions as ContainerDefinition[];
    const env: Record<string, string> = {};
    for (const { Name, Value } of container!.Environment) env[Name] = typeof Value === 'string' ? Value : (resolved[Name] ?? `unresolved token for ${Name}`);
    for (const { Name } of container!.Secrets ?? []) env[Name] = resolved[Name] ?? (Name.endsWith('_KEY') ? generatedKey() : `no placeholder for secret ${Name}`);
    return { family, service: family.replace(/^jab-prod-/, '').replace(/-(api|worker)$/, ''), env };
  });
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The service's own config validation (`main.ts check-config`), on exactly these settings. */
async function checkConfig(service: string, env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--conditions=@jab/source', '--import', 'tsx', `apps/${service}/src/main.ts`, 'check-config'], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      timeout: 60_000,
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

describe('production task definitions', () => {
  it('give every service and role settings its own config accepts (no missing or malformed key or setting)', async () => {
    expect(settings.map((s) => s.family).sort()).toEqual(
      serviceList().flatMap((s) => [`jab-prod-${s.name}-api`, ...(s.worker ? [`jab-prod-${s.name}-worker`] : [])]).sort(),
    );
    for (const { family, service, env } of settings) {
      const { ok, output } = await checkConfig(service, env);
      expect(ok, `${family}: ${output}`).toBe(true);
    }
  }, 180_000);

  it('send real messages and store reports in S3 through one-off tasks, never local sinks or folders', () => {
    for (const { family, env } of settings.filter((s) => s.service === 'notifications')) {
      expect(env, family).toMatchObject({ NOTIFY_EMAIL_TRANSPORT: 'smtp', NOTIFY_SMS_TRANSPORT: 'sns', SES_CONFIGURATION_SET: 'jab-prod' });
      expect(env, family).not.toHaveProperty('NOTIFY_SINK_DIR');
    }
    for (const { family, env } of settings.filter((s) => s.service === 'analytics')) {
      expect(env, family).toMatchObject({ REPORT_STORE: 's3', REPORT_RUNNER: 'ecs', ECS_TASK_DEFINITION: 'jab-prod-analytics-worker', ECS_CONTAINER_NAME: 'analytics' });
    }
  });

  it('are checked for real: a missing key fails the check (control)', async () => {
    const registration = settings.find((s) => s.family === 'jab-prod-registration-api')!;
    const { OTP_HASH_KEY: _dropped, ...env } = registration.env;
    const { ok, output } = await checkConfig('registration', env);
    expect(ok).toBe(false);
    expect(output).toContain('OTP_HASH_KEY: is required in production');
  }, 60_000);
});
