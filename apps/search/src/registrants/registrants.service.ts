import type { Principal } from '@jab/auth';
import type {
  RegistrantHit,
  RegistrantSearchQuery,
  RegistrantSearchResponse,
} from '@jab/contracts';
import { Forbidden } from '@jab/http';
import { createHash } from 'node:crypto';
import type { RegistrantDocument, SearchEngine } from '../engines/engine.js';
import type { AuditRepo } from './audit.repo.js';

export interface StaffSearchDeps {
  engine: SearchEngine;
  audit: AuditRepo;
}

/**
 * Staff search: confined to the searcher's region (staff and center admins work in one
 * region; national admins anywhere), and audited.
 */
export async function searchRegistrants(
  deps: StaffSearchDeps,
  principal: Principal,
  query: RegistrantSearchQuery,
  requestId: string | null,
): Promise<RegistrantSearchResponse> {
  const scopeRegion = regionScope(principal, query.region);
  const page = await deps.engine.searchRegistrants({
    text: query.q,
    region: scopeRegion,
    birthYear: query.birthYear,
    phoneSuffix: query.phoneSuffix,
    sort: query.sort,
    cursor: query.cursor,
    limit: query.limit,
  });
  await deps.audit.record({
    actorSub: principal.sub,
    actorRole: principal.role,
    actorRegion: principal.region ?? null,
    scopeRegion: scopeRegion ?? null,
    queryHash: queryHash(query),
    criteria: (['q', 'phoneSuffix', 'birthYear', 'region'] as const).filter(
      (k) => query[k] !== undefined,
    ),
    resultCount: page.items.length,
    requestId,
  });
  return { items: page.items.map(toHit), nextCursor: page.nextCursor };
}

function regionScope(
  principal: Principal,
  asked: string | undefined,
): string | undefined {
  if (principal.role === 'national-admin') return asked;
  // The route refuses tokens without a region; refusing here too keeps the rule next to the query.
  if (!principal.region) throw new Forbidden('Your staff account has no region; ask an administrator to set it.');
  if (asked && asked !== principal.region)
    throw new Forbidden('you may search only your own region');
  return principal.region;
}

/**
 * The audit keeps a hash of what was searched, never the name or digits themselves:
 * an investigator who knows a query can prove it was made; the table alone does not
 * reveal whom staff looked for. The query is normalized so that spacing and case do
 * not change the hash.
 */
export function queryHash(
  query: Pick<
    RegistrantSearchQuery,
    'q' | 'phoneSuffix' | 'birthYear' | 'region'
  >,
): string {
  const canonical = JSON.stringify([
    query.q?.normalize('NFC').toLowerCase().replace(/\s+/g, ' ') ?? null,
    query.phoneSuffix ?? null,
    query.birthYear ?? null,
    query.region ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Staff roles need name, birth year and region to identify the person at the desk; the phone suffix is shown as its last 2 digits only. */
function toHit(doc: RegistrantDocument): RegistrantHit {
  return {
    id: doc.id,
    fullName: doc.fullName,
    birthYear: doc.birthYear,
    region: doc.region,
    phoneHint: doc.phoneSuffix ? `••${doc.phoneSuffix.slice(-2)}` : null,
  };
}
