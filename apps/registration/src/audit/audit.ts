import type { Principal } from '@jab/auth';
import type { PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { insertAccess, insertAccesses, type AccessRow } from './audit.repo.js';

export { ACCESS_REASON_HEADER, accessReasonOf, optionalAccessReasonOf } from '@jab/auth';

export interface AccessRecord {
  /** The verified caller; citizens acting on their own household are not audited. */
  actor: Principal;
  registrantId: string;
  /** What was done, e.g. `read`, `check-in`, `dose.record` (lower case, dots and dashes). */
  action: string;
  /** Why, as the staff member stated it (see `accessReasonOf`). */
  reason: string;
}

/**
 * Records a staff read or change of a person's data. Call it on the client of the
 * transaction that reads or writes, before answering: a failed audit write fails the
 * access, so nothing is ever seen without a trace.
 */
export async function recordAccess(client: Pick<PoolClient, 'query'>, record: AccessRecord): Promise<void> {
  const row = accessRowOf(record);
  if (row) await insertAccess(client, row);
}

/** The access-log row of one staff access (none for a citizen), for a caller that writes it in its own statement. */
export function accessRowOf(record: AccessRecord): AccessRow | null {
  const { actor } = record;
  if (actor.role === 'citizen') return null;
  return {
    id: uuidv7(),
    registrantId: record.registrantId,
    actorId: actor.sub,
    actorRole: actor.role,
    actorCenterId: actor.centerId ?? null,
    actorRegion: actor.region ?? null,
    action: record.action,
    reason: record.reason,
  };
}

/** Records one staff read of several people (a list), one row each, in one statement. */
export async function recordAccesses(
  client: Pick<PoolClient, 'query'>,
  record: Omit<AccessRecord, 'registrantId'> & { registrantIds: string[] },
): Promise<void> {
  if (record.actor.role === 'citizen') return;
  await insertAccesses(
    client,
    [...new Set(record.registrantIds)].flatMap((registrantId) => accessRowOf({ ...record, registrantId }) ?? []),
  );
}
