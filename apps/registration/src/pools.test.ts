/**
 * Reads that tolerate lag go to the reader; writes, and what a write or the caller's next
 * screen depends on, to the writer (docs/decisions/0006-read-replica.md). The reader here is
 * a database of its own that nothing replicates into, reached through a role that may only
 * read: what a route answers from it is what the test copied there, so each answer tells
 * which pool served it, and a write routed to it would fail.
 */
import type { CertificateList, CertificateView, DoseView, HouseholdList, RegistrantView, VerificationResult } from '@jab/contracts';
import { createTestReader, type TestReader } from '@jab/runtime/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordsWorld, type Person, type RecordsWorld } from './certificates/records.testing.js';
import { registrationService } from './service.js';

let reader: TestReader;
let world: RecordsWorld;
let person: Person;
let dose: DoseView;
let stopped = false;

const REASON = { 'X-Access-Reason': 'checking the record at the desk' };
/** What replication would have copied by now, in foreign-key order. */
const REPLICATED = ['vaccines', 'lots', 'centers', 'center_vaccines', 'accounts', 'registrants', 'doses', 'certificates'];

const accessRows = async (pool: pg.Pool) =>
  Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM registration.access_log WHERE registrant_id = $1', [person.id])).rows[0]?.n);

beforeAll(async () => {
  reader = await createTestReader(registrationService);
  world = await startRecordsWorld({ DATABASE_READ_URL: reader.url });
  person = await world.register('Amina Before', '1990-04-02');
  const recorded = await world.recordDose(person, { doseNumber: 1 });
  // Recording a dose reads the person, the lot and the series on the writer: the empty reader would refuse it.
  expect(recorded.status).toBe(201);
  dose = recorded.body;
}, 60_000);

afterAll(async () => {
  if (!stopped) await world?.svc.stop();
  await reader?.drop();
});

