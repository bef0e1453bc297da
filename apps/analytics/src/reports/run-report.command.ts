import type { ServiceContext } from '@jab/runtime';
import { z } from 'zod';
import type { AnalyticsConfig } from '../config.js';
import { reportStore } from './reports.infra.js';
import { runReport } from './reports.service.js';

/** `run-report <id>`: what a report task runs, locally as a child process or as a Fargate task. */
export async function runReportCommand(ctx: Omit<ServiceContext<AnalyticsConfig>, 'redis' | 'registry' | 'onClose'>, args: string[]): Promise<void> {
  const id = z.uuid().safeParse(args[0]);
  if (!id.success) throw new Error('usage: run-report <report id>');
  await runReport({ pool: ctx.pool, readPool: ctx.readPool, store: await reportStore(ctx.config), logger: ctx.logger }, id.data);
}
