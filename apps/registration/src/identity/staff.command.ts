import type { ServiceContext } from '@jab/runtime';
import { parseArgs } from 'node:util';
import type { RegistrationConfig } from '../config.js';
import { createStaff } from './staff.service.js';

const ROLES = ['staff', 'center-admin', 'national-admin'] as const;

/**
 * `create-staff --email E --role R [--region XX-YY]`, password from
 * JAB_STAFF_PASSWORD (never an argument: arguments show up in process lists).
 * Creates the first national admin of a fresh deployment.
 */
export async function createStaffCommand(
  ctx: Omit<ServiceContext<RegistrationConfig>, 'redis' | 'registry'>,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, role: { type: 'string' }, region: { type: 'string' } },
  });
  const role = ROLES.find((r) => r === values.role);
  const password = env.JAB_STAFF_PASSWORD;
  if (!values.email || !role || !password) {
    throw new Error(`usage: create-staff --email E --role ${ROLES.join('|')} [--region XX-YY], password in JAB_STAFF_PASSWORD`);
  }
  await createStaff(ctx.pool, { email: values.email, password, role, region: values.region });
  ctx.logger.info({ role }, 'staff account ready');
}
