import type { Logger } from '@jab/logger';
import type { AnalyticsConfig } from '../config.js';
import { LocalReportStore, type ReportStore } from './report-store.js';
import { LocalTaskRunner, serviceEntry, type TaskRunner } from './task-runner.js';

// The AWS SDK is imported only when configured: a local report task starts faster without it.

/** REPORT_STORE=local|s3. */
export async function reportStore(config: AnalyticsConfig): Promise<ReportStore> {
  if (config.REPORT_STORE === 's3') {
    const [{ S3Client }, { S3ReportStore }] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3-report-store.js')]);
    return new S3ReportStore({
      client: new S3Client(config.AWS_REGION ? { region: config.AWS_REGION } : {}),
      bucket: config.REPORT_BUCKET!,
      urlTtlSeconds: config.REPORT_URL_TTL_SECONDS,
    });
  }
  return new LocalReportStore(config.REPORT_DIR);
}

/** The child gets the service's own settings, whichever way they reached this process. */
function settingsAsEnv(config: AnalyticsConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) env[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return env;
}

/** REPORT_RUNNER=local|ecs; `codeDir` is the folder of the service's entry (source or bundle). */
export async function taskRunner(config: AnalyticsConfig, logger: Logger, codeDir: string): Promise<TaskRunner> {
  if (config.REPORT_RUNNER === 'ecs') {
    const [{ ECSClient }, { EcsTaskRunner }] = await Promise.all([import('@aws-sdk/client-ecs'), import('./ecs-task-runner.js')]);
    return new EcsTaskRunner({
      client: new ECSClient(config.AWS_REGION ? { region: config.AWS_REGION } : {}),
      cluster: config.ECS_CLUSTER!,
      taskDefinition: config.ECS_TASK_DEFINITION!,
      containerName: config.ECS_CONTAINER_NAME,
      subnets: config.ECS_SUBNETS!,
      securityGroups: config.ECS_SECURITY_GROUPS!,
      timeoutMs: config.REPORT_TIMEOUT_MS,
      logger,
    });
  }
  return new LocalTaskRunner({
    entry: serviceEntry(codeDir),
    env: { ...process.env, ...settingsAsEnv(config), ROLE: 'worker' },
    cwd: codeDir,
    timeoutMs: config.REPORT_TIMEOUT_MS,
    logger,
  });
}
