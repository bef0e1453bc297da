import type { Pool } from 'pg';

/**
 * The service's two PostgreSQL pools (docs/decisions/0006-read-replica.md). A component takes
 * both and picks one per query: the writer for every write and for every read that a write,
 * a booking, an access check before a write, or the caller's next screen right after their
 * own write depends on; the reader for lists and exports that may be a second behind.
 */
export interface Pools {
  /** The Aurora writer (DATABASE_URL). */
  pool: Pool;
  /** The Aurora reader (DATABASE_READ_URL; the writer's pool when that is unset). */
  readPool: Pool;
}
