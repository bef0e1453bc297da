import type { Principal } from '@jab/auth';
import {
  ageBand,
  type AefiReportedEvent,
  type AefiView,
  type CorrectDoseRequest,
  type DoseAdministeredEvent,
  type DoseCorrected,
  type DoseView,
  type RecordDoseRequest,
  type ReportAefiRequest,
} from '@jab/contracts';
import { appendEvent, withTransaction } from '@jab/db';
import { BadRequest, Conflict, Forbidden, NotFound, Unprocessable, type FieldError } from '@jab/http';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { recordAccess } from '../audit/audit.js';
import { findAppointment, findRegistrant, markCompleted } from '../booking/booking.repo.js';
import { CENTER_WORK_REASON } from '../booking/booking.service.js';
import { findLotByNumber, findVaccine } from '../catalogue/catalogue.repo.js';
import { issueCertificate, reissueCertificate } from '../certificates/certificates.service.js';
import type { HealthCardKey } from '../certificates/shc.js';
import { uniqueViolation } from '../catalogue/sql.js';
import { assertWorksAtCenter, reasonToActOn } from '../centers/center-access.js';
import { findCenter } from '../centers/centers.repo.js';
import { addDays, localDay, localToday } from '../centers/slots.js';
import {
  findDose,
  insertAdverseEvent,
  insertCorrection,
  insertDose,
  listDosesOfRegistrant,
  seriesNeighbours,
  updateDose,
  type DoseFacts,
  type DoseRow,
} from './doses.repo.js';

export const SCHEMA = 'registration';

export interface DoseDeps {
  pool: Pool;
  /** For the citizen's list of doses, which may be a second behind (decision 0006). */
  readPool: Pool;
  /** Signs the health card issued with every dose. */
  cards: HealthCardKey;
}

const toView = ({ accountId: _a, region: _r, administeredOn: _o, lotId: _l, ...view }: DoseRow): DoseView => view;

/**
 * Records a dose given at the caller's center (the appointment's, when there is one):
 * refuses a lot that is unknown, recalled or expired on the day, computes the next
 * dose's earliest day from the series interval, completes the appointment, writes
 * `dose.administered` and issues the dose's health card (`certificate.issued`), all in
 * one transaction.
 */
