import type {
  AefiByLotResponse,
  AnalyticsSummary,
  BreakdownResponse,
  CoverageResponse,
  DailyRegistrations,
  RegistrationEvent,
  TimeSeriesResponse,
  TopCentersResponse,
  UtilizationResponse,
} from '@jab/contracts';
import { QUEUES } from '@jab/contracts';
import { eventJobId } from '@jab/db';
import { createLogger } from '@jab/logger';
import { createQueue, createRedis } from '@jab/queue';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { redisUrl } from '@jab/testing';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsService } from '../service.js';

/**
 * A generated campaign: registrants (some updated, moved or removed), appointments
 * (booked, rescheduled, cancelled, no-shows, still to come), doses (series of one and
 * two), adverse events and a recalled lot. The events are delivered shuffled, with
 * duplicates, to real workers; every dashboard must then equal what is counted
 * straight from the generated truth below.
 */

// ---------- deterministic generator ----------
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
let idCounter = 0;
const uuid = () => `00000000-0000-4000-8000-${hex(++idCounter, 12)}`;

const REGIONS = ['SE-AB', 'FR-IDF', 'IN-MH'] as const;
const BANDS = ['18-27', '28-37', '48-57', '80+'] as const;
const SEXES = ['female', 'male', 'other', 'unknown'] as const;
const vaccines = [
  { id: uuid(), name: 'Comirnaty', series: 2, lots: ['CA-1', 'CA-2'] },
  { id: uuid(), name: 'Jcovden', series: 1, lots: ['JA-1'] },
];
const centers = REGIONS.flatMap((region) => [0, 1].map((i) => ({ id: uuid(), region, name: `${region} center ${i}` })));
const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}`;
const at = (d: number, hour: number) => `${day(d)}T${String(hour).padStart(2, '0')}:00:00.000Z`;

interface Registrant {
  id: string;
  accountId: string;
  region: string;
  ageBand: string;
  sex: (typeof SEXES)[number];
  registeredOn: string;
  deleted: boolean;
}
interface Appointment {
  id: string;
  registrant: Registrant;
  vaccine: (typeof vaccines)[number];
  doseNumber: number;
  center: (typeof centers)[number];
  startsAt: string;
  endsAt: string;
  bookedAt: string;
  cancelled?: { at: string; reason: 'citizen' | 'staff' | 'no-show' };
}
interface Dose {
  id: string;
  registrant: Registrant;
  appointmentId: string | null;
  center: (typeof centers)[number];
  vaccine: (typeof vaccines)[number];
  lot: string;
  doseNumber: number;
  seriesComplete: boolean;
  administeredAt: string;
  ageBand: string;
  sex: string;
}
interface Aefi {
  id: string;
  dose: Dose;
  severity: 'mild' | 'moderate' | 'severe' | 'death';
  reportedAt: string;
}

const events: RegistrationEvent[] = [];
const envelope = <T extends RegistrationEvent['type']>(type: T, occurredAt: string) => ({
  id: uuid(),
  type,
  v: 1 as const,
  occurredAt,
  source: 'registration',
});
const recipient = (r: Registrant) => ({
  accountId: r.accountId,
  preferredLanguage: 'en' as const,
  contact: { channel: 'email' as const, address: 'person@example.org' },
});
const placeOf = (a: { center: (typeof centers)[number]; startsAt: string; endsAt: string }, slotId = uuid()) => ({
  centerId: a.center.id,
  centerName: { en: a.center.name },
  centerAddress: '1 Main Street',
  centerTimeZone: 'UTC',
  region: a.center.region,
  slotId,
  startsAt: a.startsAt,
  endsAt: a.endsAt,
});

const registrants: Registrant[] = [];
const appointments: Appointment[] = [];
const doses: Dose[] = [];
const aefis: Aefi[] = [];
const recalled = { vaccine: vaccines[0]!, lot: 'CA-2' };

function generate() {
  for (let i = 0; i < 90; i++) {
    const r: Registrant = {
      id: uuid(),
      accountId: uuid(),
      region: pick(REGIONS),
      ageBand: pick(BANDS),
      sex: pick(SEXES),
      registeredOn: day(1 + Math.floor(random() * 5)),
      deleted: false,
    };
    registrants.push(r);
    const data = { registrantId: r.id, ...recipient(r), fullName: 'Test Person', birthYear: 1980, ageBand: r.ageBand, sex: r.sex, region: r.region };
    events.push({ ...envelope('registrant.registered', `${r.registeredOn}T08:00:00.000Z`), data: { ...data, registeredOn: r.registeredOn, version: 1 } });
    const roll = random();
    if (roll < 0.2) {
      // Moved to another region and age band: counts follow the newest version.
      r.region = pick(REGIONS);
      r.ageBand = pick(BANDS);
      events.push({
        ...envelope('registrant.updated', `${day(6)}T08:00:00.000Z`),
        data: { ...data, region: r.region, ageBand: r.ageBand, version: 2, deleted: false },
      });
      // …and an older version arriving late must not undo it.
      events.push({ ...envelope('registrant.updated', `${day(5)}T08:00:00.000Z`), data: { ...data, version: 1, deleted: false } });
    } else if (roll < 0.27) {
      r.deleted = true;
      events.push({ ...envelope('registrant.updated', `${day(7)}T08:00:00.000Z`), data: { ...data, version: 3, deleted: true } });
    }
  }

  for (const r of registrants.slice(0, 75)) {
    const vaccine = pick(vaccines);
    const inRegion = centers.filter((c) => c.region === r.region);
    const first: Appointment = {
      id: uuid(),
      registrant: r,
      vaccine,
      doseNumber: 1,
      center: pick(inRegion),
      startsAt: at(8 + Math.floor(random() * 4), 9),
      endsAt: '',
      bookedAt: at(6 + Math.floor(random() * 2), 10),
    };
    first.endsAt = first.startsAt.replace('09:00:00', '09:15:00');
    appointments.push(first);
    const bookedPlace = placeOf(first);
    events.push({
      ...envelope('appointment.booked', first.bookedAt),
      data: {
        appointmentId: first.id,
        registrantId: r.id,
        ...recipient(r),
        ...bookedPlace,
        appointmentCode: 'ABC123',
        doseNumber: 1,
        vaccineId: vaccine.id,
        vaccineName: vaccine.name,
        ageBand: r.ageBand,
        sex: r.sex,
        walkIn: false,
        bookedAt: first.bookedAt,
      },
    });

    if (random() < 0.25) {
      // Moved to another center (possibly in another region) and another day.
      const from = placeOf(first, bookedPlace.slotId);
      first.center = pick(centers);
      first.startsAt = at(12 + Math.floor(random() * 3), 11);
      first.endsAt = first.startsAt.replace('11:00:00', '11:15:00');
      events.push({
        ...envelope('appointment.rescheduled', at(7, 12)),
        data: {
          appointmentId: first.id,
          registrantId: r.id,
          ...recipient(r),
          appointmentCode: 'ABC123',
          doseNumber: 1,
          vaccineId: vaccine.id,
          from,
          to: placeOf(first),
          rescheduledAt: at(7, 12),
        },
      });
    }

    const outcome = random();
    if (outcome < 0.18) {
      first.cancelled = { at: at(7, 18), reason: pick(['citizen', 'staff'] as const) };
    } else if (outcome < 0.28) {
      first.cancelled = { at: at(20, 8), reason: 'no-show' };
    } else if (outcome < 0.4) {
      // Not yet due: booked for next year, neither a dose nor a no-show.
      first.startsAt = '2027-06-01T09:00:00.000Z';
      first.endsAt = '2027-06-01T09:15:00.000Z';
      events.push({
        ...envelope('appointment.rescheduled', at(7, 20)),
        data: {
          appointmentId: first.id,
          registrantId: r.id,
          ...recipient(r),
          appointmentCode: 'ABC123',
          doseNumber: 1,
          vaccineId: vaccine.id,
          from: placeOf(first),
          to: placeOf(first),
          rescheduledAt: at(7, 20),
        },
      });
    } else if (outcome < 0.52) {
      // Passed without a dose: a no-show computed from the facts.
    } else {
      const dose = administer(r, first.id, first.center, vaccine, 1, first.startsAt);
      events.push({
        ...envelope('appointment.checked_in', first.startsAt),
        data: { appointmentId: first.id, registrantId: r.id, centerId: first.center.id, region: first.center.region, staffId: uuid(), checkedInAt: first.startsAt },
      });
      if (vaccine.series === 2 && random() < 0.6) administer(r, null, pick(centers), vaccine, 2, at(25, 14));
      if (random() < 0.3) {
        const aefi: Aefi = { id: uuid(), dose, severity: pick(['mild', 'moderate', 'severe', 'death'] as const), reportedAt: at(26, 9) };
        aefis.push(aefi);
        events.push({
          ...envelope('aefi.reported', aefi.reportedAt),
          data: {
            aefiId: aefi.id,
            doseId: dose.id,
            registrantId: r.id,
            vaccineId: dose.vaccine.id,
            lotNumber: dose.lot,
            region: dose.center.region,
            severity: aefi.severity,
            onsetDate: day(26),
            reportedBy: 'citizen',
            reportedAt: aefi.reportedAt,
          },
        });
      }
    }
    if (first.cancelled) {
      events.push({
        ...envelope('appointment.cancelled', first.cancelled.at),
        data: {
          appointmentId: first.id,
          registrantId: r.id,
          ...recipient(r),
          ...placeOf(first),
          doseNumber: 1,
          vaccineId: vaccine.id,
          reason: first.cancelled.reason,
          cancelledAt: first.cancelled.at,
        },
      });
    }
  }
  events.push({
    ...envelope('lot.recalled', at(27, 9)),
    data: { lotNumber: recalled.lot, vaccineId: recalled.vaccine.id, vaccineName: recalled.vaccine.name, reason: 'temperature excursion', recalledAt: at(27, 9) },
  });
}

function administer(
  r: Registrant,
  appointmentId: string | null,
  center: (typeof centers)[number],
  vaccine: (typeof vaccines)[number],
  doseNumber: number,
  administeredAt: string,
): Dose {
  const dose: Dose = {
    id: uuid(),
    registrant: r,
    appointmentId,
    center,
    vaccine,
    lot: pick(vaccine.lots),
    doseNumber,
    seriesComplete: doseNumber === vaccine.series,
    administeredAt,
    ageBand: r.ageBand,
    sex: r.sex,
  };
  doses.push(dose);
  events.push({
    ...envelope('dose.administered', administeredAt),
    data: {
      doseId: dose.id,
      registrantId: r.id,
      ...recipient(r),
      appointmentId,
      centerId: center.id,
      region: center.region,
      vaccineId: vaccine.id,
      vaccineName: vaccine.name,
      lotNumber: dose.lot,
      doseNumber,
      seriesDoses: vaccine.series,
      seriesComplete: dose.seriesComplete,
      administeredAt,
      ageBand: dose.ageBand,
      sex: dose.sex as 'female',
      nextDoseEarliest: null,
    },
  });
  return dose;
}

// ---------- the truth, counted straight from the generated data ----------
type Filter = { region?: string };
const inRegion = (f: Filter, region: string) => !f.region || f.region === region;
const countBy = <T>(items: T[], key: (t: T) => string) => {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
};
const dayOf = (iso: string) => iso.slice(0, 10);
const hasDose = (a: Appointment) => doses.some((d) => d.appointmentId === a.id);
const isNoShow = (a: Appointment) =>
  a.cancelled?.reason === 'no-show' || (!a.cancelled && Date.parse(a.endsAt) < Date.now() && !hasDose(a));

function truth(f: Filter) {
  const regs = registrants.filter((r) => !r.deleted && inRegion(f, r.region));
  const appts = appointments.filter((a) => inRegion(f, a.center.region));
  const ds = doses.filter((d) => inRegion(f, d.center.region));
  const cancellations = appts.filter((a) => a.cancelled && a.cancelled.reason !== 'no-show');
  const noShows = appts.filter(isNoShow);

  const series = new Map<string, { registrations: number; bookings: number; cancellations: number; noShows: number; doses: number }>();
  const point = (p: string) => {
    if (!series.has(p)) series.set(p, { registrations: 0, bookings: 0, cancellations: 0, noShows: 0, doses: 0 });
    return series.get(p)!;
  };
  for (const r of regs) point(r.registeredOn).registrations++;
  for (const a of appts) point(dayOf(a.bookedAt)).bookings++;
  for (const a of cancellations) point(dayOf(a.cancelled!.at)).cancellations++;
  for (const a of noShows) point(dayOf(a.startsAt)).noShows++;
  for (const d of ds) point(dayOf(d.administeredAt)).doses++;

  // Coverage: people attributed to their registration's region and age band.
  const people = new Map<string, { region: string; ageBand: string; complete: boolean }>();
  for (const d of [...doses].sort((a, b) => a.administeredAt.localeCompare(b.administeredAt) || a.id.localeCompare(b.id))) {
    const r = d.registrant;
    const p = people.get(r.id) ?? {
      region: r.deleted ? d.center.region : r.region,
      ageBand: r.deleted ? d.ageBand : r.ageBand,
      complete: false,
    };
    p.complete ||= d.seriesComplete;
    people.set(r.id, p);
  }
  const covered = [...people.values()].filter((p) => inRegion(f, p.region));

  const aefiLots = new Map<string, { reports: number; serious: number }>();
  for (const a of aefis.filter((x) => inRegion(f, x.dose.center.region))) {
    const lot = aefiLots.get(a.dose.lot) ?? { reports: 0, serious: 0 };
    lot.reports++;
    if (a.severity === 'severe' || a.severity === 'death') lot.serious++;
    aefiLots.set(a.dose.lot, lot);
  }

  return {
    summary: {
      registrations: regs.length,
      bookings: appts.length,
      cancellations: cancellations.length,
      noShows: noShows.length,
      doses: ds.length,
      aefiReports: aefis.filter((a) => inRegion(f, a.dose.center.region)).length,
    },
    series: [...series.entries()]
      .map(([period, v]) => ({ period, ...v }))
      .sort((a, b) => a.period.localeCompare(b.period)),
    breakdowns: {
      region: countBy(ds, (d) => d.center.region),
      vaccine: countBy(ds, (d) => d.vaccine.id),
      ageBand: countBy(ds, (d) => d.ageBand),
      sex: countBy(ds, (d) => d.sex),
      doseNumber: countBy(ds, (d) => String(d.doseNumber)),
    },
    coverage: {
      atLeastOne: countBy(covered, (p) => `${p.region}|${p.ageBand}`),
      full: countBy(covered.filter((p) => p.complete), (p) => `${p.region}|${p.ageBand}`),
    },
    dosesByCenter: countBy(ds, (d) => d.center.id),
    scheduled: countBy(appts.filter((a) => !a.cancelled), (a) => `${dayOf(a.startsAt)}|${a.center.id}`),
    administered: countBy(ds, (d) => `${dayOf(d.administeredAt)}|${d.center.id}`),
    aefiLots,
  };
}

// ---------- the run ----------
let issuer: TestIssuer;
let svc: TestService;
let national: string;
const regional = new Map<string, string>();

async function deliver(list: RegistrationEvent[], jobIdOf: (e: RegistrationEvent, i: number) => string) {
  const connection = createRedis(redisUrl(), { forWorker: true });
  const queue = createQueue(QUEUES.analyticsFromRegistration, { connection, prefix: svc.prefix, logger: createLogger({ service: 'test', level: 'silent' }) });
  await queue.addBulk(list.map((e, i) => ({ name: e.type, data: e, opts: { jobId: jobIdOf(e, i) } })));
  await queue.close();
  await connection.quit();
  await svc.drained(QUEUES.analyticsFromRegistration);
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

beforeAll(async () => {
  generate();
  issuer = await startTestIssuer();
  svc = await startTestService(analyticsService, { JWKS_URL: issuer.jwksUrl });
  national = await issuer.token('admin-1', 'national-admin');
  for (const region of REGIONS) regional.set(region, await issuer.token(`ca-${region}`, 'center-admin', { region }));
  // Every event once under its own job id, a quarter of them again under another
  // (a redelivery the queue cannot deduplicate), all in random order.
  const duplicates = events.filter(() => random() < 0.25);
  const delivery = shuffle([...events.map((e) => ({ e, dup: false })), ...duplicates.map((e) => ({ e, dup: true }))]);
  await deliver(
    delivery.map((d) => d.e),
    (e, i) => (delivery[i]!.dup ? `again-${e.id}` : eventJobId(e)),
  );
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await issuer?.close();
});

const get = <T>(path: string, token = national) => svc.http.get<T>(path, { token });
const mapOf = (items: { key: string; doses: number }[]) => new Map(items.map((i) => [i.key, i.doses]));

describe('rollups after a campaign delivered shuffled and twice', () => {
  it('has processed every distinct event exactly once', async () => {
    const { rows } = await svc.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics.processed_events');
    expect(rows[0]?.n).toBe(events.length);
  });

  it.each([undefined, ...REGIONS])('summary and daily series equal the generated counts (region %s)', async (region) => {
    const q = region ? `?region=${region}` : '';
    const expected = truth({ region });
    const summary = await get<AnalyticsSummary>(`/summary${q}`);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject(expected.summary);
    const series = await get<TimeSeriesResponse>(`/timeseries${q}`);
    expect(series.body.items).toEqual(expected.series);
  });

  it('keeps answering registrations per day (the web dashboard’s first endpoint), with its filters', async () => {
    const perDay = truth({}).series.filter((p) => p.registrations > 0).map((p) => ({ day: p.period, count: p.registrations }));
    const res = await get<DailyRegistrations>('/registrations/daily');
    expect(res.body).toEqual({ items: perDay, total: registrants.filter((r) => !r.deleted).length });
    const fr = truth({ region: 'FR-IDF' }).series.filter((p) => p.registrations > 0 && p.period >= day(3));
    const filtered = await get<DailyRegistrations>(`/registrations/daily?from=${day(3)}&region=FR-IDF`);
    expect(filtered.body.items).toEqual(fr.map((p) => ({ day: p.period, count: p.registrations })));
    expect((await get('/registrations/daily?from=2026-03-09&to=2026-03-01')).status).toBe(400);
  });

  it('weekly series add up the days into ISO weeks', async () => {
    const daily = truth({}).series;
    const weekly = await get<TimeSeriesResponse>('/timeseries?interval=week&from=2026-03-01&to=2026-03-31');
    const monday = (d: string) => {
      const date = new Date(`${d}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
      return date.toISOString().slice(0, 10);
    };
    const expected = new Map<string, number>();
    for (const p of daily.filter((p) => p.period.startsWith('2026-03') && p.doses > 0)) expected.set(monday(p.period), (expected.get(monday(p.period)) ?? 0) + p.doses);
    expect(new Map(weekly.body.items.filter((p) => p.doses > 0).map((p) => [p.period, p.doses]))).toEqual(expected);
  });

  it.each(['region', 'vaccine', 'ageBand', 'sex', 'doseNumber'] as const)('doses broken down by %s equal the generated doses', async (dimension) => {
    const res = await get<BreakdownResponse>(`/breakdowns/${dimension}`);
    expect(mapOf(res.body.items)).toEqual(truth({}).breakdowns[dimension]);
    if (dimension === 'vaccine') expect(res.body.items.map((i) => i.label).sort()).toEqual(vaccines.filter((v) => truth({}).breakdowns.vaccine.has(v.id)).map((v) => v.name).sort());
  });

  it('coverage counts people, once each, with the full series apart', async () => {
    const res = await get<CoverageResponse>('/coverage');
    const expected = truth({}).coverage;
    expect(new Map(res.body.items.map((c) => [`${c.region}|${c.ageBand}`, c.atLeastOneDose]))).toEqual(expected.atLeastOne);
    const full = new Map(res.body.items.filter((c) => c.fullSeries > 0).map((c) => [`${c.region}|${c.ageBand}`, c.fullSeries]));
    expect(full).toEqual(expected.full);
    expect(res.body.totals.atLeastOneDose).toBe(new Set(doses.map((d) => d.registrant.id)).size);
  });

  it('top centers, utilization and AEFI by lot equal the generated data', async () => {
    const expected = truth({});
    const top = await get<TopCentersResponse>('/centers/top?limit=100');
    expect(new Map(top.body.items.filter((c) => c.doses > 0).map((c) => [c.centerId, c.doses]))).toEqual(expected.dosesByCenter);
    expect(top.body.items[0]?.doses).toBe(Math.max(...expected.dosesByCenter.values()));
    expect(top.body.items.every((c) => c.name === centers.find((x) => x.id === c.centerId)?.name)).toBe(true);

    const util = await get<UtilizationResponse>('/utilization?limit=500');
    expect(new Map(util.body.items.filter((u) => u.scheduled > 0).map((u) => [`${u.day}|${u.centerId}`, u.scheduled]))).toEqual(expected.scheduled);
    expect(new Map(util.body.items.filter((u) => u.administered > 0).map((u) => [`${u.day}|${u.centerId}`, u.administered]))).toEqual(expected.administered);

    const lots = await get<AefiByLotResponse>('/aefi/lots');
    expect(new Map(lots.body.items.map((l) => [l.lotNumber, { reports: l.reports, serious: l.serious }]))).toEqual(expected.aefiLots);
    for (const l of lots.body.items) {
      expect(l.doses).toBe(doses.filter((d) => d.lot === l.lotNumber).length);
      expect(l.recalled).toBe(l.lotNumber === recalled.lot);
    }
  });

  it('shows bookings against the capacity of the day’s sessions, a redelivered session counted once', async () => {
    const row = (await get<UtilizationResponse>('/utilization?limit=500')).body.items.find((u) => u.scheduled > 0)!;
    expect(row).toMatchObject({ capacity: null, bookedRate: null });
    const session = (capacity: number, sessionId = uuid()): RegistrationEvent => ({
      id: uuid(),
      type: 'session.scheduled',
      v: 1,
      occurredAt: new Date().toISOString(),
      source: 'registration',
      data: { sessionId, centerId: row.centerId, region: row.region, vaccineId: vaccines[0]!.id, day: row.day, slots: 4, capacity },
    });
    const morning = session(row.scheduled * 2);
    const afternoon = session(row.scheduled);
    // The same session again, as a second event: its seats are not added twice.
    await deliver([morning, afternoon, { ...morning, id: uuid() }], (e) => e.id);
    const after = (await get<UtilizationResponse>('/utilization?limit=500')).body.items.find((u) => u.day === row.day && u.centerId === row.centerId)!;
    expect(after.capacity).toBe(row.scheduled * 3);
    expect(after.bookedRate).toBeCloseTo(1 / 3);
  });

  it('keeps every rollup row equal to a recount of the facts', async () => {
    const { rows } = await svc.pool.query<{ rollup: number; facts: number }>(
      `SELECT (SELECT sum(doses)::int FROM analytics.doses_daily) AS rollup, (SELECT count(*)::int FROM analytics.doses) AS facts
       UNION ALL
       SELECT (SELECT sum(scheduled)::int FROM analytics.center_daily), (SELECT count(*)::int FROM analytics.appointments WHERE cancelled_at IS NULL)
       UNION ALL
       SELECT (SELECT sum(registrations)::int FROM analytics.registrations_daily),
              (SELECT count(*)::int FROM analytics.registrants WHERE NOT deleted AND registered_on IS NOT NULL)`,
    );
    for (const r of rows) expect(r.rollup).toBe(r.facts);
  });
});

