import { QUEUES, type Problem, type RegistrantHit } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { startTestIssuer, startTestService, type TestIssuer, type TestService } from '@jab/runtime/testing';
import { waitFor } from '@jab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchService } from '../service.js';

let issuer: TestIssuer;
let svc: TestService;
let staffToken: string;

const search = <T = { items: RegistrantHit[] }>(q: string, token = staffToken) =>
  svc.http.get<T>(`/registrants?q=${encodeURIComponent(q)}`, { token });
const names = async (q: string) => (await search(q)).body.items.map((i) => i.fullName);

const people = [
  registrantRegistered({ fullName: 'Zoë Ångström' }),
  registrantRegistered({ fullName: 'José Martínez' }),
  registrantRegistered({ fullName: 'Zoe Angstrom-Larsen' }),
  registrantRegistered({ fullName: 'Grace Okafor' }),
];

beforeAll(async () => {
  issuer = await startTestIssuer();
  svc = await startTestService(searchService, { JWKS_URL: issuer.jwksUrl });
  staffToken = await issuer.token('staff-1', 'staff');
  for (const p of people) await svc.enqueue(QUEUES.searchFromRegistration, p);
  await svc.drained(QUEUES.searchFromRegistration);
});
afterAll(async () => {
  await svc?.stop();
  await issuer?.close();
});

describe('staff search over registrants', () => {
  it('finds a name typed without its accents, exact match first, then the prefix match', async () => {
    expect(await names('zoe angstrom')).toEqual(['Zoë Ångström', 'Zoe Angstrom-Larsen']);
  });

  it('tolerates a typo', async () => {
    expect(await names('Jose Martinex')).toContain('José Martínez');
  });

  it('does not return unrelated people', async () => {
    expect(await names('Grace Okafor')).toEqual(['Grace Okafor']);
  });

  it('never lets an older event overwrite a newer document', async () => {
    const id = people[3].data.registrantId;
    await svc.enqueue(QUEUES.searchFromRegistration, registrantRegistered({ registrantId: id, fullName: 'Grace Okafor-Eze', version: 3 }));
    await waitFor(async () => (await names('Grace Okafor-Eze'))[0] === 'Grace Okafor-Eze');
    await svc.enqueue(QUEUES.searchFromRegistration, registrantRegistered({ registrantId: id, fullName: 'Grace Stale', version: 2 }));
    await svc.drained(QUEUES.searchFromRegistration);
    const { rows } = await svc.pool.query(`SELECT full_name, version FROM search.registrants WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ full_name: 'Grace Okafor-Eze', version: 3 });
  });

  it('is for staff only, and explains a bad query', async () => {
    expect((await search('zoe', '')).status).toBe(401);
    expect((await search('zoe', await issuer.token('acct-1', 'citizen'))).status).toBe(403);
    const bad = await search<Problem>('z');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0].path).toBe('query.q');
  });
});
