import { ageBand, type RegisterRequest, type RegistrantRegisteredEvent, type RegistrantView } from '@jab/contracts';
import { appendEvent, withTransaction } from '@jab/db';
import { Conflict } from '@jab/http';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { insertAccount, insertRegistrant, type RegistrantRow } from './registrants.repo.js';

export const SCHEMA = 'registration';

export interface Registered {
  registrant: RegistrantView;
  accountId: string;
}

function toView(row: RegistrantRow): RegistrantView {
  return {
    id: row.id,
    fullName: row.fullName,
    birthDate: row.birthDate,
    region: row.region,
    preferredLanguage: row.preferredLanguage,
    sex: row.sex,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Registers a person under a new household account and records
 * `registrant.registered` in the same transaction, so the event exists exactly when
 * the registrant does.
 */
export async function registerRegistrant(pool: Pool, input: RegisterRequest, now = new Date()): Promise<Registered> {
  return withTransaction(pool, async (db) => {
    const accountId = uuidv7();
    if (!(await insertAccount(db, accountId, input.contact))) {
      throw new Conflict('An account with this contact already exists; sign in to add people to it.', {
        errors: [{ path: 'body.contact.address', message: 'is already registered' }],
      });
    }
    const row = await insertRegistrant(db, {
      id: uuidv7(),
      accountId,
      fullName: input.fullName,
      birthDate: input.birthDate,
      region: input.region,
      preferredLanguage: input.preferredLanguage,
      sex: input.sex,
    });
    const event: RegistrantRegisteredEvent = {
      id: uuidv7(),
      type: 'registrant.registered',
      v: 1,
      occurredAt: now.toISOString(),
      source: 'registration',
      data: {
        registrantId: row.id,
        accountId,
        fullName: row.fullName,
        birthYear: Number(row.birthDate.slice(0, 4)),
        ageBand: ageBand(row.birthDate, now),
        sex: row.sex,
        region: row.region,
        ...(input.contact.channel === 'sms' ? { phoneSuffix: input.contact.address.slice(-4) } : {}),
        preferredLanguage: row.preferredLanguage,
        contact: input.contact,
        registeredOn: now.toISOString().slice(0, 10),
        version: row.version,
      },
    };
    await appendEvent(db, SCHEMA, event);
    return { registrant: toView(row), accountId };
  });
}
