import type { Language } from '@jab/contracts';

/** A person as staff search sees them: coarse identifiers only, never contact details. */
export interface RegistrantDocument {
  id: string;
  fullName: string;
  birthYear: number;
  region: string;
  /** Last 4 digits of the phone number, when the person gave one. */
  phoneSuffix?: string;
  /** Version of the source record: an older document never replaces a newer one. */
  version: number;
  sourceEventAt: string;
}

export interface CenterDocument {
  id: string;
  /** Name by language (at least `en`). */
  names: Partial<Record<Language, string>> & { en: string };
  locality: string;
  region: string;
  languages: Language[];
  vaccines: { id: string; name: string }[];
  version: number;
}

export interface RegistrantQuery {
  text?: string;
  region?: string;
  birthYear?: number;
  phoneSuffix?: string;
  sort: 'relevance' | 'name';
  cursor?: string;
  limit: number;
}

export interface CenterQuery {
  text?: string;
  language?: Language;
  vaccine?: string;
  region?: string;
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque position after the last item; null when there is nothing more. */
  nextCursor: string | null;
}

/** Source of every document for a rebuild, in batches (the indexed-documents table). */
export interface ReindexSource {
  registrants(since?: Date): AsyncIterable<RegistrantDocument[]>;
  centers(since?: Date): AsyncIterable<CenterDocument[]>;
}

/** Thrown for a cursor the engine did not issue: the caller answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not valid for this search');
  }
}

/**
 * One interface for every search engine (PostgreSQL embedded, OpenSearch at scale).
 * Writes are idempotent and version-ordered: writing the same or an older version
 * again changes nothing, so events may be redelivered in any order.
 */
export interface SearchEngine {
  readonly name: 'postgres' | 'opensearch';
  /** Creates what the engine needs (OpenSearch: template, first index, alias). Idempotent. */
  init(): Promise<void>;
  /** Returns false when the same or a newer version is already indexed. */
  indexRegistrant(doc: RegistrantDocument): Promise<boolean>;
  deleteRegistrant(id: string, version: number): Promise<void>;
  bulkIndexRegistrants(docs: RegistrantDocument[]): Promise<void>;
  searchRegistrants(query: RegistrantQuery): Promise<Page<RegistrantDocument>>;
  indexCenter(doc: CenterDocument): Promise<boolean>;
  deleteCenter(id: string, version: number): Promise<void>;
  searchCenters(query: CenterQuery): Promise<Page<CenterDocument>>;
  /** Rebuilds everything from `source` while searches keep being answered from the old data. */
  reindex(
    source: ReindexSource,
  ): Promise<{ registrants: number; centers: number }>;
  /** Makes every write so far visible to search (OpenSearch refresh); used by tests and reindex. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}
