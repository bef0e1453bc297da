import type { Contact, Language } from '@jab/contracts';
import { inRounds } from '@jab/db';
import type { Pool } from 'pg';

export interface ContactSeen {
  accountId: string;
  contact: Contact;
  seenAt: string;
}

/**
 * Remembers the latest address per channel of a household account: an older event never
 * replaces a newer address, and the channel given last becomes the primary one.
 */
export async function upsertContact(pool: Pool, accountId: string, contact: Contact, seenAt: string): Promise<void> {
  await upsertContacts(pool, [{ accountId, contact, seenAt }]);
}

/**
 * `upsertContact` for many, one statement per round: a statement may touch an account once,
 * so an account seen twice in the batch waits for the next round (older sighting first).
 */
export async function upsertContacts(pool: Pool, seen: ContactSeen[]): Promise<void> {
  const oldestFirst = [...seen].sort((a, b) => Date.parse(a.seenAt) - Date.parse(b.seenAt));
  for (const round of inRounds(oldestFirst, (s) => s.accountId)) await upsertContactRound(pool, round);
}

async function upsertContactRound(pool: Pool, seen: ContactSeen[]): Promise<void> {
  const on = (s: ContactSeen, channel: Contact['channel']) => (s.contact.channel === channel ? s : undefined);
  await pool.query(
    `INSERT INTO notifications.recipients AS r (account_id, email, email_seen_at, phone, phone_seen_at, primary_channel)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[], $6::text[])
     ON CONFLICT (account_id) DO UPDATE
        SET email = CASE WHEN EXCLUDED.email IS NOT NULL AND (r.email_seen_at IS NULL OR r.email_seen_at <= EXCLUDED.email_seen_at)
                         THEN EXCLUDED.email ELSE r.email END,
            email_seen_at = greatest(r.email_seen_at, EXCLUDED.email_seen_at),
            phone = CASE WHEN EXCLUDED.phone IS NOT NULL AND (r.phone_seen_at IS NULL OR r.phone_seen_at <= EXCLUDED.phone_seen_at)
                         THEN EXCLUDED.phone ELSE r.phone END,
            phone_seen_at = greatest(r.phone_seen_at, EXCLUDED.phone_seen_at),
            primary_channel = CASE WHEN greatest(r.email_seen_at, r.phone_seen_at) IS NULL
                                     OR greatest(r.email_seen_at, r.phone_seen_at) <= greatest(EXCLUDED.email_seen_at, EXCLUDED.phone_seen_at)
                                   THEN EXCLUDED.primary_channel ELSE r.primary_channel END,
            updated_at = now()`,
    [
      seen.map((s) => s.accountId),
      seen.map((s) => on(s, 'email')?.contact.address ?? null),
      seen.map((s) => on(s, 'email')?.seenAt ?? null),
      seen.map((s) => on(s, 'sms')?.contact.address ?? null),
      seen.map((s) => on(s, 'sms')?.seenAt ?? null),
      seen.map((s) => s.contact.channel),
    ],
  );
}

export interface Preferences {
  email: boolean;
  sms: boolean;
}

export async function getPreferences(pool: Pool, accountId: string): Promise<Preferences> {
  const result = await pool.query<Preferences>(
    `SELECT NOT email_opt_out AS email, NOT sms_opt_out AS sms FROM notifications.recipients WHERE account_id = $1`,
    [accountId],
  );
  return result.rows[0] ?? { email: true, sms: true };
}

export async function savePreferences(pool: Pool, accountId: string, p: Preferences): Promise<Preferences> {
  const result = await pool.query<Preferences>(
    `INSERT INTO notifications.recipients (account_id, email_opt_out, sms_opt_out) VALUES ($1, $2, $3)
     ON CONFLICT (account_id) DO UPDATE
        SET email_opt_out = EXCLUDED.email_opt_out, sms_opt_out = EXCLUDED.sms_opt_out, updated_at = now()
     RETURNING NOT email_opt_out AS email, NOT sms_opt_out AS sms`,
    [accountId, !p.email, !p.sms],
  );
  return result.rows[0];
}

export type AppointmentStatus = 'booked' | 'cancelled' | 'attended';

export interface AppointmentRow {
  appointmentId: string;
  accountId: string;
  registrantId: string;
  language: Language;
  status: AppointmentStatus;
  startsAt: string;
  centerName: Record<string, string>;
  centerAddress: string;
  centerTimeZone: string;
  appointmentCode: string | null;
  doseNumber: number;
}

