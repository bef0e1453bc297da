import type { Pool } from 'pg';

export interface SearchAuditRow {
  actorSub: string;
  actorRole: string;
  actorRegion: string | null;
  scopeRegion: string | null;
  queryHash: string;
  criteria: string[];
  resultCount: number;
  requestId: string | null;
}

export function auditRepo(pool: Pool) {
  return {
    async record(row: SearchAuditRow): Promise<void> {
      await pool.query(
        `INSERT INTO search.search_audit (actor_sub, actor_role, actor_region, scope_region, query_hash, criteria, result_count, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.actorSub,
          row.actorRole,
          row.actorRegion,
          row.scopeRegion,
          row.queryHash,
          row.criteria,
          row.resultCount,
          row.requestId,
        ],
      );
    },
  };
}
export type AuditRepo = ReturnType<typeof auditRepo>;
