/**
 * The whole platform in-process for the security suite: the four services on their own
 * throwaway databases and one Redis prefix each, one signing key (registration signs
 * with it and publishes it; the others verify against registration's real JWKS, as in
 * production), a token per role, and the people and records the checks reach for.
 *
 * Registration verifies tokens against its own key rather than a JWKS URL, so the kit's
 * `startTestIssuer` cannot stand in for it; the suite gives registration a key the way
 * its own tests do (`JWT_PRIVATE_JWK`) and signs staff tokens with that key.
 */
import { createSigner, generateSigningKey, openSecret, sealingKey, type Principal, type Signer } from '@jab/auth';
import { QUEUES } from '@jab/contracts';
import { registrantRegistered } from '@jab/contracts/testing';
import { AUDIENCE, ISSUER } from '@jab/runtime';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { redisUrl, waitFor } from '@jab/testing';
import { decodeJwt, type JWK } from 'jose';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGION_A, REGION_B, seedCatalogue, type Catalogue } from './catalogue.testing.js';
import { expectStatus, field, send, type Req, type Res } from './http.testing.js';
import { definitions, SERVICE_NAMES, type ServiceName } from './services.testing.js';

export const ROLES = [
  'none',
  'citizen',
  'otherCitizen',
  'staff',
  'otherStaff',
  'centerAdmin',
  'otherCenterAdmin',
  'nationalAdmin',
  'unscopedStaff',
  'unscopedCenterAdmin',
] as const;
/**
 * Who calls. `citizen` is the household that owns what the request reaches for (a
 * fresh one per request where the request changes it); `otherCitizen` is one fixed
 * household reaching for it. `staff` and `centerAdmin` work at center A (region
 * FR-IDF), where every reached-for record lives; the `other*` roles at center B (FR-ARA).
 * `unscopedStaff` (center A, no region) and `unscopedCenterAdmin` (no region, no center)
 * lack the scope their role needs: refused everywhere (docs/decisions/0005).
 */
export type Role = (typeof ROLES)[number];

export { REGION_A, REGION_B };

export interface Household {
  accountId: string;
  registrantId: string;
  token: string;
  fullName: string;
  email: string;
  nationalId: string;
}

export interface World extends Catalogue {
  staffLogin: { email: string; password: string };
  /** The household every "reach for another's data" check targets. */
  victim: Household & { appointmentId: string; doseId: string; certificateId: string; jws: string; messageId: string };
  attacker: Household;
  /** A finished analytics report requested by the center A admin (an unknown id with `report: false`). */
  reportId: string;
}

export interface PlatformOptions {
  /** Extra settings per service (e.g. `{ registration: { OTP_RATE_PER_IP: '5' } }`). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Run an analytics report to completion (a child process) for the report routes; default true. */
  report?: boolean;
}

const hex = (n = 4) => randomBytes(n).toString('hex');
const STAFF_PASSWORD = `resilience-${hex(8)}`;
/** The SNS topic notifications takes SES email events from (signed messages only). */
export const SES_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:jab-resilience-ses-events';

