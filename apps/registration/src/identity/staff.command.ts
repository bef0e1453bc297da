import type { ServiceContext } from '@jab/runtime';
import { parseArgs } from 'node:util';
import type { RegistrationConfig } from '../config.js';
import { createStaff } from './staff.service.js';

const ROLES = ['staff', 'center-admin', 'national-admin'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USAGE = `usage: create-staff --email E --role ${ROLES.join('|')} [--region XX-YY] [--center CENTER-UUID], password in JAB_STAFF_PASSWORD (staff need --center, center admins --region or --center)`;

/**
 * `create-staff --email E --role R [--region XX-YY] [--center ID]`, password from
 * JAB_STAFF_PASSWORD (never an argument: arguments show up in process lists).
 * Creates the first national admin of a fresh deployment. A vaccinator needs a center,
 * a center admin a region (a center gives its own); see `createStaff`.
 */
export async function createStaffCommand(
  ctx: Omit<ServiceContext<RegistrationConfig>, 'redis' | 'registry' | 'onClose'>,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, role: { type: 'string' }, region: { type: 'string' }, center: { type: 'string' } },
  });
  const role = ROLES.find((r) => r === values.role);
  const password = env.JAB_STAFF_PASSWORD;
  if (!values.email || !role || !password || (values.center !== undefined && !UUID.test(values.center))) {
    throw new Error(USAGE);
  }
  await createStaff(ctx.pool, { email: values.email, password, role, region: values.region, centerId: values.center });
  ctx.logger.info({ role }, 'staff account ready');
}
