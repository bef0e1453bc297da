import { baseConfigSchema } from '@jab/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const list = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
  .pipe(z.array(z.string()).min(1, 'must list at least one id'));

export const analyticsConfig = baseConfigSchema
  .extend({
    JWKS_URL: z.url(),
    /** Dashboard entries also expire on their own: no-shows change with the clock, not only with events. */
    DASHBOARD_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** Where report tasks run: a child process of the API (`local`) or a Fargate task (`ecs`). */
    REPORT_RUNNER: z.enum(['local', 'ecs']).default('local'),
    /** Where report files go: a folder (`local`, served by the API) or S3 (`s3`, presigned links). */
    REPORT_STORE: z.enum(['local', 's3']).default('local'),
    REPORT_DIR: z.string().default(join(tmpdir(), 'jab-reports')),
    REPORT_BUCKET: z.string().min(3).optional(),
    REPORT_URL_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
    /** A report task that has not stopped by then is given up (and killed when local). */
    REPORT_TIMEOUT_MS: z.coerce.number().int().positive().default(3_600_000),
    AWS_REGION: z.string().optional(),
    ECS_CLUSTER: z.string().optional(),
    ECS_TASK_DEFINITION: z.string().optional(),
    /** Name of the container in the task definition whose command is overridden. */
    ECS_CONTAINER_NAME: z.string().default('analytics'),
    ECS_SUBNETS: list.optional(),
    ECS_SECURITY_GROUPS: list.optional(),
  })
  .superRefine((c, ctx) => {
    const need = (key: keyof typeof c, when: string) => {
      if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `is required when ${when}` });
    };
    if (c.REPORT_RUNNER === 'ecs') {
      for (const key of ['ECS_CLUSTER', 'ECS_TASK_DEFINITION', 'ECS_SUBNETS', 'ECS_SECURITY_GROUPS'] as const) need(key, 'REPORT_RUNNER=ecs');
    }
    if (c.REPORT_STORE === 's3') need('REPORT_BUCKET', 'REPORT_STORE=s3');
  });
export type AnalyticsConfig = z.infer<typeof analyticsConfig>;