export class Platform {
  readonly services = {} as Record<ServiceName, TestService>;
  /** The settings each service was started with, as `runService` saw them. */
  readonly env = {} as Record<ServiceName, Record<string, string>>;
  /** Every identifier and personal value of households other than the attacker's. */
  readonly markers = new Set<string>();
  world!: World;
  private signer!: Signer;
  private privateJwk!: JWK;
  private kid!: string;
  private sealingKeyB64!: string;
  private dirs: string[] = [];
  private principals = {} as Record<Exclude<Role, 'none' | 'citizen' | 'otherCitizen'>, Principal>;
  private tokens = new Map<string, string>();

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    const platform = new Platform();
    try {
      await platform.boot(options);
    } catch (error) {
      await platform.stop();
      throw error;
    }
    return platform;
  }

  /** The signing key registration uses: for tampering with tokens. */
  get signingKey(): { privateJwk: JWK; kid: string } {
    return { privateJwk: this.privateJwk, kid: this.kid };
  }

  get otpSealingKey(): string {
    return this.sealingKeyB64;
  }

  private async boot(options: PlatformOptions): Promise<void> {
    const key = await generateSigningKey();
    this.privateJwk = key.privateJwk;
    this.kid = key.kid;
    this.signer = createSigner({ privateJwk: key.privateJwk, kid: key.kid, issuer: ISSUER });
    this.sealingKeyB64 = randomBytes(32).toString('base64url');
    const sinkDir = await mkdtemp(join(tmpdir(), 'jab-resilience-sink-'));
    const reportDir = await mkdtemp(join(tmpdir(), 'jab-resilience-reports-'));
    this.dirs.push(sinkDir, reportDir);

    const own: Record<ServiceName, Record<string, string>> = {
      registration: {
        ROLE: 'api',
        JWT_PRIVATE_JWK: JSON.stringify(key.privateJwk),
        JWT_KEY_ID: key.kid,
        OTP_SEALING_KEY: this.sealingKeyB64,
        OTP_HASH_KEY: randomBytes(32).toString('base64url'),
        NATIONAL_ID_HASH_KEY: randomBytes(32).toString('base64url'),
        NATIONAL_ID_ENC_KEY: randomBytes(32).toString('base64url'),
      },
      notifications: {
        ROLE: 'all',
        NOTIFY_SINK_DIR: sinkDir,
        NOTIFY_SINK_CONSOLE: 'false',
        OTP_SEALING_KEY: this.sealingKeyB64,
        SES_EVENTS_TOPIC_ARN: SES_TOPIC,
      },
      search: { ROLE: 'api' },
      analytics: { ROLE: 'api', REPORT_RUNNER: 'local', REPORT_STORE: 'local', REPORT_DIR: reportDir },
    };
    for (const name of SERVICE_NAMES) own[name] = { ...own[name], ...options.env?.[name] };

    this.services.registration = await startTestService(definitions.registration, own.registration);
    const jwksUrl = `${this.services.registration.url}/api/registration/v1/.well-known/jwks.json`;
    for (const name of SERVICE_NAMES) if (name !== 'registration') own[name] = { JWKS_URL: jwksUrl, ...own[name] };
    // Search reads center availability from registration's API, and notifications asks it who may see
    // a person's messages, as in production.
    const registrationUrl = `${this.services.registration.url}/api/registration/v1`;
    own.search = { REGISTRATION_URL: registrationUrl, ...own.search };
    own.notifications = { REGISTRATION_URL: registrationUrl, ...own.notifications };
    const others = SERVICE_NAMES.filter((n) => n !== 'registration');
    const started = await Promise.allSettled(others.map((name) => startTestService(definitions[name], own[name])));
    started.forEach((s, i) => {
      if (s.status === 'fulfilled') this.services[others[i]] = s.value;
    });
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;

    for (const name of SERVICE_NAMES) {
      const svc = this.services[name];
      this.env[name] = { NODE_ENV: 'test', PORT: '0', REDIS_URL: redisUrl(), ...own[name], DATABASE_URL: svc.db.url, REDIS_PREFIX: svc.prefix };
    }
    await this.buildWorld(options.report ?? true);
  }

  async stop(): Promise<void> {
    // Report tasks are child processes writing to analytics' database: let them end first.
    const analytics = this.services.analytics;
    if (analytics) {
      await waitFor(
        async () =>
          Number(
            (await analytics.pool.query<{ n: string }>(`SELECT count(*) AS n FROM analytics.reports WHERE status IN ('queued', 'running')`)).rows[0]
              .n,
          ) === 0,
        { timeoutMs: 30_000, intervalMs: 200 },
      ).catch(() => undefined);
    }
    await Promise.allSettled(Object.values(this.services).map((s) => s.stop()));
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }

  /** HTTP to one service; `path` is from the service root. */
  call(service: ServiceName, req: Req): Promise<Res> {
    return send(this.services[service].url, req);
  }

  /** HTTP to a service's API, `path` relative to `/api/<service>/v1`. */
  api(service: ServiceName, method: string, path: string, options: Omit<Req, 'method' | 'path'> = {}): Promise<Res> {
    return this.call(service, { method, path: `/api/${service}/v1${path}`, ...options });
  }

  /** The bearer token of `role`; `owner` is the citizen household the request is about. */
  async token(role: Role, owner?: Household): Promise<string | undefined> {
    if (role === 'none') return undefined;
    if (role === 'citizen') return (owner ?? this.world.victim).token;
    if (role === 'otherCitizen') return this.world.attacker.token;
    const cached = this.tokens.get(role);
    if (cached) return cached;
    const token = await this.signer.issue({ ...this.principals[role], audience: AUDIENCE, ttlSeconds: 3600 });
    this.tokens.set(role, token);
    return token;
  }

  private admin(method: string, path: string, body?: unknown): Promise<Res> {
    return this.token('nationalAdmin').then((token) => this.api('registration', method, path, { body, token }));
  }

  /** A new household of one adult in region A, registered anonymously through the API. */
  async household(options: { victim?: boolean } = {}): Promise<Household> {
    const tag = hex(6);
    const person = {
      fullName: `Ysolde Quarrington ${tag}`,
      email: `household-${tag}@example.org`,
      nationalId: `RS${randomInt(1e9, 1e10)}`,
    };
    const res = expectStatus(
      await this.api('registration', 'POST', '/registrants', {
        body: {
          fullName: person.fullName,
          birthDate: '1980-05-05',
          region: REGION_A,
          preferredLanguage: 'en',
          contact: { channel: 'email', address: person.email },
          nationalId: person.nationalId,
        },
      }),
      201,
      'registering a household',
    );
    const token = field(res, 'accessToken');
    const household = { ...person, token, registrantId: field(res, 'registrant', 'id'), accountId: String(decodeJwt(token).sub) };
    if (options.victim !== false) for (const v of [household.registrantId, household.fullName, household.email, household.nationalId]) this.markers.add(v);
    return household;
  }

  /** A booked appointment at center A for a new household (or `owner`). */
  async appointment(owner?: Household, slot = this.world.slot): Promise<{ owner: Household; appointmentId: string; code: string }> {
    const o = owner ?? (await this.household());
    const res = expectStatus(
      await this.api('registration', 'POST', '/appointments', { token: o.token, body: { registrantId: o.registrantId, slotId: slot, doseNumber: 1 } }),
      201,
      'booking',
    );
    this.markers.add(field(res, 'id'));
    return { owner: o, appointmentId: field(res, 'id'), code: field(res, 'code') };
  }

  /** A dose given at center A (through a fresh appointment), with its certificate. */
  async dose(owner?: Household): Promise<{ owner: Household; doseId: string; certificateId: string; appointmentId: string }> {
    const { owner: o, appointmentId } = await this.appointment(owner);
    const res = expectStatus(
      await this.admin('POST', '/doses', {
        registrantId: o.registrantId,
        appointmentId,
        vaccineId: this.world.vaccineId,
        lotNumber: this.world.lotNumber,
        doseNumber: 1,
        site: 'left-arm',
        administeredAt: new Date(Date.now() - 60_000).toISOString(),
      }),
      201,
      'recording a dose',
    );
    const doseId = field(res, 'id');
    const certificateId = field(res, 'certificateId');
    this.markers.add(doseId).add(certificateId);
    return { owner: o, doseId, certificateId, appointmentId };
  }

  /** A new vaccine lot, registered by the national admin. */
  async lot(): Promise<{ id: string; lotNumber: string }> {
    const lotNumber = `LOT-${hex(4)}`.toUpperCase();
    const res = expectStatus(await this.admin('POST', '/lots', { vaccineId: this.world.vaccineId, lotNumber, expiresOn: '2099-12-31' }), 201, 'a lot');
    return { id: field(res, 'id'), lotNumber };
  }

  /** Signs in by one-time code, reading the sealed code from the outbox as notifications would. */
  async citizenSession(): Promise<{ accessToken: string; refreshToken: string; email: string }> {
    const email = `session-${hex(6)}@example.org`;
    const contact = { channel: 'email', address: email };
    expectStatus(await this.api('registration', 'POST', '/otp-requests', { body: { contact } }), 202, 'requesting a code');
    const code = await this.lastCodeSentTo(email);
    const res = expectStatus(await this.api('registration', 'POST', '/sessions', { body: { contact, code } }), 201, 'signing in');
    return { accessToken: field(res, 'accessToken'), refreshToken: field(res, 'refreshToken'), email };
  }

  async lastCodeSentTo(address: string): Promise<string> {
    const { rows } = await this.services.registration.pool.query<{ sealed: string }>(
      `SELECT payload->'data'->>'sealedCode' AS sealed FROM registration.outbox
        WHERE type = 'otp.requested' AND payload->'data'->'destination'->>'address' = $1 ORDER BY seq DESC LIMIT 1`,
      [address],
    );
    if (!rows[0]) throw new Error(`no code was sent to ${address}`);
    return openSecret(rows[0].sealed, sealingKey(this.sealingKeyB64));
  }

  private async buildWorld(report: boolean): Promise<void> {
    this.principals.nationalAdmin = { sub: randomUUID(), role: 'national-admin' };
    const catalogue = await seedCatalogue((method, path, body) => this.admin(method, path, body));
    const { centerA, centerB } = catalogue;
    this.principals.staff = { sub: randomUUID(), role: 'staff', centerId: centerA, region: REGION_A };
    this.principals.otherStaff = { sub: randomUUID(), role: 'staff', centerId: centerB, region: REGION_B };
    this.principals.centerAdmin = { sub: randomUUID(), role: 'center-admin', centerId: centerA, region: REGION_A };
    this.principals.otherCenterAdmin = { sub: randomUUID(), role: 'center-admin', centerId: centerB, region: REGION_B };
    this.principals.unscopedStaff = { sub: randomUUID(), role: 'staff', centerId: centerA };
    this.principals.unscopedCenterAdmin = { sub: randomUUID(), role: 'center-admin' };
    const staffLogin = { email: `staff-${hex()}@example.org`, password: STAFF_PASSWORD };
    await this.services.registration.command(['create-staff', '--email', staffLogin.email, '--role', 'staff', '--center', centerA, '--region', REGION_A], {
      JAB_STAFF_PASSWORD: STAFF_PASSWORD,
    });

    this.world = { ...catalogue, staffLogin } as World;
    // The report runs as a child process: start it first, build the rest meanwhile.
    const [reportId] = await Promise.all([report ? this.finishedReport() : randomUUID(), this.buildPeople()]);
    this.world.reportId = reportId;
  }

  private async buildPeople(): Promise<void> {
    const attacker = await this.household({ victim: false });
    const victimHousehold = await this.household();
    this.world.attacker = attacker;
    this.world.victim = victimHousehold as World['victim'];
    const given = await this.dose(victimHousehold);
    const certificate = await this.api('registration', 'GET', `/certificates/${given.certificateId}`, { token: victimHousehold.token });
    const messageId = await this.victimMessage(victimHousehold);
    this.world.victim = {
      ...victimHousehold,
      appointmentId: given.appointmentId,
      doseId: given.doseId,
      certificateId: given.certificateId,
      jws: field(expectStatus(certificate, 200, 'the certificate'), 'jws'),
      messageId,
    };
  }

  /** The welcome message notifications records for the victim (from the event registration emits). */
  private async victimMessage(victim: Household): Promise<string> {
    const svc = this.services.notifications;
    await svc.enqueue(
      QUEUES.notificationsFromRegistration,
      registrantRegistered({
        accountId: victim.accountId,
        registrantId: victim.registrantId,
        fullName: victim.fullName,
        region: REGION_A,
        contact: { channel: 'email', address: victim.email },
      }),
    );
    const id = await waitFor(async () => {
      const { rows } = await svc.pool.query<{ id: string }>(`SELECT id FROM notifications.messages WHERE account_id = $1`, [victim.accountId]);
      return rows[0]?.id;
    });
    this.markers.add(id);
    return id;
  }

  /** A report of region A requested by the center A admin, run to completion. */
  private async finishedReport(): Promise<string> {
    const token = await this.token('centerAdmin');
    const res = expectStatus(await this.api('analytics', 'POST', '/reports', { token, body: { kind: 'aefi' } }), 202, 'a report');
    const id = field(res, 'id');
    await waitFor(
      async () => {
        const view = await this.api('analytics', 'GET', `/reports/${id}`, { token });
        const status = field(view, 'status');
        if (status === 'failed') throw new Error(`the report failed: ${view.text}`);
        return status === 'done';
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    return id;
  }
}