const APPOINTMENT_COLUMNS = `appointment_id AS "appointmentId", account_id AS "accountId", registrant_id AS "registrantId",
  language, status, to_json(starts_at)#>>'{}' AS "startsAt", center_name AS "centerName",
  center_address AS "centerAddress", center_time_zone AS "centerTimeZone",
  appointment_code AS "appointmentCode", dose_number AS "doseNumber"`;

/**
 * Applies an appointment event to the projection unless a newer one was applied already
 * (queues do not promise order); returns the current state either way.
 */
export async function applyAppointment(pool: Pool, a: AppointmentRow, eventAt: string): Promise<AppointmentRow> {
  const result = await pool.query<AppointmentRow>(
    `WITH applied AS (
       INSERT INTO notifications.appointments AS a
              (appointment_id, account_id, registrant_id, language, status, starts_at, center_name,
               center_address, center_time_zone, appointment_code, dose_number, last_event_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (appointment_id) DO UPDATE
          SET language = EXCLUDED.language, status = EXCLUDED.status, starts_at = EXCLUDED.starts_at,
              center_name = EXCLUDED.center_name, center_address = EXCLUDED.center_address,
              center_time_zone = EXCLUDED.center_time_zone, appointment_code = coalesce(EXCLUDED.appointment_code, a.appointment_code),
              last_event_at = EXCLUDED.last_event_at, updated_at = now()
        WHERE a.last_event_at <= EXCLUDED.last_event_at
       RETURNING ${APPOINTMENT_COLUMNS})
     SELECT * FROM applied
     UNION ALL
     SELECT ${APPOINTMENT_COLUMNS} FROM notifications.appointments WHERE appointment_id = $1
     LIMIT 1`,
    [
      a.appointmentId,
      a.accountId,
      a.registrantId,
      a.language,
      a.status,
      a.startsAt,
      a.centerName,
      a.centerAddress,
      a.centerTimeZone,
      a.appointmentCode,
      a.doseNumber,
      eventAt,
    ],
  );
  return result.rows[0];
}

export async function markAttended(pool: Pool, appointmentId: string, eventAt: string): Promise<void> {
  await pool.query(
    `UPDATE notifications.appointments SET status = 'attended', last_event_at = $2, updated_at = now()
      WHERE appointment_id = $1 AND last_event_at <= $2`,
    [appointmentId, eventAt],
  );
}

export async function findAppointment(pool: Pool, appointmentId: string): Promise<AppointmentRow | undefined> {
  const result = await pool.query<AppointmentRow>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM notifications.appointments WHERE appointment_id = $1`,
    [appointmentId],
  );
  return result.rows[0];
}

export interface DoseRow {
  doseId: string;
  accountId: string;
  registrantId: string;
  language: Language;
  vaccineId: string;
  vaccineName: string;
  lotNumber: string;
  doseNumber: number;
  administeredAt: string;
  nextDoseEarliest: string | null;
}

export async function recordDose(pool: Pool, d: DoseRow): Promise<void> {
  await pool.query(
    `INSERT INTO notifications.doses (dose_id, account_id, registrant_id, language, vaccine_id, vaccine_name,
                                      lot_number, dose_number, administered_at, next_dose_earliest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (dose_id) DO NOTHING`,
    [d.doseId, d.accountId, d.registrantId, d.language, d.vaccineId, d.vaccineName, d.lotNumber, d.doseNumber, d.administeredAt, d.nextDoseEarliest],
  );
}

export async function findDose(pool: Pool, doseId: string): Promise<DoseRow | undefined> {
  const result = await pool.query<DoseRow>(
    `SELECT dose_id AS "doseId", account_id AS "accountId", registrant_id AS "registrantId", language,
            vaccine_id AS "vaccineId", vaccine_name AS "vaccineName", lot_number AS "lotNumber",
            dose_number AS "doseNumber", to_json(administered_at)#>>'{}' AS "administeredAt",
            to_char(next_dose_earliest, 'YYYY-MM-DD') AS "nextDoseEarliest"
       FROM notifications.doses WHERE dose_id = $1`,
    [doseId],
  );
  return result.rows[0];
}

/** Where an account's messages go first: the contact given last, else any known one. */
export async function findPrimaryContact(pool: Pool, accountId: string): Promise<Contact | undefined> {
  const result = await pool.query<{ email: string | null; phone: string | null; primary: 'email' | 'sms' | null }>(
    `SELECT email, phone, primary_channel AS primary FROM notifications.recipients WHERE account_id = $1`,
    [accountId],
  );
  const r = result.rows[0];
  if (!r) return undefined;
  if (r.primary === 'sms' && r.phone) return { channel: 'sms', address: r.phone };
  if (r.email) return { channel: 'email', address: r.email };
  if (r.phone) return { channel: 'sms', address: r.phone };
  return undefined;
}
