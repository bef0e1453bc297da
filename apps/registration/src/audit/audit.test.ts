import type { AccessLog, Problem, RegistrantCreated, StaffRegistrantView, StaffSessionResponse } from '@jab/contracts';
import { startTestService, type TestService } from '@jab/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, identityTestEnv, signInCitizen } from '../identity/session.testing.js';
import { registrationService } from '../service.js';
import { insertTestCenter } from '../centers/centers.testing.js';

let svc: TestService;
const env = identityTestEnv();
const centerId = '0190a6f0-0000-7000-8000-0000000000aa';
const staff: Record<'nurse' | 'outsider' | 'admin', string> = { nurse: '', outsider: '', admin: '' };
let citizen: string;
let personId: string;

async function staffToken(email: string, role: string, scope: string[]): Promise<string> {
  await svc.command(['create-staff', '--email', email, '--role', role, ...scope], { JAB_STAFF_PASSWORD: 'correct horse battery' });
  const res = await call<StaffSessionResponse>(svc, 'POST', '/staff-sessions', { body: { email, password: 'correct horse battery' } });
  return res.body.accessToken;
}

const auditRows = async () => (await svc.pool.query(`SELECT * FROM registration.access_log ORDER BY occurred_at`)).rows;

beforeAll(async () => {
  svc = await startTestService(registrationService, env);
  await insertTestCenter(svc.pool, centerId, 'FR-IDF');
  [staff.nurse, staff.outsider, staff.admin] = await Promise.all([
    staffToken('nurse@example.org', 'staff', ['--region', 'FR-IDF', '--center', centerId]),
    staffToken('outsider@example.org', 'center-admin', ['--region', 'FR-ARA']),
    staffToken('admin@example.org', 'national-admin', []),
  ]);
  citizen = (await signInCitizen(svc, env, { channel: 'sms', address: '+33612345678' })).accessToken;
  const created = await call<RegistrantCreated>(svc, 'POST', '/registrants', {
    body: { fullName: 'Élodie Martin', birthDate: '1972-03-09', region: 'FR-IDF', preferredLanguage: 'fr', nationalId: '2720375123456' },
    token: citizen,
  });
  personId = created.body.registrant.id;
});
afterAll(() => svc?.stop());

describe('a staff read of a person', () => {
  it('requires a reason and records nothing without one', async () => {
    const res = await call<Problem>(svc, 'GET', `/registrants/${personId}`, { token: staff.nurse });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'headers.x-access-reason', message: expect.stringMatching(/say why/) }]);
    const short = await call<Problem>(svc, 'GET', `/registrants/${personId}?reason=x`, { token: staff.nurse });
    expect(short.status).toBe(400);
    expect(await auditRows()).toEqual([]);
  });

  it('answers staff of the person’s region with a masked national ID, and audits it', async () => {
    const res = await call<StaffRegistrantView>(svc, 'GET', `/registrants/${personId}`, {
      token: staff.nurse,
      headers: { 'X-Access-Reason': 'check-in at the front desk' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: personId, fullName: 'Élodie Martin', nationalIdMasked: '••••3456' });
    expect(JSON.stringify(res.body)).not.toContain('2720375123456');
    const rows = await auditRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      registrant_id: personId,
      actor_role: 'staff',
      actor_center_id: centerId,
      actor_region: 'FR-IDF',
      action: 'read',
      reason: 'check-in at the front desk',
    });
  });

  it('refuses staff of another region without a trace, and lets a national admin read anywhere', async () => {
    const outsider = await call<Problem>(svc, 'GET', `/registrants/${personId}?reason=curious`, { token: staff.outsider });
    expect(outsider.status).toBe(403);
    expect(await auditRows()).toHaveLength(1);
    const admin = await call<StaffRegistrantView>(svc, 'GET', `/registrants/${personId}?reason=${encodeURIComponent('AEFI follow-up')}`, {
      token: staff.admin,
    });
    expect(admin.status).toBe(200);
    expect((await auditRows()).map((r) => r.actor_role)).toEqual(['staff', 'national-admin']);
  });

  it('is a 404 for an unknown person', async () => {
    const res = await call<Problem>(svc, 'GET', '/registrants/0190a6f0-0000-7000-8000-00000000ffff?reason=looking', { token: staff.admin });
    expect(res.status).toBe(404);
  });
});

