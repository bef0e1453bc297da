import { describe, expect, it } from 'vitest';
import { ageBand, registerRequest, registrantRegisteredEvent, REGISTRATION_EVENT_ROUTES } from './index.js';

describe('contracts', () => {
  it('accepts a well-formed registration and explains each bad field', () => {
    const ok = registerRequest.safeParse({
      fullName: 'Zoë Ångström',
      birthDate: '1990-04-02',
      region: 'FR-IDF',
      preferredLanguage: 'fr',
      contact: { channel: 'email', address: 'zoe@example.org' },
    });
    expect(ok.success).toBe(true);
    const bad = registerRequest.safeParse({
      fullName: 'Z',
      birthDate: '2999-01-01',
      region: 'France',
      preferredLanguage: 'de',
      contact: { channel: 'sms', address: '12345' },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['birthDate', 'contact.address', 'fullName', 'preferredLanguage', 'region']);
  });

  it('puts people in age bands by completed years', () => {
    const on = new Date('2026-11-23T12:00:00Z');
    expect(ageBand('2008-11-24', on)).toBe('0-17');
    expect(ageBand('2008-11-23', on)).toBe('18-27');
    expect(ageBand('1970-01-01', on)).toBe('48-57');
    expect(ageBand('1940-01-01', on)).toBe('80+');
  });

  it('routes registrant.registered to every consuming service and validates its envelope', () => {
    expect(REGISTRATION_EVENT_ROUTES['registrant.registered']).toHaveLength(3);
    const parsed = registrantRegisteredEvent.safeParse({
      id: '01890a5d-ac96-774b-bcce-b302099a8057',
      type: 'registrant.registered',
      v: 1,
      occurredAt: '2026-11-23T10:00:00.000Z',
      source: 'registration',
      data: { registrantId: 'nope' },
    });
    expect(parsed.success).toBe(false);
  });
});
