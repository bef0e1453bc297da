import type { CenterView } from '@jab/contracts';
import { appendEvent, withTransaction } from '@jab/db';
import type { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { centerSaved, sessionScheduled } from '../centers/centers.events.js';
import { findCenter, insertCenter, insertSession, insertSlots } from '../centers/centers.repo.js';
import { addDays, generateSlots, localToday } from '../centers/slots.js';
import { createStaff } from '../identity/staff.service.js';
import { findCampaign, findVaccine, insertCampaign, insertLot, insertVaccine, lockDemoSeed } from './catalogue.repo.js';

// Fixed ids, so a second run finds what the first one made.
export const DEMO = {
  vaccineId: '01900000-0000-7000-8000-00000000d001',
  campaignId: '01900000-0000-7000-8000-00000000d002',
  parisCenterId: '01900000-0000-7000-8000-00000000d003',
  mumbaiCenterId: '01900000-0000-7000-8000-00000000d004',
  lotNumber: 'JBX-DEMO-001',
} as const;

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hours = WEEK.map((day) => ({ day, opens: '09:00', closes: '17:00' }));

const CENTERS: CenterView[] = [
  {
    id: DEMO.parisCenterId,
    names: { en: 'Paris Hôtel de Ville vaccination center', fr: 'Centre de vaccination Hôtel de Ville' },
    address: "Place de l'Hôtel de Ville, 75004 Paris",
    region: 'FR-IDF',
    latitude: 48.8566,
    longitude: 2.3522,
    languages: ['fr', 'en'],
    vaccineIds: [DEMO.vaccineId],
    timeZone: 'Europe/Paris',
    openingHours: hours,
  },
  {
    id: DEMO.mumbaiCenterId,
    names: { en: 'Mumbai Central Health Post', hi: 'मुंबई सेंट्रल स्वास्थ्य केंद्र' },
    address: 'Dr Anandrao Nair Road, Mumbai Central, Mumbai 400008',
    region: 'IN-MH',
    latitude: 18.9696,
    longitude: 72.8194,
    languages: ['hi', 'en'],
    vaccineIds: [DEMO.vaccineId],
    timeZone: 'Asia/Kolkata',
    openingHours: hours,
  },
];

export interface DemoSummary {
  vaccineId: string;
  campaignId: string;
  centerIds: string[];
  sessionsCreated: number;
}

/**
 * Demo catalogue for a local stack: one vaccine with a lot, one campaign covering
 * FR-IDF and IN-MH, a center in each, and sessions for the next seven days. Safe to
 * run at every start: what exists is left alone, missing days are added.
 */
export async function seedDemoCatalogue(pool: Pool, now = new Date()): Promise<DemoSummary> {
  return withTransaction(pool, async (db) => {
    await lockDemoSeed(db);
    if (!(await findVaccine(db, DEMO.vaccineId)))
      await insertVaccine(db, {
        id: DEMO.vaccineId,
        name: 'Jabvax',
        manufacturer: 'Jab Demo Biologicals',
        seriesDoses: 2,
        minIntervalDays: 21,
        minAgeYears: 12,
        maxAgeYears: null,
        // A made-up vaccine has no CVX code: its cards name it by Jab's own code.
        cvxCode: null,
      });
    const today = now.toISOString().slice(0, 10);
    await insertLot(db, { id: uuidv7(), vaccineId: DEMO.vaccineId, lotNumber: DEMO.lotNumber, expiresOn: addDays(today, 365) });
    if (!(await findCampaign(db, DEMO.campaignId)))
      await insertCampaign(db, {
        id: DEMO.campaignId,
        name: 'Demo campaign',
        vaccineIds: [DEMO.vaccineId],
        regions: ['FR-IDF', 'IN-MH'],
        startsOn: addDays(today, -1),
        endsOn: addDays(today, 365),
        targetAgeBands: [{ minAge: 12, maxAge: null }],
      });

    let sessionsCreated = 0;
    for (const center of CENTERS) {
      if (!(await findCenter(db, center.id))) {
        await insertCenter(db, center);
        await appendEvent(db, 'registration', await centerSaved(db, center, 1));
      }
      const first = localToday(center.timeZone, now);
      for (let d = 0; d < 7; d++) {
        const session = {
          id: uuidv7(),
          centerId: center.id,
          vaccineId: DEMO.vaccineId,
          date: addDays(first, d),
          startTime: '09:00',
          endTime: '17:00',
          slotMinutes: 30,
          capacityDose1: 10,
          capacityLaterDoses: 5,
          walkInQuota: 2,
          createdBy: DEMO.vaccineId,
        };
        if (!(await insertSession(db, session))) continue;
        const times = generateSlots({ ...session, timeZone: center.timeZone });
        await insertSlots(db, session, times.map(() => uuidv7()), times);
        await appendEvent(db, 'registration', sessionScheduled(center.region, session, times.length));
        sessionsCreated++;
      }
    }
    return { vaccineId: DEMO.vaccineId, campaignId: DEMO.campaignId, centerIds: CENTERS.map((c) => c.id), sessionsCreated };
  });
}

/**
 * Demo staff accounts, made by `seed-demo` when JAB_DEMO_PASSWORD is set (a local stack and the
 * container proof sign in with them; a real deployment never sets it).
 */
export const DEMO_STAFF = [
  { email: 'vaccinator@demo.jab.local', role: 'staff', region: 'FR-IDF', centerId: DEMO.parisCenterId },
  { email: 'admin@demo.jab.local', role: 'national-admin' },
] as const;

/**
 * `node main.js seed-demo`: what `npm start` runs after migrations on a local stack. With
 * JAB_DEMO_PASSWORD (never an argument: arguments show up in process lists) it also makes or
 * updates the demo staff accounts with that password.
 */
export async function seedDemoCommand(
  ctx: { pool: Pool; logger: { info: (obj: object, msg: string) => void } },
  _args: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<void> {
  const summary = await seedDemoCatalogue(ctx.pool);
  ctx.logger.info(summary, 'demo catalogue ready');
  const password = env.JAB_DEMO_PASSWORD;
  if (!password) return;
  for (const staff of DEMO_STAFF) {
    await createStaff(ctx.pool, { ...staff, password });
  }
  ctx.logger.info({ accounts: DEMO_STAFF.map((s) => `${s.email} (${s.role})`) }, 'demo staff accounts ready');
}