export async function recordDose({ pool, cards }: DoseDeps, p: Principal, input: RecordDoseRequest, statedReason?: string): Promise<DoseView> {
  return withTransaction(pool, async (db) => {
    const registrant = await findRegistrant(db, input.registrantId);
    if (!registrant) throw new NotFound('No such person.', { errors: [{ path: 'body.registrantId', message: 'is not a known person' }] });

    const appointment = input.appointmentId ? await findAppointment(db, input.appointmentId, true) : null;
    if (input.appointmentId && !appointment)
      throw new NotFound('No such appointment.', { errors: [{ path: 'body.appointmentId', message: 'is not a known appointment' }] });
    const centerId = appointment?.centerId ?? p.centerId;
    if (!centerId) throw new Forbidden('Without an appointment, a dose is recorded at the center your account belongs to.');
    const center = await findCenter(db, centerId);
    if (!center) throw new Forbidden('Your account names no known center.');
    assertWorksAtCenter(p, center);
    // An appointment the person booked at this center lets its staff act, whatever the person's region.
    const reason = (appointment ? statedReason : reasonToActOn(p, registrant.region, statedReason)) ?? CENTER_WORK_REASON;

    const mismatch: FieldError[] = [];
    if (appointment) {
      if (appointment.registrantId !== registrant.id) mismatch.push({ path: 'body.registrantId', message: 'is not the person of this appointment' });
      if (appointment.vaccineId !== input.vaccineId) mismatch.push({ path: 'body.vaccineId', message: "differs from the appointment's vaccine" });
      if (appointment.doseNumber !== input.doseNumber) mismatch.push({ path: 'body.doseNumber', message: "differs from the appointment's dose" });
    }
    const vaccine = await findVaccine(db, input.vaccineId);
    if (!vaccine) mismatch.push({ path: 'body.vaccineId', message: 'is not a known vaccine' });
    if (mismatch.length > 0 || !vaccine) throw new BadRequest('The dose does not match the records.', { errors: mismatch });
    if (appointment && !['booked', 'checked_in'].includes(appointment.status))
      throw new Conflict(`The appointment is ${appointment.status.replace('_', ' ')}.`);

    const administeredOn = localDay(new Date(input.administeredAt), center.timeZone);
    const lot = await findLotByNumber(db, vaccine.id, input.lotNumber);
    const refused: FieldError[] = [];
    if (!lot) refused.push({ path: 'body.lotNumber', message: `is not a registered lot of ${vaccine.name}` });
    else if (lot.recalled) refused.push({ path: 'body.lotNumber', message: 'was recalled; do not administer it' });
    else if (lot.expiresOn < administeredOn) refused.push({ path: 'body.lotNumber', message: `expired on ${lot.expiresOn}` });
    if (input.doseNumber > vaccine.seriesDoses)
      refused.push({ path: 'body.doseNumber', message: `the ${vaccine.name} series has ${vaccine.seriesDoses} dose(s)` });
    if (refused.length > 0 || !lot) throw new Unprocessable('This dose cannot be recorded.', { errors: refused });

    const seriesComplete = input.doseNumber >= vaccine.seriesDoses;
    const nextDoseEarliest = seriesComplete ? null : addDays(administeredOn, vaccine.minIntervalDays);
    const id = uuidv7();
    try {
      await insertDose(db, {
        id,
        registrantId: registrant.id,
        appointmentId: appointment?.id ?? null,
        centerId: center.id,
        vaccineId: vaccine.id,
        lotId: lot.id,
        doseNumber: input.doseNumber,
        site: input.site,
        administeredAt: input.administeredAt,
        administeredOn,
        administeredBy: p.sub,
        nextDoseEarliest,
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === 'doses_series_unique' || constraint === 'doses_appointment_unique')
        throw new Conflict('This dose is already recorded.', { errors: [{ path: 'body.doseNumber', message: 'is already recorded for this person' }] });
      throw error;
    }
    const now = new Date();
    if (appointment) await markCompleted(db, appointment.id, now);
    await recordAccess(db, { actor: p, registrantId: registrant.id, action: 'dose.record', reason });

    const event: DoseAdministeredEvent = {
      id: uuidv7(),
      type: 'dose.administered',
      v: 1,
      occurredAt: now.toISOString(),
      source: 'registration',
      data: {
        doseId: id,
        registrantId: registrant.id,
        accountId: registrant.accountId,
        preferredLanguage: registrant.preferredLanguage,
        contact: registrant.contact,
        appointmentId: appointment?.id ?? null,
        centerId: center.id,
        region: center.region,
        vaccineId: vaccine.id,
        vaccineName: vaccine.name,
        lotNumber: lot.lotNumber,
        doseNumber: input.doseNumber,
        seriesDoses: vaccine.seriesDoses,
        seriesComplete,
        administeredAt: new Date(input.administeredAt).toISOString(),
        ageBand: ageBand(registrant.birthDate, new Date(input.administeredAt)),
        sex: registrant.sex,
        nextDoseEarliest,
      },
    };
    await appendEvent(db, SCHEMA, event);
    await issueCertificate(db, cards, id, { replaces: null, now });
    return toView((await findDose(db, id)) as DoseRow);
  });
}

/**
 * Staff of the center that gave a dose correct its lot, site or time. The same lot
 * rules apply as when recording, on the corrected day (a lot recalled only after the
 * dose was given is accepted: the record must say what was given). The dose must stay
 * between the doses before and after it in its series. The old values, the reason and
 * the author go to `dose_corrections` and the access log; the dose's certificate is
 * revoked and a new one issued (`certificate.issued` with `replaces`), all in one
 * transaction.
 */
export async function correctDose({ pool, cards }: DoseDeps, p: Principal, doseId: string, input: CorrectDoseRequest): Promise<DoseCorrected> {
  return withTransaction(pool, async (db) => {
    const dose = await findDose(db, doseId, true);
    if (!dose) throw new NotFound('No such dose.');
    assertWorksAtCenter(p, { id: dose.centerId, region: dose.region });
    const [center, vaccine] = [await findCenter(db, dose.centerId), await findVaccine(db, dose.vaccineId)];
    if (!center || !vaccine) throw new Error('a recorded dose lost its center or vaccine');

    const before: DoseFacts = { lotNumber: dose.lotNumber, site: dose.site, administeredAt: dose.administeredAt };
    const after: DoseFacts = {
      lotNumber: input.lotNumber ?? dose.lotNumber,
      site: input.site ?? dose.site,
      administeredAt: input.administeredAt ? new Date(input.administeredAt).toISOString() : dose.administeredAt,
    };
    if (after.lotNumber === before.lotNumber && after.site === before.site && after.administeredAt === before.administeredAt)
      throw new Unprocessable('The correction changes nothing.', { errors: [{ path: 'body', message: 'is what the record already says' }] });

    const at = new Date(after.administeredAt);
    const administeredOn = localDay(at, center.timeZone);
    const lot = await findLotByNumber(db, vaccine.id, after.lotNumber);
    const refused: FieldError[] = [];
    if (!lot) refused.push({ path: 'body.lotNumber', message: `is not a registered lot of ${vaccine.name}` });
    else if (lot.recalled && lot.recalledAt && Date.parse(lot.recalledAt) <= at.getTime())
      refused.push({ path: 'body.lotNumber', message: 'was recalled before this dose was given' });
    else if (lot.expiresOn < administeredOn) refused.push({ path: 'body.lotNumber', message: `expired on ${lot.expiresOn}` });
    const { previous, next } = await seriesNeighbours(db, dose);
    if (previous && Date.parse(previous) >= at.getTime())
      refused.push({ path: 'body.administeredAt', message: `must be after dose ${dose.doseNumber - 1} (${previous})` });
    if (next && Date.parse(next) <= at.getTime())
      refused.push({ path: 'body.administeredAt', message: `must be before dose ${dose.doseNumber + 1} (${next})` });
    if (refused.length > 0 || !lot) throw new Unprocessable('This correction cannot be recorded.', { errors: refused });

    const now = new Date();
    await recordAccess(db, { actor: p, registrantId: dose.registrantId, action: 'dose.correct', reason: input.reason });
    await updateDose(db, dose.id, {
      lotId: lot.id,
      site: after.site,
      administeredAt: after.administeredAt,
      administeredOn,
      nextDoseEarliest: dose.seriesComplete ? null : addDays(administeredOn, vaccine.minIntervalDays),
    });
    await insertCorrection(db, { id: uuidv7(), doseId: dose.id, before, after, reason: input.reason, correctedBy: p.sub, at: now });
    const { certificateId, replaced } = await reissueCertificate(db, cards, dose.id, now);
    return { dose: toView((await findDose(db, dose.id)) as DoseRow), certificateId, replacedCertificateId: replaced };
  });
}

/** A citizen reads the doses of a person of their household. */
export async function listDoses(pool: Pool, p: Principal, registrantId: string): Promise<DoseView[]> {
  const registrant = await findRegistrant(pool, registrantId);
  if (!registrant || registrant.accountId !== p.sub) throw new NotFound('No such person in your household.');
  return (await listDosesOfRegistrant(pool, registrantId)).map(toView);
}

/** An adverse event after a dose, reported by the person's household or by staff of the center that gave it. */
export async function reportAefi(pool: Pool, p: Principal, doseId: string, input: ReportAefiRequest): Promise<AefiView> {
  return withTransaction(pool, async (db) => {
    const dose = await findDose(db, doseId);
    if (!dose || (p.role === 'citizen' && dose.accountId !== p.sub)) throw new NotFound('No such dose.');
    if (p.role !== 'citizen') assertWorksAtCenter(p, { id: dose.centerId, region: dose.region });
    const center = await findCenter(db, dose.centerId);
    const errors: FieldError[] = [];
    if (input.onsetDate < dose.administeredOn) errors.push({ path: 'body.onsetDate', message: 'must not be before the dose' });
    if (center && input.onsetDate > localToday(center.timeZone)) errors.push({ path: 'body.onsetDate', message: 'must not be in the future' });
    if (errors.length > 0) throw new BadRequest('The report is invalid.', { errors });

    const now = new Date();
    const id = uuidv7();
    const reportedBy = p.role === 'citizen' ? 'citizen' : 'staff';
    await recordAccess(db, { actor: p, registrantId: dose.registrantId, action: 'aefi.report', reason: CENTER_WORK_REASON });
    await insertAdverseEvent(db, { id, doseId, ...input, reportedBy, reporterId: p.sub, at: now });
    const event: AefiReportedEvent = {
      id: uuidv7(),
      type: 'aefi.reported',
      v: 1,
      occurredAt: now.toISOString(),
      source: 'registration',
      data: {
        aefiId: id,
        doseId,
        registrantId: dose.registrantId,
        vaccineId: dose.vaccineId,
        lotNumber: dose.lotNumber,
        region: dose.region,
        severity: input.severity,
        onsetDate: input.onsetDate,
        reportedBy,
        reportedAt: now.toISOString(),
      },
    };
    await appendEvent(db, SCHEMA, event);
    return { id, doseId, severity: input.severity, onsetDate: input.onsetDate, reportedBy, reportedAt: now.toISOString() };
  });
}
