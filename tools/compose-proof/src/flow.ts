/**
 * The walking skeleton through the ALB stand-in's one port, as the web app drives it
 * (apps/web/src/shared/api.ts) and as apps/web-e2e/src/skeleton.spec.ts checks it: a citizen
 * registers and gets the welcome message, signs in again with a one-time code, a
 * center admin of their region finds them by a name typed without accents, a national admin
 * sees them counted.
 */
import { randomBytes } from 'node:crypto';
import {
  dailyRegistrations,
  householdList,
  messageList,
  registrantCreated,
  registrantSearchResponse,
  sessionTokens,
  staffSessionResponse,
} from '@jab/contracts';
import { apiBase } from '@jab/topology';
import { z } from 'zod';
import type { Podman } from './podman.js';

export interface FlowStep {
  name: string;
  ms: number;
}

export interface FlowContext {
  podman: Podman;
  /** `http://127.0.0.1:8080`: the ALB stand-in, the only published port. */
  base: string;
  /** The registration api container, where `create-staff` runs. */
  registrationApi: string;
  /** A notifications container and its sink directory, where sent messages land. */
  notifications: string;
  sinkDir: string;
  log: (line: string) => void;
}

/** Asynchronous work (outbox → queue → worker) gets this long to show. */
const EVENTUAL_MS = 120_000;

class FlowError extends Error {
  override name = 'FlowError';
}

