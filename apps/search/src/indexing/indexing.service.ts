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
  await applyRegistrantWrites(deps, [registrantWrite(event)]);
}

type RegistrantEvent = Extract<
  RegistrationEvent,
  { type: 'registrant.registered' | 'registrant.updated' }
>;
interface RegistrantWrite {
  doc: RegistrantDocument;
  deleted: boolean;
  occurredAt: string;
}

function registrantWrite(event: RegistrantEvent): RegistrantWrite {
  const { data } = event;
  return {
    doc: {
      id: data.registrantId,
      fullName: data.fullName,
      birthYear: data.birthYear,
      region: data.region,
      ...(data.phoneSuffix ? { phoneSuffix: data.phoneSuffix } : {}),
      version: data.version,
      sourceEventAt: event.occurredAt,
    },
    deleted: event.type === 'registrant.updated' && event.data.deleted,
    occurredAt: event.occurredAt,
  };
}

/**
 * Registrant writes in one documents statement and one engine bulk write; of several
 * versions of one person in the batch only the highest is written (an older one would
 * be dropped anyway).
 */
async function applyRegistrantWrites(
  deps: IndexingDeps,
  writes: RegistrantWrite[],
): Promise<void> {
  const latest = new Map<string, RegistrantWrite>();
  for (const w of writes) {
    const seen = latest.get(w.doc.id);
    if (!seen || seen.doc.version <= w.doc.version) latest.set(w.doc.id, w);
  }
  const chosen = [...latest.values()];
  const accepted = await deps.documents.saveRegistrants(chosen);
  const applied = chosen.filter((w) => accepted.has(w.doc.id));
  const docs = applied.filter((w) => !w.deleted).map((w) => w.doc);
  if (docs.length === 1) await deps.engine.indexRegistrant(docs[0] as RegistrantDocument);
  else if (docs.length > 1) await deps.engine.bulkIndexRegistrants(docs);
  for (const w of applied.filter((a) => a.deleted))
    await deps.engine.deleteRegistrant(w.doc.id, w.doc.version);
  const now = deps.now?.() ?? Date.now();
  for (const w of applied)
    deps.lag.observe(Math.max(0, (now - Date.parse(w.occurredAt)) / 1000));
}

/**
 * Many events at once, each settled on its own: registrant events in one documents
 * statement and one engine bulk write, anything else alone. When the batch fails, its
 * events are applied one by one, so a bad event fails only itself.
 */
export async function applyRegistrationEvents(
  deps: IndexingDeps,
  events: RegistrationEvent[],
): Promise<PromiseSettledResult<void>[]> {
  const registrants = events.filter(
    (e): e is RegistrantEvent =>
      e.type === 'registrant.registered' || e.type === 'registrant.updated',
  );
  const together = await applyRegistrantWrites(
    deps,
    registrants.map(registrantWrite),
  ).then(
    () => true,
    () => false,
  );
  return Promise.allSettled(
    events.map(async (event) => {
      const batched =
        event.type === 'registrant.registered' ||
        event.type === 'registrant.updated';
      if (!batched || !together) await applyRegistrationEvent(deps, event);
    }),
  );
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