describe('regional scope', () => {
  const endpoints = ['/summary', '/timeseries', '/timeseries?interval=week', '/breakdowns/region', '/breakdowns/vaccine', '/centers/top', '/utilization', '/coverage', '/aefi/lots', '/registrations/daily'];

  it.each(endpoints)('a regional admin gets exactly their region from %s, and 403 for another', async (path) => {
    const join = path.includes('?') ? '&' : '?';
    for (const region of REGIONS) {
      const own = await get<unknown>(path, regional.get(region));
      expect(own.status).toBe(200);
      expect(own.body).toEqual((await get<unknown>(`${path}${join}region=${region}`)).body);
      const other = REGIONS.find((r) => r !== region)!;
      expect((await get(`${path}${join}region=${other}`, regional.get(region))).status).toBe(403);
    }
  });

  it('shows a regional admin no row of another region', async () => {
    const token = regional.get('SE-AB');
    const regions = [
      ...(await get<BreakdownResponse>('/breakdowns/region', token)).body.items.map((i) => i.key),
      ...(await get<TopCentersResponse>('/centers/top?limit=100', token)).body.items.map((i) => i.region),
      ...(await get<UtilizationResponse>('/utilization?limit=500', token)).body.items.map((i) => i.region),
      ...(await get<CoverageResponse>('/coverage', token)).body.items.map((i) => i.region),
    ];
    expect(regions.length).toBeGreaterThan(0);
    expect(new Set(regions)).toEqual(new Set(['SE-AB']));
  });

  it('refuses citizens, vaccinators and admins without a region', async () => {
    for (const token of [
      await issuer.token('acct-1', 'citizen'),
      await issuer.token('staff-1', 'staff', { region: 'SE-AB' }),
      await issuer.token('ca-none', 'center-admin'),
    ]) {
      for (const path of endpoints) expect((await get(path, token)).status).toBe(403);
    }
    expect((await svc.http.get('/summary')).status).toBe(401);
  });

  it('explains bad filters field by field', async () => {
    const res = await get<{ errors: { path: string }[] }>('/summary?vaccine=nope&region=sweden');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path).sort()).toEqual(['query.region', 'query.vaccine']);
    const range = await get<{ errors: { path: string }[] }>('/timeseries?from=2026-03-09&to=2026-03-01');
    expect(range.body.errors.map((e) => e.path)).toEqual(['query.from']);
    expect((await get('/breakdowns/mood')).status).toBe(400);
  });
});