async function call<T>(
  ctx: FlowContext,
  method: 'GET' | 'POST',
  path: string,
  expected: number,
  schema: z.ZodType<T>,
  { body, token }: { body?: unknown; token?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(new URL(path, ctx.base), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status !== expected) throw new FlowError(`${method} ${path} answered ${res.status}, expected ${expected}: ${text.slice(0, 400)}`);
  const parsed = schema.safeParse(text === '' ? undefined : JSON.parse(text));
  if (!parsed.success) throw new FlowError(`${method} ${path} answered an unexpected body: ${text.slice(0, 400)}`);
  return parsed.data;
}

/** Polls until `check` returns a value, at most EVENTUAL_MS; the last reason is in the error. */
async function eventually<T>(what: string, check: () => Promise<T | string>): Promise<T> {
  const until = Date.now() + EVENTUAL_MS;
  let last = '';
  for (;;) {
    const result = await check().catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    if (typeof result !== 'string') return result;
    last = result;
    if (Date.now() > until) throw new FlowError(`${what}: not within ${EVENTUAL_MS / 1000} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, 1500));
  }
}

const sinkLine = z.object({
  template: z.string(),
  to: z.object({ channel: z.string(), address: z.string() }),
  body: z.string(),
  sentAt: z.string(),
});

/** Messages the notifications sink wrote (the local stand-in for SMTP and SNS), newest last. */
async function sinkMessages(ctx: FlowContext): Promise<z.infer<typeof sinkLine>[]> {
  const result = await ctx.podman.exec(ctx.notifications, ['cat', `${ctx.sinkDir}/outbox.jsonl`], { timeoutMs: 10_000 });
  if (result.code !== 0) return [];
  return result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => sinkLine.parse(JSON.parse(l)));
}

async function createStaff(ctx: FlowContext, email: string, role: string, password: string, region?: string): Promise<void> {
  const args = ['node', 'main.js', 'create-staff', '--email', email, '--role', role, ...(region ? ['--region', region] : [])];
  const result = await ctx.podman.exec(ctx.registrationApi, args, { env: { JAB_STAFF_PASSWORD: password }, timeoutMs: 60_000 });
  if (result.code !== 0) throw new FlowError(`create-staff ${role} in ${ctx.registrationApi} failed (exit ${result.code}): ${result.stderr || result.stdout}`);
}

const anything = z.unknown();
const otpAccepted = z.object({ expiresInSeconds: z.number() });

export async function skeletonFlow(ctx: FlowContext): Promise<FlowStep[]> {
  const steps: FlowStep[] = [];
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const value = await fn();
    steps.push({ name, ms: Date.now() - started });
    ctx.log(`  ✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return value;
  };
  const registration = apiBase('registration');
  // Letters only, so search tokenizers keep the suffix as part of the name.
  const suffix = randomBytes(6).toString('hex').replace(/\d/g, (d) => 'ghijklmnop'.charAt(Number(d)));
  const citizen = {
    fullName: `Zoë Ångström-${suffix}`,
    typedName: `Zoe Angstrom-${suffix}`,
    birthDate: '1990-04-12',
    region: 'IN-MH',
    contact: { channel: 'email' as const, address: `zoe.${suffix}@example.org` },
  };

  await step('the ALB serves the web app and hides /metrics', async () => {
    const page = await fetch(new URL('/', ctx.base), { signal: AbortSignal.timeout(10_000) });
    const html = await page.text();
    if (page.status !== 200 || !html.includes('<div id="root">')) throw new FlowError(`GET / answered ${page.status} without the web app`);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    if (!script) throw new FlowError('the web app page names no built script under /assets/');
    const asset = await fetch(new URL(script, ctx.base), { signal: AbortSignal.timeout(10_000) });
    await asset.body?.cancel();
    if (asset.status !== 200 || !asset.headers.get('cache-control')?.includes('immutable')) {
      throw new FlowError(`GET ${script} answered ${asset.status} (cache-control ${asset.headers.get('cache-control')})`);
    }
    const metrics = await fetch(new URL('/metrics', ctx.base), { signal: AbortSignal.timeout(10_000) });
    await metrics.body?.cancel();
    if (metrics.status !== 404) throw new FlowError(`GET /metrics through the ALB answered ${metrics.status}, not 404`);
  });

  const created = await step('a citizen registers', () =>
    call(ctx, 'POST', `${registration}/registrants`, 201, registrantCreated, {
      body: { fullName: citizen.fullName, birthDate: citizen.birthDate, region: citizen.region, preferredLanguage: 'en', contact: citizen.contact },
    }),
  );
  const registrantId = created.registrant.id;
  const citizenToken = created.accessToken;
  if (!citizenToken) throw new FlowError('registering a new household returned no citizen token');

  await step('the welcome message is sent (outbox → queue → notifications worker)', () =>
    eventually('the welcome message', async () => {
      const { items } = await call(ctx, 'GET', `${apiBase('notifications')}/messages`, 200, messageList, { token: citizenToken });
      const welcome = items.find((m) => m.template === 'welcome');
      if (!welcome) return 'no welcome message yet';
      if (welcome.status === 'failed' || welcome.status === 'dead') throw new FlowError(`the welcome message is ${welcome.status}`);
      if (welcome.status === 'queued') return 'welcome message queued';
      const sunk = (await sinkMessages(ctx)).some((m) => m.template === 'welcome' && m.to.address === citizen.contact.address);
      return sunk ? welcome : 'welcome message not in the sink';
    }),
  );

  const session = await step('the citizen signs in with a one-time code (sealed by registration, opened by notifications)', async () => {
    const requestedAt = new Date().toISOString();
    await call(ctx, 'POST', `${registration}/otp-requests`, 202, otpAccepted, { body: { contact: citizen.contact, preferredLanguage: 'en' } });
    const code = await eventually('the one-time code message', async () => {
      const otp = (await sinkMessages(ctx))
        .filter((m) => m.template === 'otp' && m.to.address === citizen.contact.address && m.sentAt >= requestedAt)
        .at(-1);
      const found = otp && /\b(\d{6})\b/.exec(otp.body)?.[1];
      return found ? { code: found } : 'no code in the sink yet';
    });
    const tokens = await call(ctx, 'POST', `${registration}/sessions`, 201, sessionTokens, { body: { contact: citizen.contact, code: code.code } });
    const household = await call(ctx, 'GET', `${registration}/registrants`, 200, householdList, { token: tokens.accessToken });
    if (!household.items.some((r) => r.id === registrantId)) throw new FlowError('the signed-in household does not hold the registered person');
    return tokens;
  });
  if (!session.refreshToken) throw new FlowError('no refresh token');

  const password = randomBytes(18).toString('base64url');
  // A regional center admin: a vaccinator needs a center (create-staff --center), and the proof has none before seed-demo.
  const staff = { email: `center-admin.${suffix}@proof.jab.local`, role: 'center-admin', region: citizen.region };
  const admin = { email: `admin.${suffix}@proof.jab.local`, role: 'national-admin' };
  const [staffToken, adminToken] = await step('staff accounts made with the image\'s create-staff command sign in', async () => {
    await createStaff(ctx, staff.email, staff.role, password, staff.region);
    await createStaff(ctx, admin.email, admin.role, password);
    const signIn = (email: string) => call(ctx, 'POST', `${registration}/staff-sessions`, 201, staffSessionResponse, { body: { email, password } });
    return [(await signIn(staff.email)).accessToken, (await signIn(admin.email)).accessToken];
  });

  await step('a center admin of the region finds the citizen by the name typed without accents (search worker indexed it)', async () => {
    const path = `${apiBase('search')}/registrants?${new URLSearchParams({ q: citizen.typedName })}`;
    await call(ctx, 'GET', path, 401, anything);
    const hit = await eventually('the search hit', async () => {
      const { items } = await call(ctx, 'GET', path, 200, registrantSearchResponse, { token: staffToken });
      return items.find((i) => i.id === registrantId) ?? `${items.length} hits, not the citizen`;
    });
    if (hit.fullName !== citizen.fullName || hit.birthYear !== 1990 || hit.region !== citizen.region) {
      throw new FlowError(`the search hit is ${JSON.stringify(hit)}`);
    }
  });

  await step('a national admin sees the registration counted (analytics worker rolled it up)', () =>
    eventually('the daily count', async () => {
      const daily = await call(ctx, 'GET', `${apiBase('analytics')}/registrations/daily`, 200, dailyRegistrations, { token: adminToken });
      // Days are UTC in the API; near midnight the local calendar may already be on the next.
      const now = new Date();
      const today = [now.toISOString().slice(0, 10), now.toLocaleDateString('sv-SE')];
      const count = daily.items.find((d) => today.includes(d.day))?.count ?? 0;
      return count >= 1 && daily.total >= 1 ? daily : `today ${count}, total ${daily.total}`;
    }),
  );
  return steps;
}
