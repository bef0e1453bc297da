import type { RegistrantHit } from '@jab/contracts';
import type { Pool } from 'pg';
import type { RegistrantDocument, SearchEngine } from './engine.js';

/**
 * The embedded engine: accent-folded, lower-cased names with trigram similarity for
 * typos. Exact matches rank first, then prefix matches, then the most similar.
 */
export function createPostgresEngine(pool: Pool): SearchEngine {
  return {
    async indexRegistrant(doc: RegistrantDocument) {
      const result = await pool.query(
        `INSERT INTO search.registrants (id, full_name, name_key, birth_year, region, version, source_event_at)
         VALUES ($1, $2, search.fold($2), $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE
           SET full_name = EXCLUDED.full_name, name_key = EXCLUDED.name_key,
               birth_year = EXCLUDED.birth_year, region = EXCLUDED.region,
               version = EXCLUDED.version, source_event_at = EXCLUDED.source_event_at, indexed_at = now()
         WHERE search.registrants.version < EXCLUDED.version`,
        [doc.id, doc.fullName, doc.birthYear, doc.region, doc.version, doc.sourceEventAt],
      );
      return result.rowCount === 1;
    },

    async searchRegistrants({ text, limit }) {
      const result = await pool.query<RegistrantHit>(
        `WITH q AS (SELECT search.fold($1) AS key)
         SELECT r.id, r.full_name AS "fullName", r.birth_year AS "birthYear", r.region
           FROM search.registrants r, q
          WHERE r.name_key % q.key OR r.name_key LIKE q.key || '%'
          ORDER BY (r.name_key = q.key) DESC, (r.name_key LIKE q.key || '%') DESC,
                   similarity(r.name_key, q.key) DESC, r.id
          LIMIT $2`,
        [text, limit],
      );
      return result.rows;
    },
  };
}