describe('dashboard cache', () => {
  const metric = async (name: string) => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name) && l.includes('cache="analytics-dashboards"'));
    return Number(line?.split(' ').pop() ?? 0);
  };

  it('answers a repeated question from Redis and recounts once a new event changes the numbers', async () => {
    const path = '/summary?region=IN-MH';
    const before = (await get<AnalyticsSummary>(path)).body;
    const hits = await metric('cache_hits_total');
    expect((await get<AnalyticsSummary>(path)).body).toEqual(before);
    expect(await metric('cache_hits_total')).toBe(hits + 1);

    const r = registrants.find((x) => x.region === 'IN-MH' && !x.deleted)!;
    administer(r, null, centers.find((c) => c.region === 'IN-MH')!, vaccines[1]!, 1, at(28, 10));
    await deliver([events.at(-1)!], (e) => eventJobId(e));

    const after = (await get<AnalyticsSummary>(path)).body;
    expect(after.doses).toBe(before.doses + 1);
    expect(after.doses).toBe(truth({ region: 'IN-MH' }).summary.doses);
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    expect(text).toMatch(/analytics_cache_hit_ratio\{[^}]*\} 0\.\d+/);
    expect(text).toMatch(/analytics_data_freshness_seconds_count\{[^}]*\} [1-9]\d*/);
  });
});

