import type { RegistrationEvent } from '@jab/contracts';
import type { Histogram } from 'prom-client';
import type {
  CenterDocument,
  RegistrantDocument,
  SearchEngine,
} from '../engines/engine.js';
import type { DocumentsRepo } from './documents.repo.js';

export interface IndexingDeps {
  engine: SearchEngine;
  documents: DocumentsRepo;
  /** Seconds from the event's time to the document being searchable. */
  lag: Histogram;
  now?: () => number;
}

/**
 * Applies registration events to the index. Idempotent and version-ordered: the
 * documents table decides (an older version is dropped), then the engine is written
 * with the same version, so a redelivered event re-applies harmlessly.
 */
export async function applyRegistrationEvent(
  deps: IndexingDeps,
  event: RegistrationEvent,
): Promise<void> {
  if (event.type === 'center.saved') {
    const { data } = event;
    const applied = await applyCenter(deps, {
      id: data.centerId,
      names: data.names as CenterDocument['names'],
      locality: data.locality,
      region: data.region,
      languages: data.languages,
      vaccines: data.vaccines,
      version: data.version,
    });
    if (applied) deps.lag.observe(Math.max(0, ((deps.now?.() ?? Date.now()) - Date.parse(event.occurredAt)) / 1000));
    return;
  }
  if (
    event.type !== 'registrant.registered' &&
    event.type !== 'registrant.updated'
  )
    return;
  const { data } = event;
  const doc: RegistrantDocument = {
    id: data.registrantId,
    fullName: data.fullName,
    birthYear: data.birthYear,
    region: data.region,
    ...(data.phoneSuffix ? { phoneSuffix: data.phoneSuffix } : {}),
    version: data.version,
    sourceEventAt: event.occurredAt,
  };
  const deleted = event.type === 'registrant.updated' && event.data.deleted;
  if (!(await deps.documents.saveRegistrant(doc, deleted))) return;
  if (deleted) await deps.engine.deleteRegistrant(doc.id, doc.version);
  else await deps.engine.indexRegistrant(doc);
  const now = deps.now?.() ?? Date.now();
  deps.lag.observe(Math.max(0, (now - Date.parse(event.occurredAt)) / 1000));
}

/** A center from `center.saved` (or the `index-centers` file import), version-ordered. */
export async function applyCenter(
  deps: Pick<IndexingDeps, 'engine' | 'documents'>,
  doc: CenterDocument,
): Promise<boolean> {
  if (!(await deps.documents.saveCenter(doc, false))) return false;
  await deps.engine.indexCenter(doc);
  return true;
}
