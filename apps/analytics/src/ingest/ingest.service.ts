import type { RegistrationEvent } from '@jab/contracts';
import { withTransaction } from '@jab/db';
import type { Pool, PoolClient } from 'pg';
import type { DataVersion } from '../dashboards/data-version.js';
import {
  claimEvents,
  insertAefi,
  insertDose,
  recordCheckIn,
  recordRecall,
  upsertAppointment,
  upsertCenter,
  upsertRegistrants,
  upsertVaccine,
  recordSession,
} from './ingest.repo.js';

export interface IngestDeps {
  pool: Pool;
  version: DataVersion;
  /** Seconds from the event's `occurredAt` to its commit in the rollups. */
  observeFreshness: (seconds: number) => void;
  now?: () => Date;
}

/**
 * Applies one registration event to the facts (rollups follow through triggers) in
 * one transaction with its event-id claim, then bumps the dashboards' data version.
 */
export async function ingestEvent(deps: IngestDeps, event: RegistrationEvent): Promise<boolean> {
  const [applied] = await ingestTogether(deps, [event]);
  return applied === true;
}

/**
 * Many events in one transaction with their claims (one statement for the claims, one for
 * the registrant facts, the rest one statement each) and one data-version bump; each
 * settled on its own. When the transaction fails, the events go one by one, so a bad
 * event fails only itself.
 */
export async function ingestEvents(deps: IngestDeps, events: RegistrationEvent[]): Promise<PromiseSettledResult<void>[]> {
  try {
    await ingestTogether(deps, events);
    return events.map(() => ({ status: 'fulfilled', value: undefined }));
  } catch {
    return Promise.allSettled(events.map(async (event) => void (await ingestEvent(deps, event))));
  }
}

/** For each event, whether it was applied now (false: processed before). */
async function ingestTogether(deps: IngestDeps, events: RegistrationEvent[]): Promise<boolean[]> {
  const claimed = await withTransaction(deps.pool, async (db) => {
    const fresh = await claimEvents(db, events);
    const applying = events.filter((e) => fresh.has(e.id));
    const registrants = applying.filter(isRegistrantEvent);
    await upsertRegistrants(db, registrants.map(registrantFact));
    for (const event of applying) if (!isRegistrantEvent(event)) await apply(db, event);
    return fresh;
  });
  await deps.version.bump();
  const now = (deps.now?.() ?? new Date()).getTime();
  for (const e of events) if (claimed.has(e.id)) deps.observeFreshness((now - Date.parse(e.occurredAt)) / 1000);
  return events.map((e) => claimed.has(e.id));
}

type RegistrantEvent = Extract<RegistrationEvent, { type: 'registrant.registered' | 'registrant.updated' }>;
const isRegistrantEvent = (e: RegistrationEvent): e is RegistrantEvent => e.type === 'registrant.registered' || e.type === 'registrant.updated';

function registrantFact(event: RegistrantEvent) {
  const d = event.data;
  return {
    registrantId: d.registrantId,
    version: d.version,
    region: d.region,
    ageBand: d.ageBand,
    sex: d.sex,
    birthYear: d.birthYear,
    deleted: event.type === 'registrant.updated' ? event.data.deleted : false,
    registeredOn: event.type === 'registrant.registered' ? event.data.registeredOn : null,
  };
}

const englishName = (names: Record<string, string>) => names['en'] ?? Object.values(names)[0] ?? '';

async function apply(db: PoolClient, event: RegistrationEvent): Promise<void> {
  // Labels first, facts after: every transaction locks rows in the same table order.
  switch (event.type) {
    case 'registrant.registered':
    case 'registrant.updated':
      return upsertRegistrants(db, [registrantFact(event)]);
    case 'appointment.booked': {
      const d = event.data;
      await upsertVaccine(db, d.vaccineId, d.vaccineName);
      await upsertCenter(db, d.centerId, englishName(d.centerName), d.region);
      return upsertAppointment(db, {
        ...place(d),
        appointmentId: d.appointmentId,
        registrantId: d.registrantId,
        vaccineId: d.vaccineId,
        doseNumber: d.doseNumber,
        placeAt: d.bookedAt,
        booking: { bookedAt: d.bookedAt, ageBand: d.ageBand, sex: d.sex, walkIn: d.walkIn },
        cancellation: null,
      });
    }
    case 'appointment.rescheduled': {
      const d = event.data;
      await upsertCenter(db, d.to.centerId, englishName(d.to.centerName), d.to.region);
      return upsertAppointment(db, {
        ...place(d.to),
        appointmentId: d.appointmentId,
        registrantId: d.registrantId,
        vaccineId: d.vaccineId,
        doseNumber: d.doseNumber,
        placeAt: d.rescheduledAt,
        booking: null,
        cancellation: null,
      });
    }
    case 'appointment.cancelled': {
      const d = event.data;
      await upsertCenter(db, d.centerId, englishName(d.centerName), d.region);
      return upsertAppointment(db, {
        ...place(d),
        appointmentId: d.appointmentId,
        registrantId: d.registrantId,
        vaccineId: d.vaccineId,
        doseNumber: d.doseNumber,
        // The place a cancellation names is the appointment's last one.
        placeAt: d.cancelledAt,
        booking: null,
        cancellation: { cancelledAt: d.cancelledAt, reason: d.reason },
      });
    }
    case 'appointment.checked_in':
      return recordCheckIn(db, event.data);
    case 'dose.administered': {
      const d = event.data;
      await upsertVaccine(db, d.vaccineId, d.vaccineName);
      return insertDose(db, d);
    }
    case 'aefi.reported':
      return insertAefi(db, event.data);
    case 'lot.recalled':
      return recordRecall(db, event.data);
    case 'session.scheduled':
      return recordSession(db, event.data);
    case 'otp.requested':
    case 'certificate.issued':
    case 'center.saved':
      // Not routed to analytics; claimed so a stray delivery is acknowledged once.
      return;
  }
}

function place(p: { centerId: string; region: string; slotId: string; startsAt: string; endsAt: string }) {
  return { centerId: p.centerId, region: p.region, slotId: p.slotId, startsAt: p.startsAt, endsAt: p.endsAt };
}