describe('the citizen’s access log', () => {
  it('shows the household who opened the record: role, center, region, action and time, never the staff member', async () => {
    const res = await call<AccessLog>(svc, 'GET', `/registrants/${personId}/access-log`, { token: citizen });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { action: 'read', role: 'national-admin', centerId: null, region: null, occurredAt: expect.any(String) },
      { action: 'read', role: 'staff', centerId, region: 'FR-IDF', occurredAt: expect.any(String) },
    ]);
    const text = JSON.stringify(res.body);
    const staffIds = (await auditRows()).map((r) => r.actor_id);
    for (const hidden of ['nurse@example.org', 'admin@example.org', ...staffIds]) expect(text).not.toContain(hidden);
  });

  it('is the household’s own: staff and other citizens cannot read it', async () => {
    expect((await call(svc, 'GET', `/registrants/${personId}/access-log`, { token: staff.admin })).status).toBe(403);
    const stranger = (await signInCitizen(svc, env, { channel: 'email', address: 'stranger@example.org' })).accessToken;
    expect((await call(svc, 'GET', `/registrants/${personId}/access-log`, { token: stranger })).status).toBe(404);
  });

  it('cannot be rewritten', async () => {
    await expect(svc.pool.query(`UPDATE registration.access_log SET reason = 'nothing to see'`)).rejects.toThrow(/append-only/);
    await expect(svc.pool.query(`DELETE FROM registration.access_log`)).rejects.toThrow(/append-only/);
    expect(await auditRows()).toHaveLength(2);
  });
});

describe('an access recorded for another service (message history)', () => {
  const record = (token: string, body: unknown, reason?: string) =>
    call<Problem & { region?: string }>(svc, 'POST', `/registrants/${personId}/access-log${reason ? `?reason=${encodeURIComponent(reason)}` : ''}`, {
      token,
      body,
    });
  const messageReads = async () => (await auditRows()).filter((r) => r.action === 'messages.read');

  it('refuses staff outside the person’s region, a missing reason and an unknown action, recording nothing', async () => {
    expect((await record(staff.outsider, { action: 'messages.read' }, 'support call')).status).toBe(403);
    const noReason = await record(staff.nurse, { action: 'messages.read' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors?.[0].path).toBe('headers.x-access-reason');
    const unknown = await record(staff.nurse, { action: 'records.delete' }, 'support call');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0].path).toBe('body.action');
    expect((await record(citizen, { action: 'messages.read' }, 'support call')).status).toBe(403);
    expect(await messageReads()).toEqual([]);
  });

  it('writes the row the citizen sees, in any script, for staff of the region and national admins', async () => {
    const nurse = await record(staff.nurse, { action: 'messages.read' }, 'पुष्टि संदेश नहीं मिला');
    expect(nurse.status).toBe(201);
    expect(nurse.body).toEqual({ registrantId: personId, region: 'FR-IDF', action: 'messages.read' });
    expect((await record(staff.admin, { action: 'messages.read' }, 'support call')).status).toBe(201);
    expect((await messageReads()).map((r) => [r.actor_role, r.reason])).toEqual([
      ['staff', 'पुष्टि संदेश नहीं मिला'],
      ['national-admin', 'support call'],
    ]);
    const log = await call<AccessLog>(svc, 'GET', `/registrants/${personId}/access-log`, { token: citizen });
    expect(log.body.items.filter((e) => e.action === 'messages.read').map((e) => e.role)).toEqual(['national-admin', 'staff']);
  });
});
