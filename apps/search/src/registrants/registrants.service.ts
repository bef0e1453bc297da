import type { RegistrantRegisteredEvent } from '@jab/contracts';
import type { SearchEngine } from './engine.js';

/** Makes a newly registered person findable by staff. Idempotent and version-ordered. */
export async function indexRegistered(engine: SearchEngine, event: RegistrantRegisteredEvent): Promise<void> {
  const { data } = event;
  await engine.indexRegistrant({
    id: data.registrantId,
    fullName: data.fullName,
    birthYear: data.birthYear,
    region: data.region,
    version: data.version,
    sourceEventAt: event.occurredAt,
  });
}
