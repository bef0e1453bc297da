import type { AgeRange } from '@jab/contracts';
import type { FieldError } from '@jab/http';
import type { RegistrantFacts, SlotPlace } from './booking.repo.js';

/** Completed years on a calendar day (both YYYY-MM-DD). */
export function ageOn(birthDate: string, day: string): number {
  const age = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return day.slice(5) < birthDate.slice(5) ? age - 1 : age;
}

const inRange = (age: number, min: number, max: number | null) => age >= min && (max === null || age <= max);

export interface EligibilityFacts {
  registrant: RegistrantFacts;
  slot: SlotPlace;
  doseNumber: number;
  /** Age bands of every campaign offering the slot's vaccine in its region on its day. */
  campaignBands: AgeRange[][];
  /** This dose of the series already recorded. */
  alreadyGiven: boolean;
  /** The previous dose of the series (for dose 2+), with the earliest day of the next one. */
  previousDose: { nextDoseEarliest: string | null } | null;
  now: Date;
}

/**
 * The server-side booking rules. Each broken rule is one field error; an empty list
 * means the person may take this slot for this dose.
 */
export function eligibilityErrors(f: EligibilityFacts): FieldError[] {
  const errors: FieldError[] = [];
  const day = f.slot.localDate;
  const age = ageOn(f.registrant.birthDate, day);

  if (Date.parse(f.slot.endsAt) <= f.now.getTime()) errors.push({ path: 'body.slotId', message: 'has already ended' });
  if (!f.slot.offered) errors.push({ path: 'body.slotId', message: 'the center no longer offers this vaccine' });
  if (!inRange(age, f.slot.minAgeYears, f.slot.maxAgeYears))
    errors.push({ path: 'body.registrantId', message: `is ${age} on ${day}, outside the vaccine's eligible ages` });

  if (f.campaignBands.length === 0)
    errors.push({ path: 'body.slotId', message: 'no active campaign offers this vaccine in this region on that day' });
  else if (!f.campaignBands.some((bands) => bands.some((b) => inRange(age, b.minAge, b.maxAge))))
    errors.push({ path: 'body.registrantId', message: `is ${age} on ${day}, outside the campaign's target ages` });

  if (f.doseNumber > f.slot.seriesDoses)
    errors.push({ path: 'body.doseNumber', message: `the ${f.slot.vaccineName} series has ${f.slot.seriesDoses} dose(s)` });
  else if (f.alreadyGiven) errors.push({ path: 'body.doseNumber', message: 'this dose was already administered' });
  else if (f.doseNumber > 1) {
    if (!f.previousDose) errors.push({ path: 'body.doseNumber', message: `dose ${f.doseNumber - 1} has not been administered` });
    else if (f.previousDose.nextDoseEarliest && f.previousDose.nextDoseEarliest > day)
      errors.push({
        path: 'body.slotId',
        message: `is too early: dose ${f.doseNumber} can be given from ${f.previousDose.nextDoseEarliest}`,
      });
  }
  return errors;
}
