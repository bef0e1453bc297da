import type { RegistrationEvent } from '@jab/contracts';
import { withTransaction } from '@jab/db';
import type { Pool, PoolClient } from 'pg';
import type { DataVersion } from '../dashboards/data-version.js';
import {
  claimEvent,
  insertAefi,
  insertDose,
  recordCheckIn,
  recordRecall,
  upsertAppointment,
  upsertCenter,
  upsertRegistrant,
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
  const applied = await withTransaction(deps.pool, async (db) => {
    if (!(await claimEvent(db, event.id, event.type))) return false;
    await apply(db, event);
    return true;
  });
  await deps.version.bump();
  if (applied) deps.observeFreshness(((deps.now?.() ?? new Date()).getTime() - Date.parse(event.occurredAt)) / 1000);
  return applied;
}

const englishName = (names: Record<string, string>) => names['en'] ?? Object.values(names)[0] ?? '';

async function apply(db: PoolClient, event: RegistrationEvent): Promise<void> {
  // Labels first, facts after: every transaction locks rows in the same table order.
  switch (event.type) {
    case 'registrant.registered':
    case 'registrant.updated': {
      const d = event.data;
      const fact = {
        registrantId: d.registrantId,
        version: d.version,
        region: d.region,
        ageBand: d.ageBand,
        sex: d.sex,
        birthYear: d.birthYear,
        deleted: event.type === 'registrant.updated' ? event.data.deleted : false,
      };
      return upsertRegistrant(db, fact, event.type === 'registrant.registered' ? event.data.registeredOn : null);
    }
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
