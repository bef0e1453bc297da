/**
 * The catalogue every suite books against, created through registration's API as a
 * national admin would: a vaccine, two centers (A in FR-IDF, B in FR-ARA, both on UTC
 * so local days are UTC days), a campaign over both regions, roomy slots tomorrow and a lot.
 */
import { randomBytes } from 'node:crypto';
import { expectStatus, field, type Res } from './http.testing.js';

export const REGION_A = 'FR-IDF';
export const REGION_B = 'FR-ARA';

/** Calls registration's API (`path` relative to `/api/registration/v1`) as a national admin. */
export type AdminCall = (method: string, path: string, body?: unknown) => Promise<Res>;

export interface Catalogue {
  /** The local (UTC) day of every slot: tomorrow. */
  day: string;
  vaccineId: string;
  centerA: string;
  centerB: string;
  /** A slot at center A with room for every booking a suite makes. */
  slot: string;
  /** Another slot at center A, to move appointments to. */
  otherSlot: string;
  /** A slot at center B. */
  slotB: string;
  lotNumber: string;
}

const hex = (n = 3) => randomBytes(n).toString('hex');
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 24 * 3600_000).toISOString().slice(0, 10);

export async function seedCatalogue(admin: AdminCall): Promise<Catalogue> {
  const day = isoDay(1);
  const vaccine = await admin('POST', '/vaccines', {
    name: `Resilivax ${hex()}`,
    manufacturer: 'Test Labs',
    seriesDoses: 2,
    minIntervalDays: 21,
    minAgeYears: 18,
    maxAgeYears: null,
  });
  const vaccineId = field(expectStatus(vaccine, 201, 'a vaccine'), 'id');
  const center = async (region: string) =>
    field(
      expectStatus(
        await admin('POST', '/centers', {
          names: { en: `Center ${region} ${hex(2)}` },
          address: '1 Test Street, Testville',
          region,
          latitude: 48.85,
          longitude: 2.35,
          languages: ['en', 'fr'],
          vaccineIds: [vaccineId],
          timeZone: 'UTC',
          openingHours: [{ day: 'mon', opens: '08:00', closes: '18:00' }],
        }),
        201,
        'a center',
      ),
      'id',
    );
  const centerA = await center(REGION_A);
  const centerB = await center(REGION_B);
  expectStatus(
    await admin('POST', '/campaigns', {
      name: `Resilience campaign ${hex()}`,
      vaccineIds: [vaccineId],
      regions: [REGION_A, REGION_B],
      startsOn: isoDay(-30),
      endsOn: isoDay(60),
      targetAgeBands: [{ minAge: 18, maxAge: null }],
    }),
    201,
    'a campaign',
  );
  const session = async (centerId: string, startTime: string, endTime: string) => {
    const created = await admin('POST', `/centers/${centerId}/sessions`, {
      vaccineId,
      date: day,
      startTime,
      endTime,
      slotMinutes: 30,
      capacityDose1: 5000,
      capacityLaterDoses: 0,
      walkInQuota: 5000,
    });
    expectStatus(created, 201, 'a session');
    const avail = await admin('GET', `/centers/${centerId}/availability?date=${day}`);
    const slot = field<{ id: string; startsAt: string }[]>(avail, 'slots').find((s) => s.startsAt.slice(11, 16) === startTime);
    if (!slot) throw new Error(`no slot at ${startTime} in ${avail.text}`);
    return slot.id;
  };
  const slot = await session(centerA, '09:00', '09:30');
  const otherSlot = await session(centerA, '10:00', '10:30');
  const slotB = await session(centerB, '09:00', '09:30');
  const lotNumber = `LOT-${hex(4)}`.toUpperCase();
  expectStatus(await admin('POST', '/lots', { vaccineId, lotNumber, expiresOn: '2099-12-31' }), 201, 'a lot');
  return { day, vaccineId, centerA, centerB, slot, otherSlot, slotB, lotNumber };
}