describe('target population', () => {
  it('loads a CSV and turns counts into coverage rates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jab-pop-'));
    const file = join(dir, 'population.csv');
    await writeFile(file, 'region,age_band,population\nSE-AB,18-27,1000\nSE-AB,80+,500\nFR-IDF,28-37,2000\n');
    await svc.command(['load-population', file]);
    const res = await get<CoverageResponse>('/coverage?region=SE-AB');
    const cell = res.body.items.find((c) => c.ageBand === '18-27')!;
    expect(cell.population).toBe(1000);
    expect(cell.atLeastOneDoseRate).toBeCloseTo(cell.atLeastOneDose / 1000);
    expect(res.body.items.find((c) => c.ageBand === '80+')?.population).toBe(500);
  });

  it('refuses a file with a bad row and writes nothing from it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jab-pop-'));
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'region,age_band,population\nIN-MH,18-27,900\nMaharashtra,18-27,-5\n');
    await expect(svc.command(['load-population', file])).rejects.toThrow(/line 3: region: .*\n.*line 3: population: must not be negative/);
    const { rows } = await svc.pool.query(`SELECT 1 FROM analytics.target_population WHERE region = 'IN-MH'`);
    expect(rows).toHaveLength(0);
  });

  it('loads the sample file shipped with the service', async () => {
    await svc.command(['load-population', join(import.meta.dirname, '../../data/population.sample.csv')]);
    const { rows } = await svc.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM analytics.target_population WHERE region = 'FR-IDF'`);
    expect(rows[0]?.n).toBe(9);
  });
});
