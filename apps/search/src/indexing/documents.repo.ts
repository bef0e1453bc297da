import type { Pool } from 'pg';
import type {
  CenterDocument,
  RegistrantDocument,
  ReindexSource,
} from '../engines/engine.js';

/**
 * The documents search was sent, latest version of each, deletions kept as tombstones.
 * A write is accepted when its version is at least the stored one: redelivering the
 * same event passes again (so a failed engine write is retried), an older one never.
 */
export function documentsRepo(pool: Pool) {
  return {
    async saveRegistrant(
      doc: RegistrantDocument,
      deleted: boolean,
    ): Promise<boolean> {
      const result = await pool.query(
        `INSERT INTO search.registrant_documents (id, full_name, birth_year, region, phone_suffix, version, deleted, source_event_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE
           SET full_name = EXCLUDED.full_name, birth_year = EXCLUDED.birth_year, region = EXCLUDED.region,
               phone_suffix = EXCLUDED.phone_suffix, version = EXCLUDED.version, deleted = EXCLUDED.deleted,
               source_event_at = EXCLUDED.source_event_at, updated_at = now()
         WHERE search.registrant_documents.version <= EXCLUDED.version`,
        [
          doc.id,
          doc.fullName,
          doc.birthYear,
          doc.region,
          doc.phoneSuffix ?? null,
          doc.version,
          deleted,
          doc.sourceEventAt,
        ],
      );
      return result.rowCount === 1;
    },

    async saveCenter(doc: CenterDocument, deleted: boolean): Promise<boolean> {
      const result = await pool.query(
        `INSERT INTO search.center_documents (id, document, version, deleted) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE
           SET document = EXCLUDED.document, version = EXCLUDED.version, deleted = EXCLUDED.deleted, updated_at = now()
         WHERE search.center_documents.version <= EXCLUDED.version`,
        [doc.id, JSON.stringify(doc), doc.version, deleted],
      );
      return result.rowCount === 1;
    },
  };
}
export type DocumentsRepo = ReturnType<typeof documentsRepo>;

const BATCH = 5_000;

/** Every live document, in id order and batches (keyset, so memory stays flat at any size). */
export function documentsSource(pool: Pool): ReindexSource {
  return {
    async *registrants(since?: Date) {
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const { rows } = await pool.query<{
          id: string;
          full_name: string;
          birth_year: number;
          region: string;
          phone_suffix: string | null;
          version: number;
          source_event_at: Date;
        }>(
          `SELECT id, full_name, birth_year, region, phone_suffix, version, source_event_at
             FROM search.registrant_documents
            WHERE id > $1 AND NOT deleted AND ($2::timestamptz IS NULL OR updated_at >= $2)
            ORDER BY id LIMIT $3`,
          [after, since ?? null, BATCH],
        );
        if (rows.length === 0) return;
        yield rows.map((r) => ({
          id: r.id,
          fullName: r.full_name,
          birthYear: r.birth_year,
          region: r.region,
          ...(r.phone_suffix ? { phoneSuffix: r.phone_suffix } : {}),
          version: r.version,
          sourceEventAt: r.source_event_at.toISOString(),
        }));
        after = rows[rows.length - 1].id;
      }
    },
    async *centers(since?: Date) {
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const { rows } = await pool.query<{
          id: string;
          document: CenterDocument;
        }>(
          `SELECT id, document FROM search.center_documents
            WHERE id > $1 AND NOT deleted AND ($2::timestamptz IS NULL OR updated_at >= $2)
            ORDER BY id LIMIT $3`,
          [after, since ?? null, BATCH],
        );
        if (rows.length === 0) return;
        yield rows.map((r) => r.document);
        after = rows[rows.length - 1].id;
      }
    },
  };
}
