import type { DailyRegistrations, RegistrantRegisteredEvent } from '@jab/contracts';
import { withTransaction } from '@jab/db';
import { Forbidden } from '@jab/http';
import type { Pool } from 'pg';
import { claimEvent, countRegistration, dailyRegistrations } from './registrations.repo.js';

/** Counts a registration once per event, whatever the redeliveries. */
export async function recordRegistration(pool: Pool, event: RegistrantRegisteredEvent): Promise<void> {
  await withTransaction(pool, async (db) => {
    if (!(await claimEvent(db, event.id, event.type))) return;
    await countRegistration(db, event.data.registeredOn, event.data.region, event.data.ageBand);
  });
}

/**
 * Registrations per day. A national admin sees every region; anyone scoped to a
 * region sees only that region, whatever filter they ask for.
 */
export async function registrationsPerDay(
  pool: Pool,
  viewer: { role: string; region?: string },
  filter: { from?: string; to?: string; region?: string },
): Promise<DailyRegistrations> {
  let region = filter.region;
  if (viewer.role !== 'national-admin') {
    if (!viewer.region) throw new Forbidden('Your account is not scoped to a region.');
    if (region && region !== viewer.region) throw new Forbidden('You can only see your own region.');
    region = viewer.region;
  }
  const items = await dailyRegistrations(pool, { ...filter, region });
  return { items, total: items.reduce((sum, i) => sum + i.count, 0) };
}