describe('the read pool', () => {
  it('answers lists and exports from the reader, while the household and own records come from the writer', async () => {
    const { call } = world;
    // Nothing replicated yet: the reader lags behind everything written so far.
    expect((await call<CertificateList>('GET', '/certificates', { token: person.token })).body.items).toEqual([]);
    expect((await call('GET', `/registrants/${person.id}/fhir`, { token: person.token })).status).toBe(404);
    expect((await call('GET', `/registrants/${person.id}/access-log`, { token: person.token })).status).toBe(404);
    expect((await call<HouseholdList>('GET', '/registrants', { token: person.token })).body.items.map((p) => p.id)).toEqual([person.id]);
    expect((await call<RegistrantView>('GET', `/registrants/${person.id}`, { token: person.token })).status).toBe(200);

    for (const table of REPLICATED) await reader.replicate(world.svc.pool, `registration.${table}`, 'true');
    // A change the reader has not seen yet: the household shows it, the export does not.
    const renamed = await call('PATCH', `/registrants/${person.id}`, { token: person.token, body: { fullName: 'Amina After' } });
    expect(renamed.status).toBe(200);
    expect((await call<HouseholdList>('GET', '/registrants', { token: person.token })).body.items[0]?.fullName).toBe('Amina After');
    const fhir = await call<{ entry: { resource: { resourceType: string; name?: { text: string }[] } }[] }>('GET', `/registrants/${person.id}/fhir`, {
      token: person.token,
    });
    expect(fhir.body.entry.find((e) => e.resource.resourceType === 'Patient')?.resource.name?.[0]?.text).toBe('Amina Before');

    const certificates = await call<CertificateList>('GET', '/certificates', { token: person.token });
    expect(certificates.body.items.map((c) => c.id)).toEqual([dose.certificateId]);
    const card = await call<CertificateView>('GET', `/certificates/${dose.certificateId}`, { token: person.token });
    expect(card.status).toBe(200);
    const verified = await call<VerificationResult>('POST', '/certificates/verify', { body: { jws: card.body.jws } });
    expect(verified.body).toMatchObject({ valid: true, certificateId: dose.certificateId });
  });

  it('reads a person for staff from the reader and writes every access-log row to the writer', async () => {
    const { call, parisNurse } = world;
    const before = await accessRows(world.svc.pool);
    const read = await call<RegistrantView>('GET', `/registrants/${person.id}`, { token: parisNurse, headers: REASON });
    expect(read.status).toBe(200);
    expect(read.body.fullName).toBe('Amina Before');
    expect((await call('GET', `/certificates?registrantId=${person.id}`, { token: parisNurse, headers: REASON })).status).toBe(200);
    expect((await call('GET', `/certificates/${dose.certificateId}`, { token: parisNurse, headers: REASON })).status).toBe(200);
    expect((await call('GET', `/registrants/${person.id}/fhir`, { token: parisNurse, headers: REASON })).status).toBe(200);
    expect(await accessRows(world.svc.pool)).toBe(before + 4);
    expect(await accessRows(reader.pool)).toBe(0);

    // The household sees the rows once the reader has them.
    expect((await call<{ items: unknown[] }>('GET', `/registrants/${person.id}/access-log`, { token: person.token })).body.items).toEqual([]);
    await reader.replicate(world.svc.pool, 'registration.access_log', 'registrant_id = $1', [person.id]);
    const log = await call<{ items: { action: string }[] }>('GET', `/registrants/${person.id}/access-log`, { token: person.token });
    expect(log.body.items.map((e) => e.action).sort()).toEqual(['certificate.list', 'certificate.read', 'dose.record', 'fhir.export', 'read']);
  });

  // Unskip once booking.parts.ts hands `readPool` to the catalogue, centers and doses routers (decision 0006).
  it("answers the vaccine and campaign lists, a center by id and a citizen's doses from the reader", async () => {
    const { call, paris, parisNurse } = world;
    // The reader's copies differ from the writer's rows: what a route shows names the pool that answered.
    await reader.pool.query(`UPDATE registration.vaccines SET name = name || ' (reader)'`);
    await reader.pool.query(`UPDATE registration.centers SET names = names || '{"en": "Paris (reader)"}' WHERE id = $1`, [paris.id]);
    await reader.pool.query(`UPDATE registration.doses SET site = 'right-arm' WHERE id = $1`, [dose.id]);
    await reader.pool.query(
      `WITH c AS (INSERT INTO registration.campaigns (id, name, starts_on, ends_on, target_age_bands)
                  VALUES (gen_random_uuid(), 'Reader campaign', '2026-01-01', '2026-12-31', '[{"minAge": 0, "maxAge": null}]') RETURNING id)
       INSERT INTO registration.campaign_vaccines (campaign_id, vaccine_id) SELECT c.id, $1 FROM c`,
      [world.vaccine.id],
    );
    expect((await call<{ items: { name: string }[] }>('GET', '/vaccines')).body.items.map((v) => v.name)).toEqual(['Certvax (reader)']);
    expect((await call<{ items: { name: string }[] }>('GET', '/campaigns', { token: parisNurse })).body.items.map((c) => c.name)).toEqual(['Reader campaign']);
    expect((await call<{ names: Record<string, string> }>('GET', `/centers/${paris.id}`)).body.names['en']).toBe('Paris (reader)');
    const doses = await call<{ items: DoseView[] }>('GET', `/doses?registrantId=${person.id}`, { token: person.token });
    expect(doses.body.items.map((d) => d.site)).toEqual(['right-arm']);
  });

  it('is checked for readiness, refuses writes (least privilege), and is closed on shutdown', async () => {
    const ready = await fetch(`${world.svc.url}/health/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: 'ok', 'postgres-reader': 'ok', redis: 'ok' } });

    const asReader = new pg.Client({ connectionString: reader.url });
    await asReader.connect();
    try {
      await expect(asReader.query(`DELETE FROM registration.certificates`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await asReader.end();
    }

    const readerConnections = async () =>
      Number((await reader.pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'registration-api-reader'`)).rows[0]?.n);
    expect(await readerConnections()).toBeGreaterThan(0);
    stopped = true;
    await world.svc.stop();
    expect(await readerConnections()).toBe(0);
  });
});
