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
  /**
   * Many documents in one statement (one per id: the caller keeps the highest version);
   * returns the ids whose write was accepted.
   */
  async function saveRegistrants(
    writes: { doc: RegistrantDocument; deleted: boolean }[],
  ): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const docs = writes.map((w) => w.doc);
    const result = await pool.query<{ id: string }>(
      `INSERT INTO search.registrant_documents (id, full_name, birth_year, region, phone_suffix, version, deleted, source_event_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::boolean[], $8::timestamptz[])
       ON CONFLICT (id) DO UPDATE
         SET full_name = EXCLUDED.full_name, birth_year = EXCLUDED.birth_year, region = EXCLUDED.region,
             phone_suffix = EXCLUDED.phone_suffix, version = EXCLUDED.version, deleted = EXCLUDED.deleted,
             source_event_at = EXCLUDED.source_event_at, updated_at = now()
       WHERE search.registrant_documents.version <= EXCLUDED.version
       RETURNING id`,
      [
        docs.map((d) => d.id),
        docs.map((d) => d.fullName),
        docs.map((d) => d.birthYear),
        docs.map((d) => d.region),
        docs.map((d) => d.phoneSuffix ?? null),
        docs.map((d) => d.version),
        writes.map((w) => w.deleted),
        docs.map((d) => d.sourceEventAt),
      ],
    );
    return new Set(result.rows.map((r) => r.id));
  }

  return {
    async saveRegistrant(
      doc: RegistrantDocument,
      deleted: boolean,
    ): Promise<boolean> {
      return (await saveRegistrants([{ doc, deleted }])).has(doc.id);
    },

    saveRegistrants,

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
