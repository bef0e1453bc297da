import type { HouseholdList, Problem, RegistrantCreated, RegistrantView } from '@jab/contracts';
import { startTestService, startTestIssuer, type TestService } from '@jab/runtime/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, identityTestEnv, signInCitizen } from '../identity/session.testing.js';
import { registrationService } from '../service.js';

let svc: TestService;
const env = identityTestEnv();
const email = (name: string) => ({ channel: 'email' as const, address: `${name}@example.org` });
const person = (fullName: string, extra: Record<string, unknown> = {}) => ({
  fullName,
  birthDate: '1985-06-15',
  region: 'IN-MH',
  preferredLanguage: 'hi',
  ...extra,
});

async function counts() {
  const { rows } = await svc.pool.query<{ accounts: number; registrants: number; outbox: number }>(
    `SELECT (SELECT count(*)::int FROM registration.accounts) AS accounts,
            (SELECT count(*)::int FROM registration.registrants) AS registrants,
            (SELECT count(*)::int FROM registration.outbox) AS outbox`,
  );
  return rows[0];
}

beforeAll(async () => {
  svc = await startTestService(registrationService, env);
});
afterAll(() => svc?.stop());

describe('a household', () => {
  it('holds at most 4 people, even when 10 are added at once', async () => {
    const { accessToken } = await signInCitizen(svc, env, email('big-family'));
    const adds = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call<RegistrantCreated | Problem>(svc, 'POST', '/registrants', { body: person(`Member ${i}`), token: accessToken }),
      ),
    );
    const statuses = adds.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 409, 409, 409, 409, 409, 409]);
    expect((adds.find((a) => a.status === 409)?.body as Problem).detail).toMatch(/at most 4/);

    const list = await call<HouseholdList>(svc, 'GET', '/registrants', { token: accessToken });
    expect(list.body.items).toHaveLength(4);
    const { rows } = await svc.pool.query(
      `SELECT a.member_count,
              (SELECT count(*)::int FROM registration.outbox o
                WHERE o.type = 'registrant.registered' AND o.payload->'data'->>'accountId' = a.id::text) AS events
         FROM registration.accounts a WHERE contact_address = 'big-family@example.org'`,
    );
    expect(rows[0]).toEqual({ member_count: 4, events: 4 });
  });

  it('is bounded by the database itself, whatever path inserts', async () => {
    const { rows } = await svc.pool.query(`SELECT id FROM registration.accounts WHERE contact_address = 'big-family@example.org'`);
    await expect(
      svc.pool.query(
        `INSERT INTO registration.registrants (id, account_id, full_name, birth_date, region, preferred_language)
         VALUES ($1, $2, 'Fifth Person', '2000-01-01', 'IN-MH', 'en')`,
        [randomUUID(), rows[0].id],
      ),
    ).rejects.toMatchObject({ constraint: 'accounts_member_count_check' });
  });

  it('keeps the anonymous registration creating a new account, which the same person can then sign in to', async () => {
    const created = await call<RegistrantCreated>(svc, 'POST', '/registrants', { body: { ...person('Asha Rao'), contact: email('asha') } });
    expect(created.status).toBe(201);
    expect(created.body.accessToken).toEqual(expect.any(String));
    const { accessToken } = await signInCitizen(svc, env, email('asha'));
    const added = await call<RegistrantCreated>(svc, 'POST', '/registrants', { body: person('Ravi Rao'), token: accessToken });
    expect(added.status).toBe(201);
    expect(added.body.accessToken).toBeUndefined();
    const list = await call<HouseholdList>(svc, 'GET', '/registrants', { token: accessToken });
    expect(list.body.items.map((p) => p.fullName)).toEqual(['Asha Rao', 'Ravi Rao']);
    // The event of the added person reaches the household's contact.
    const { rows } = await svc.pool.query(
      `SELECT payload->'data' AS data FROM registration.outbox WHERE payload->'data'->>'registrantId' = $1`,
      [added.body.registrant.id],
    );
    expect(rows[0].data).toMatchObject({ fullName: 'Ravi Rao', contact: email('asha'), version: 1 });
  });

  it('asks an anonymous caller for a contact and a staff caller to use their own tools', async () => {
    const before = await counts();
    const anonymous = await call<Problem>(svc, 'POST', '/registrants', { body: person('No Contact') });
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.errors).toEqual([{ path: 'body.contact', message: 'is required' }]);
    const issuer = await startTestIssuer();
    try {
      // A token from another issuer's key is refused outright, not treated as anonymous.
      const foreign = await issuer.token(randomUUID(), 'citizen');
      expect((await call(svc, 'POST', '/registrants', { body: person('Forged'), token: foreign })).status).toBe(401);
    } finally {
      await issuer.close();
    }
    expect(await counts()).toEqual(before);
  });
});

