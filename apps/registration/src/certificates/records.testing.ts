/**
 * Test support for the records tests (imported by *.test.ts only): a running service
 * whose token key is published as `jab-1` (so health cards, which need the key's
 * thumbprint as kid, must be published beside it), a vaccine with two lots, a center
 * in Paris and one in Lyon with a vaccinator each, and helpers to register people and
 * record their doses through the API.
 */
import { createSigner, generateSigningKey, type Role } from '@jab/auth';
import type { CenterView, DoseView, LotView, RegistrantCreated, VaccineView } from '@jab/contracts';
import { AUDIENCE, ISSUER } from '@jab/runtime';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { randomUUID } from 'node:crypto';
import { call, identityTestEnv, type Reply } from '../identity/session.testing.js';
import { registrationService } from '../service.js';

export const SHC_ISSUER = 'https://jab.example/api/registration/v1';

export interface Person {
  id: string;
  /** The household's citizen token. */
  token: string;
}

export interface RecordsWorld {
  svc: TestService;
  token(role: Role, extra?: { centerId?: string; region?: string }): Promise<string>;
  admin: string;
  vaccine: VaccineView;
  paris: CenterView;
  lyon: CenterView;
  /** A vaccinator of each center. */
  parisNurse: string;
  lyonNurse: string;
  register(fullName: string, birthDate: string): Promise<Person>;
  /** Without an appointment; `reason` is what staff of another region must state (X-Access-Reason). */
  recordDose(person: Person, dose: { doseNumber: number; lotNumber?: string; hoursAgo?: number }, staff?: string, reason?: string): Promise<Reply<DoseView>>;
  call: <T>(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }) => Promise<Reply<T>>;
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** `env`: settings on top of the world's own (a `DATABASE_READ_URL`, say). */
export async function startRecordsWorld(env: Record<string, string> = {}): Promise<RecordsWorld> {
  const key = await generateSigningKey();
  const svc = await startTestService(
    registrationService,
    identityTestEnv({ JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk), JWT_KEY_ID: 'jab-1', SHC_ISSUER_URL: SHC_ISSUER, ...env }),
  );
  const signer = createSigner({ privateJwk: key.privateJwk, kid: 'jab-1', issuer: ISSUER });
  const token: RecordsWorld['token'] = (role, extra = {}) =>
    signer.issue({ sub: randomUUID(), role, ...extra, audience: AUDIENCE, ttlSeconds: 900 });
  const api: RecordsWorld['call'] = (method, path, options = {}) => call(svc, method, path, options);
  const expectCreated = <T>(res: Reply<T>): T => {
    if (res.status !== 201) throw new Error(`setup answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  const admin = await token('national-admin');
  const vaccine = expectCreated(
    await api<VaccineView>('POST', '/vaccines', {
      token: admin,
      body: { name: 'Certvax', manufacturer: 'Cert Labs', seriesDoses: 2, minIntervalDays: 21, minAgeYears: 12, cvxCode: '208' },
    }),
  );
  for (const lotNumber of ['CV-LOT-1', 'CV-LOT-2'])
    expectCreated(await api<LotView>('POST', '/lots', { token: admin, body: { vaccineId: vaccine.id, lotNumber, expiresOn: day(365) } }));
  const center = async (region: string, en: string, address: string) =>
    expectCreated(
      await api<CenterView>('POST', '/centers', {
        token: admin,
        body: {
          names: { en, fr: `${en} (fr)` },
          address,
          region,
          latitude: 45.76,
          longitude: 4.84,
          languages: ['fr', 'en'],
          vaccineIds: [vaccine.id],
          timeZone: 'Europe/Paris',
          openingHours: [{ day: 'mon', opens: '09:00', closes: '17:00' }],
        },
      }),
    );
  const paris = await center('FR-IDF', 'Paris Vaccination Hall', '1 place de Test, 75004 Paris');
  const lyon = await center('FR-ARA', 'Lyon Vaccination Hall', '2 rue de Test, 69002 Lyon');

  return {
    svc,
    token,
    admin,
    vaccine,
    paris,
    lyon,
    parisNurse: await token('staff', { centerId: paris.id, region: 'FR-IDF' }),
    lyonNurse: await token('staff', { centerId: lyon.id, region: 'FR-ARA' }),
    call: api,
    async register(fullName, birthDate) {
      const created = expectCreated(
        await api<RegistrantCreated>('POST', '/registrants', {
          body: {
            fullName,
            birthDate,
            region: 'FR-IDF',
            preferredLanguage: 'fr',
            sex: 'female',
            contact: { channel: 'email', address: `${randomUUID()}@example.org` },
          },
        }),
      );
      return { id: created.registrant.id, token: created.accessToken ?? '' };
    },
    async recordDose(person, { doseNumber, lotNumber = 'CV-LOT-1', hoursAgo = 48 }, staff, reason) {
      return api<DoseView>('POST', '/doses', {
        token: staff ?? (await token('staff', { centerId: paris.id, region: 'FR-IDF' })),
        headers: reason ? { 'X-Access-Reason': reason } : {},
        body: {
          registrantId: person.id,
          vaccineId: vaccine.id,
          lotNumber,
          doseNumber,
          site: 'left-arm',
          administeredAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
        },
      });
    },
  };
}
