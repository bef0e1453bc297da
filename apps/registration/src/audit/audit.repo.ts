import type { AccessLogEntry } from '@jab/contracts';
import type { PoolClient } from 'pg';

type Db = Pick<PoolClient, 'query'>;

export interface AccessRow {
  id: string;
  registrantId: string;
  actorId: string;
  actorRole: string;
  actorCenterId: string | null;
  actorRegion: string | null;
  action: string;
  reason: string;
}

export async function insertAccess(db: Db, row: AccessRow): Promise<void> {
  await db.query(
    `INSERT INTO registration.access_log
       (id, registrant_id, actor_id, actor_role, actor_center_id, actor_region, action, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.id, row.registrantId, row.actorId, row.actorRole, row.actorCenterId, row.actorRegion, row.action, row.reason],
  );
}

/** Many rows in one statement (a list read touches one person per row). */
export async function insertAccesses(db: Db, rows: AccessRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO registration.access_log
       (id, registrant_id, actor_id, actor_role, actor_center_id, actor_region, action, reason)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[])`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.registrantId),
      rows.map((r) => r.actorId),
      rows.map((r) => r.actorRole),
      rows.map((r) => r.actorCenterId),
      rows.map((r) => r.actorRegion),
      rows.map((r) => r.action),
      rows.map((r) => r.reason),
    ],
  );
}

export async function isRegistrantOf(db: Db, registrantId: string, accountId: string): Promise<boolean> {
  const result = await db.query(`SELECT 1 FROM registration.registrants WHERE id = $1 AND account_id = $2`, [registrantId, accountId]);
  return result.rowCount === 1;
}

/** The person's region (every staff rule is scoped by it); undefined when there is no such person. */
export async function registrantRegion(db: Db, registrantId: string): Promise<string | undefined> {
  const result = await db.query<{ region: string }>(`SELECT region FROM registration.registrants WHERE id = $1`, [registrantId]);
  return result.rows[0]?.region;
}

/** The citizen's view of who looked: role and scope, never the staff member's identity. */
export async function listAccess(db: Db, registrantId: string, limit: number): Promise<AccessLogEntry[]> {
  const result = await db.query<Omit<AccessLogEntry, 'occurredAt'> & { occurredAt: Date }>(
    `SELECT action, actor_role AS role, actor_center_id AS "centerId", actor_region AS region, occurred_at AS "occurredAt"
       FROM registration.access_log WHERE registrant_id = $1
      ORDER BY occurred_at DESC, id DESC LIMIT $2`,
    [registrantId, limit],
  );
  return result.rows.map((r) => ({ ...r, occurredAt: r.occurredAt.toISOString() }));
}
