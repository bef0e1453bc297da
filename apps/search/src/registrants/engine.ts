import type { RegistrantHit } from '@jab/contracts';

export interface RegistrantDocument {
  id: string;
  fullName: string;
  birthYear: number;
  region: string;
  version: number;
  sourceEventAt: string;
}

/** One interface for every search engine (PostgreSQL here, OpenSearch at scale). */
export interface SearchEngine {
  /** Index or replace a document; returns false when a newer version is already indexed. */
  indexRegistrant(doc: RegistrantDocument): Promise<boolean>;
  searchRegistrants(query: {
    text: string;
    limit: number;
  }): Promise<RegistrantHit[]>;
}
