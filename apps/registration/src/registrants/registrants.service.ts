import { actsInRegion, type Principal } from '@jab/auth';
import {
  ageBand,
  type Contact,
  type RegisterRequest,
  type RegistrantRegisteredEvent,
  type RegistrantUpdatedEvent,
  type RegistrantUpdateRequest,
  type RegistrantView,
  type StaffRegistrantView,
} from '@jab/contracts';
import { appendEvent, withTransaction } from '@jab/db';
import { Conflict, Forbidden, NotFound } from '@jab/http';
import type { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { recordAccess } from '../audit/audit.js';
import { normalizeContact } from '../identity/credentials.js';
import type { IdentitySecrets } from '../identity/secrets.js';
import type { Pools } from '../pools.js';
import { decryptNationalId, encryptNationalId, maskNationalId, nationalIdHash } from './national-id.js';
import {
  findAccountContact,
  findRegistrant,
  findRegistrantsByAccount,
  HOUSEHOLD_LIMIT,
  insertAccount,
  insertRegistrant,
  NATIONAL_ID_UNIQUE,
  updateRegistrant,
  violates,
  type RegistrantRow,
} from './registrants.repo.js';

export const SCHEMA = 'registration';
export const HOUSEHOLD_SIZE = 4;

export interface RegistrantDeps extends Pools {
  secrets: Pick<IdentitySecrets, 'nationalIdHashKey' | 'nationalIdEncKey'>;
}

export interface Registered {
  registrant: RegistrantView;
  accountId: string;
}

/** A person's details as a household member gives them (the contact is the account's). */
export type PersonInput = Omit<RegisterRequest, 'contact'>;

function toView(row: RegistrantRow): RegistrantView {
  return {
    id: row.id,
    fullName: row.fullName,
    birthDate: row.birthDate,
    region: row.region,
    preferredLanguage: row.preferredLanguage,
    sex: row.sex,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
  };
}

/** What `registrant.registered` and `registrant.updated` share: the whole current record, no national ID. */
function recordData(row: RegistrantRow, contact: Contact, now: Date) {
  return {
    registrantId: row.id,
    accountId: row.accountId,
    fullName: row.fullName,
    birthYear: Number(row.birthDate.slice(0, 4)),
    ageBand: ageBand(row.birthDate, now),
    sex: row.sex,
    region: row.region,
    ...(contact.channel === 'sms' ? { phoneSuffix: contact.address.slice(-4) } : {}),
    preferredLanguage: row.preferredLanguage,
    contact,
    version: row.version,
  };
}

const duplicateNationalId = () =>
  new Conflict('A person with this national ID is already registered. If it is you, sign in with a one-time code sent to the contact you registered with.', {
    errors: [{ path: 'body.nationalId', message: 'is already registered' }],
  });
const householdFull = () =>
  new Conflict(`A household has at most ${HOUSEHOLD_SIZE} people.`, { errors: [{ path: 'body', message: 'household is full' }] });

/** Maps the database's last line of defence to the client's 409s (the transaction is already rolled back). */
function conflictOf(error: unknown): unknown {
  if (violates(error, NATIONAL_ID_UNIQUE)) return duplicateNationalId();
  if (violates(error, HOUSEHOLD_LIMIT)) return householdFull();
  return error;
}

async function insertPerson(
  deps: RegistrantDeps,
  db: PoolClient,
  accountId: string,
  contact: Contact,
  input: PersonInput,
  now: Date,
): Promise<RegistrantRow> {
  const id = uuidv7();
  const { nationalIdHashKey, nationalIdEncKey } = deps.secrets;
  const row = await insertRegistrant(db, {
    id,
    accountId,
    fullName: input.fullName,
    birthDate: input.birthDate,
    region: input.region,
    preferredLanguage: input.preferredLanguage,
    sex: input.sex,
    nationalIdHash: input.nationalId ? nationalIdHash(nationalIdHashKey, input.nationalId) : null,
    nationalIdEnc: input.nationalId ? encryptNationalId(nationalIdEncKey, id, input.nationalId) : null,
  });
  const event: RegistrantRegisteredEvent = {
    id: uuidv7(),
    type: 'registrant.registered',
    v: 1,
    occurredAt: now.toISOString(),
    source: 'registration',
    data: { ...recordData(row, contact, now), registeredOn: now.toISOString().slice(0, 10) },
  };
  await appendEvent(db, SCHEMA, event);
  return row;
}

/**
 * Registers a person under a new household account and records
 * `registrant.registered` in the same transaction, so the event exists exactly when
 * the registrant does.
 */
export async function registerRegistrant(deps: RegistrantDeps, input: RegisterRequest, now = new Date()): Promise<Registered> {
  const contact = normalizeContact(input.contact);
  try {
    return await withTransaction(deps.pool, async (db) => {
      const accountId = uuidv7();
      if (!(await insertAccount(db, accountId, contact))) {
        throw new Conflict('An account with this contact already exists: sign in with a one-time code to add people to it.', {
          errors: [{ path: 'body.contact.address', message: 'already has an account: sign in with a one-time code' }],
        });
      }
      const row = await insertPerson(deps, db, accountId, contact, input, now);
      return { registrant: toView(row), accountId };
    });
  } catch (error) {
    throw conflictOf(error);
  }
}

/** Adds a person to a signed-in citizen's household (409 past HOUSEHOLD_SIZE, enforced by the database). */
export async function addHouseholdMember(deps: RegistrantDeps, accountId: string, input: PersonInput, now = new Date()): Promise<RegistrantView> {
  try {
    return await withTransaction(deps.pool, async (db) => {
      const contact = await findAccountContact(db, accountId);
      if (!contact) throw new NotFound('Your account no longer exists; sign in again.');
      return toView(await insertPerson(deps, db, accountId, contact, input, now));
    });
  } catch (error) {
    throw conflictOf(error);
  }
}

export async function listHousehold(pool: Pool, accountId: string): Promise<RegistrantView[]> {
  return (await findRegistrantsByAccount(pool, accountId)).map(toView);
}

/** A person of the caller's own household; 404 (not 403) otherwise, so ids of others cannot be probed. */
export async function readOwnRegistrant(pool: Pool, accountId: string, id: string): Promise<RegistrantView> {
  const row = await findRegistrant(pool, id);
  if (!row || row.accountId !== accountId) throw new NotFound('No such person in your household.');
  return toView(row);
}

/** Staff see people of their own region (an account without one sees nobody); a national admin sees everyone. */
export function staffMaySee(staff: Principal, region: string): boolean {
  return actsInRegion(staff, region);
}

/**
 * A staff read of a person: from the reader (staff find people through search, which
 * trails registration by more than the replica does), scoped, and audited on the writer
 * before answering.
 */
export async function readRegistrantAsStaff(
  deps: RegistrantDeps,
  staff: Principal,
  id: string,
  reason: string,
): Promise<StaffRegistrantView> {
  const row = await findRegistrant(deps.readPool, id);
  if (!row) throw new NotFound('No such person.');
  if (!staffMaySee(staff, row.region)) throw new Forbidden('This person is outside your region.');
  await recordAccess(deps.pool, { actor: staff, registrantId: id, action: 'read', reason });
  const nationalId = row.nationalIdEnc ? decryptNationalId(deps.secrets.nationalIdEncKey, row.id, row.nationalIdEnc) : null;
  return { ...toView(row), accountId: row.accountId, nationalIdMasked: nationalId ? maskNationalId(nationalId) : null };
}

/** Changes a person of the caller's household, bumps its version and emits the whole record. */
export async function changeRegistrant(
  pool: Pool,
  accountId: string,
  id: string,
  patch: RegistrantUpdateRequest,
  now = new Date(),
): Promise<RegistrantView> {
  return withTransaction(pool, async (db) => {
    const row = await updateRegistrant(db, id, accountId, patch);
    const contact = row && (await findAccountContact(db, accountId));
    if (!row || !contact) throw new NotFound('No such person in your household.');
    const event: RegistrantUpdatedEvent = {
      id: uuidv7(),
      type: 'registrant.updated',
      v: 1,
      occurredAt: now.toISOString(),
      source: 'registration',
      data: { ...recordData(row, contact, now), deleted: false },
    };
    await appendEvent(db, SCHEMA, event);
    return toView(row);
  });
}