describe('one household and another', () => {
  let mine: { token: string; person: RegistrantView };
  let theirs: { token: string; person: RegistrantView };

  beforeAll(async () => {
    const setUp = async (name: string) => {
      const { accessToken } = await signInCitizen(svc, env, email(name));
      const res = await call<RegistrantCreated>(svc, 'POST', '/registrants', { body: person(`${name} Person`), token: accessToken });
      return { token: accessToken, person: res.body.registrant };
    };
    [mine, theirs] = await Promise.all([setUp('mine'), setUp('theirs')]);
  });

  it('lists only its own people', async () => {
    const list = await call<HouseholdList>(svc, 'GET', '/registrants', { token: mine.token });
    expect(list.body.items.map((p) => p.id)).toEqual([mine.person.id]);
  });

  it('cannot read, change or see the access log of a person of another household', async () => {
    const before = await counts();
    const read = await call<Problem>(svc, 'GET', `/registrants/${theirs.person.id}`, { token: mine.token });
    const patch = await call<Problem>(svc, 'PATCH', `/registrants/${theirs.person.id}`, { body: { fullName: 'Hijacked' }, token: mine.token });
    const log = await call<Problem>(svc, 'GET', `/registrants/${theirs.person.id}/access-log`, { token: mine.token });
    expect([read.status, patch.status, log.status]).toEqual([404, 404, 404]);
    expect(await counts()).toEqual(before);
    const { rows } = await svc.pool.query(`SELECT full_name, version FROM registration.registrants WHERE id = $1`, [theirs.person.id]);
    expect(rows[0]).toEqual({ full_name: 'theirs Person', version: 1 });
    expect((await call(svc, 'GET', `/registrants/${mine.person.id}`, { token: mine.token })).status).toBe(200);
  });

  it('requires a citizen token to list or change people', async () => {
    expect((await call(svc, 'GET', '/registrants')).status).toBe(401);
    expect((await call(svc, 'PATCH', `/registrants/${mine.person.id}`, { body: { fullName: 'Nobody' } })).status).toBe(401);
  });

  it('changes its own person, bumping the version and emitting the whole record', async () => {
    const res = await call<RegistrantView>(svc, 'PATCH', `/registrants/${mine.person.id}`, {
      body: { fullName: 'Mine Renamed', preferredLanguage: 'en' },
      token: mine.token,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ fullName: 'Mine Renamed', preferredLanguage: 'en', region: 'IN-MH', version: 2 });
    const { rows } = await svc.pool.query(`SELECT payload FROM registration.outbox WHERE type = 'registrant.updated'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].payload.data).toEqual({
      registrantId: mine.person.id,
      accountId: expect.any(String),
      fullName: 'Mine Renamed',
      birthYear: 1985,
      ageBand: expect.any(String),
      sex: 'unknown',
      region: 'IN-MH',
      preferredLanguage: 'en',
      contact: email('mine'),
      version: 2,
      deleted: false,
    });
  });

  it('refuses an empty or unknown change with field messages and writes nothing', async () => {
    const before = await counts();
    const empty = await call<Problem>(svc, 'PATCH', `/registrants/${mine.person.id}`, { body: {}, token: mine.token });
    const unknown = await call<Problem>(svc, 'PATCH', `/registrants/${mine.person.id}`, { body: { accountId: theirs.person.id }, token: mine.token });
    const badId = await call<Problem>(svc, 'PATCH', '/registrants/not-an-id', { body: { fullName: 'Valid Name' }, token: mine.token });
    expect([empty.status, unknown.status, badId.status]).toEqual([400, 400, 400]);
    expect(badId.body.errors?.[0].path).toBe('params.id');
    expect(await counts()).toEqual(before);
  });
});

describe('national ID', () => {
  const nationalId = '8765 4321 0987';

  it('is stored only as a keyed hash and a ciphertext, never in clear in the row or the outbox', async () => {
    const res = await call<RegistrantCreated>(svc, 'POST', '/registrants', {
      body: { ...person('Id Holder', { nationalId }), contact: email('id-holder') },
    });
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain('0987');
    const { rows } = await svc.pool.query(
      `SELECT row_to_json(r)::text AS row, encode(national_id_enc, 'escape') AS enc, length(national_id_hash) AS hash_bytes
         FROM registration.registrants r WHERE id = $1`,
      [res.body.registrant.id],
    );
    expect(rows[0].hash_bytes).toBe(32);
    for (const form of ['876543210987', '8765 4321 0987', '0987']) {
      expect(rows[0].row).not.toContain(form);
      expect(rows[0].enc).not.toContain(form);
    }
    const outbox = await svc.pool.query(`SELECT payload::text AS payload FROM registration.outbox`);
    expect(outbox.rows.map((r) => r.payload).join('\n')).not.toContain('876543210987');
  });

  it('cannot register twice, however it is written, and a refused registration writes nothing', async () => {
    const before = await counts();
    const again = await call<Problem>(svc, 'POST', '/registrants', {
      body: { ...person('Someone Else', { nationalId: '8765-4321-0987' }), contact: email('impostor') },
    });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ path: 'body.nationalId', message: 'is already registered' }]);
    const { accessToken } = await signInCitizen(svc, env, email('other-family'));
    const afterSignIn = await counts();
    const intoHousehold = await call<Problem>(svc, 'POST', '/registrants', {
      body: person('Another One', { nationalId: '876543210987' }),
      token: accessToken,
    });
    expect(intoHousehold.status).toBe(409);
    expect(await counts()).toEqual({ ...afterSignIn });
    expect(afterSignIn.registrants).toBe(before.registrants);
  });

  it('refuses a malformed ID with a field message', async () => {
    const res = await call<Problem>(svc, 'POST', '/registrants', {
      body: { ...person('Bad Id', { nationalId: '12' }), contact: email('bad-id') },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toEqual(['body.nationalId']);
  });
});
