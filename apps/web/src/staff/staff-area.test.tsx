import { configure, fireEvent, screen, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch } from '../testing/render';
import { dayIn } from './staff.api';
import { StaffArea } from './staff-area';
import { CENTER_ID, center, staffSession, vaccine, VACCINE_ID } from './staff.testing';

// These screens render many fields and tables in jsdom: on a busy machine that takes seconds, not a broken screen.
configure({ asyncUtilTimeout: 10_000 });
vi.setConfig({ testTimeout: 30_000 });

const session = staffSession({ centerId: CENTER_ID, region: 'FR-IDF' });
const PERSON_ID = '01900000-0000-7000-8000-0000000000a1';
const APPOINTMENT_ID = '01900000-0000-7000-8000-0000000000b1';

const headerOf = (init: RequestInit | undefined, name: string) => (init?.headers as Record<string, string> | undefined)?.[name];

describe('staff search', () => {
  it('sends the typed name and birth year, and shows only masked details of the people found', async () => {
    const calls = stubFetch((url) => {
      if (url.startsWith('/api/search/v1/registrants'))
        return json(200, {
          items: [{ id: PERSON_ID, fullName: 'Zoë Ångström', birthYear: 1990, region: 'FR-IDF', phoneHint: '••34' }],
          nextCursor: null,
        });
      return json(404, {});
    });
    await renderWithApp(<StaffArea />, { staff: session });

    fireEvent.change(screen.getByRole('searchbox', { name: 'Name' }), { target: { value: '  Zoe Angstrom ' } });
    fireEvent.change(screen.getByLabelText('Birth year'), { target: { value: '1990' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));

    expect(await screen.findByText('1 person found for “Zoe Angstrom”.')).toBeTruthy();
    const url = new URL(calls[0]?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/api/search/v1/registrants');
    expect(url.searchParams.get('q')).toBe('Zoe Angstrom');
    expect(url.searchParams.get('birthYear')).toBe('1990');
    expect(url.searchParams.has('region')).toBe(false);
    expect(headerOf(calls[0]?.init, 'authorization')).toBe(`Bearer ${session.accessToken}`);

    const row = screen.getByRole('row', { name: /Zoë Ångström/ });
    expect(within(row).getByRole('link', { name: 'Zoë Ångström' }).getAttribute('href')).toBe(`/people/${PERSON_ID}`);
    expect(within(row).getByText('••34')).toBeTruthy();
    expect(within(row).getByText('ending in 34')).toBeTruthy();
    expect(row.textContent).toContain('1990');
    expect(row.textContent).not.toMatch(/\+?\d{6,}/);
  });

  it('explains a too short name next to the field and sends nothing', async () => {
    const calls = stubFetch(() => json(500, {}));
    await renderWithApp(<StaffArea />, { staff: session });

    fireEvent.change(screen.getByRole('searchbox', { name: 'Name' }), { target: { value: 'Z' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));

    expect(await screen.findByText('Please correct the highlighted fields.')).toBeTruthy();
    expect(document.getElementById('staff-q-error')?.textContent).toBe('must be at least 2 characters');
    expect(screen.getByRole('searchbox', { name: 'Name' }).getAttribute('aria-invalid')).toBe('true');
    expect(calls).toHaveLength(0);
  });

  it('signs the staff member out with a clear message when the service answers 401', async () => {
    stubFetch(() => json(401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The token has expired.' }, 'application/problem+json'));
    await renderWithApp(<StaffArea />, { staff: session });

    fireEvent.change(screen.getByRole('searchbox', { name: 'Name' }), { target: { value: 'Grace' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));

    expect(await screen.findByText('Your session has ended, so you were signed out. Sign in again to continue.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('searchbox', { name: 'Name' })).toBeNull();
  });
});

describe('person record', () => {
  it('asks why before opening a record, and sends the reason with the read', async () => {
    const calls = stubFetch((url) => {
      if (url === `/api/registration/v1/registrants/${PERSON_ID}`)
        return json(200, {
          id: PERSON_ID,
          accountId: '01900000-0000-7000-8000-0000000000c1',
          fullName: 'Zoë Ångström',
          birthDate: '1990-04-12',
          region: 'FR-IDF',
          preferredLanguage: 'fr',
          sex: 'female',
          version: 1,
          createdAt: '2025-01-02T10:00:00.000Z',
          nationalIdMasked: '••••5678',
        });
      if (url.startsWith('/api/registration/v1/certificates')) return json(200, { items: [] });
      return json(404, {});
    });
    await renderWithApp(<StaffArea />, { staff: session, path: `/people/${PERSON_ID}` });

    expect(screen.getByRole('heading', { name: 'Why are you opening this record?' })).toBeTruthy();
    expect(calls).toHaveLength(0);
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'Vaccination at the center' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open the record' }));

    expect(await screen.findByText('Zoë Ångström')).toBeTruthy();
    expect(screen.getByText('••••5678')).toBeTruthy();
    expect(await screen.findByText('No dose recorded yet.')).toBeTruthy();
    const read = calls.find((c) => c.url.endsWith(`/registrants/${PERSON_ID}`));
    expect(headerOf(read?.init, 'X-Access-Reason')).toBe('Vaccination at the center');
    const doses = calls.find((c) => c.url.startsWith('/api/registration/v1/certificates'));
    expect(doses?.url).toContain(`registrantId=${PERSON_ID}`);
    expect(headerOf(doses?.init, 'X-Access-Reason')).toBe('Vaccination at the center');
  });
});

describe('check-in and dose', () => {
  const appointment = {
    id: APPOINTMENT_ID,
    code: 'K7MZ3QHP',
    registrantId: PERSON_ID,
    centerId: CENTER_ID,
    vaccineId: VACCINE_ID,
    slotId: '01900000-0000-7000-8000-0000000000d1',
    startsAt: '2025-03-10T09:00:00.000Z',
    endsAt: '2025-03-10T09:30:00.000Z',
    doseNumber: 1,
    walkIn: false,
    status: 'checked_in',
    bookedAt: '2025-03-01T09:00:00.000Z',
  };
  const lots = [
    { id: '01900000-0000-7000-8000-0000000000e1', vaccineId: VACCINE_ID, lotNumber: 'JBX-OLD-001', expiresOn: '2024-01-31', recalled: false, recallReason: null, recalledAt: null },
    { id: '01900000-0000-7000-8000-0000000000e2', vaccineId: VACCINE_ID, lotNumber: 'JBX-NEW-002', expiresOn: '2999-12-31', recalled: false, recallReason: null, recalledAt: null },
  ];

  function visitRoutes(url: string, init: RequestInit | undefined) {
    if (url === `/api/registration/v1/appointments/${APPOINTMENT_ID}`) return json(200, appointment);
    if (url === '/api/registration/v1/vaccines') return json(200, { items: [vaccine] });
    if (url === `/api/registration/v1/lots?vaccineId=${VACCINE_ID}`) return json(200, { items: lots });
    if (url === `/api/registration/v1/centers/${CENTER_ID}`) return json(200, center);
    if (url === '/api/registration/v1/check-ins' && init?.method === 'POST') return json(200, appointment);
    return undefined;
  }

  it('checks a person in by the code they show and opens their visit', async () => {
    const calls = stubFetch((url, init) => visitRoutes(url, init) ?? json(200, { centerId: CENTER_ID, date: '2025-03-10', timeZone: 'Europe/Paris', items: [], nextCursor: null }));
    const { history } = await renderWithApp(<StaffArea />, { staff: session, path: '/today' });

    fireEvent.change(screen.getByLabelText('Appointment code'), { target: { value: 'k7mz3qhp' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check in' }));

    expect(await screen.findByRole('heading', { name: 'Record the dose' })).toBeTruthy();
    const checkIn = calls.find((c) => c.url === '/api/registration/v1/check-ins');
    expect(JSON.parse(String(checkIn?.init?.body))).toEqual({ appointmentCode: 'K7MZ3QHP' });
    expect(history.at(-1)).toBe(`/visits/${APPOINTMENT_ID}`);
  });

  it('shows an unknown code next to the code field', async () => {
    // The page also loads the staff member's center: it gets the real one, not the day list's shape.
    stubFetch((url) =>
      url === '/api/registration/v1/check-ins'
        ? json(404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No appointment has this code.', errors: [{ path: 'body.appointmentCode', message: 'is unknown' }] }, 'application/problem+json')
        : url === `/api/registration/v1/centers/${CENTER_ID}`
          ? json(200, center)
          : json(200, { centerId: CENTER_ID, date: '2025-03-10', timeZone: 'Europe/Paris', items: [], nextCursor: null }),
    );
    await renderWithApp(<StaffArea />, { staff: session, path: '/today' });

    fireEvent.change(screen.getByLabelText('Appointment code'), { target: { value: 'ABCDEFGH' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check in' }));

    expect(await screen.findByText('is unknown')).toBeTruthy();
    expect(document.getElementById('staff-code-error')?.textContent).toBe('is unknown');
    expect(screen.getByText('No appointment has this code.')).toBeTruthy();
  });

  it('sends the dose as recorded and shows why the service refuses an expired lot', async () => {
    const calls = stubFetch(
      (url, init) =>
        visitRoutes(url, init) ??
        (url === '/api/registration/v1/doses' && init?.method === 'POST'
          ? json(
              422,
              {
                type: 'about:blank',
                title: 'Unprocessable Entity',
                status: 422,
                detail: 'This dose cannot be recorded.',
                errors: [{ path: 'body.lotNumber', message: 'expired on 2024-01-31' }],
              },
              'application/problem+json',
            )
          : json(404, {})),
    );
    await renderWithApp(<StaffArea />, { staff: session, path: `/visits/${APPOINTMENT_ID}` });

    const lot = await screen.findByLabelText('Lot');
    // The usable lot comes first; the expired one is marked as such.
    expect((lot as HTMLSelectElement).value).toBe('JBX-NEW-002');
    expect(within(lot).getByRole('option', { name: /JBX-OLD-001 \(EXPIRED/ })).toBeTruthy();
    fireEvent.change(lot, { target: { value: 'JBX-OLD-001' } });
    expect(screen.getByText(/This lot expired on .*2024.*Do not use it/)).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: 'Left arm' }));
    fireEvent.click(screen.getByRole('button', { name: 'Record the dose' }));

    expect(await screen.findByText('expired on 2024-01-31')).toBeTruthy();
    expect(document.getElementById('staff-lot-error')?.textContent).toBe('expired on 2024-01-31');
    expect(lot.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('This dose cannot be recorded.')).toBeTruthy();

    const post = calls.find((c) => c.url === '/api/registration/v1/doses');
    const body = JSON.parse(String(post?.init?.body)) as Record<string, unknown>;
    expect(body).toMatchObject({
      registrantId: PERSON_ID,
      appointmentId: APPOINTMENT_ID,
      vaccineId: VACCINE_ID,
      lotNumber: 'JBX-OLD-001',
      doseNumber: 1,
      site: 'left-arm',
    });
    expect(Date.parse(String(body['administeredAt']))).not.toBeNaN();
    expect(screen.queryByRole('heading', { name: 'Dose recorded' })).toBeNull();
  });

  it('confirms a recorded dose and leads to reporting an adverse event for it', async () => {
    const doseId = '01900000-0000-7000-8000-0000000000f1';
    const calls = stubFetch((url, init) => {
      const visit = visitRoutes(url, init);
      if (visit) return visit;
      if (url === '/api/registration/v1/doses')
        return json(201, {
          id: doseId,
          registrantId: PERSON_ID,
          appointmentId: APPOINTMENT_ID,
          centerId: CENTER_ID,
          vaccineId: VACCINE_ID,
          lotNumber: 'JBX-NEW-002',
          doseNumber: 1,
          site: 'right-arm',
          administeredAt: '2025-03-10T09:05:00.000Z',
          seriesComplete: false,
          nextDoseEarliest: '2025-03-31',
          certificateId: null,
        });
      if (url === `/api/registration/v1/doses/${doseId}/adverse-events`)
        return json(201, { id: '01900000-0000-7000-8000-0000000000f2', doseId, severity: 'moderate', onsetDate: '2025-03-10', reportedBy: 'staff', reportedAt: '2025-03-10T12:00:00.000Z' });
      return json(404, {});
    });
    await renderWithApp(<StaffArea />, { staff: session, path: `/visits/${APPOINTMENT_ID}` });

    fireEvent.click(await screen.findByRole('radio', { name: 'Right arm' }));
    fireEvent.click(screen.getByRole('button', { name: 'Record the dose' }));
    expect(await screen.findByRole('heading', { name: 'Dose recorded' })).toBeTruthy();
    expect(screen.getByText(/The next dose can be given from .*2025/)).toBeTruthy();

    fireEvent.click(screen.getByRole('link', { name: 'Report an adverse event' }));
    expect(await screen.findByRole('heading', { name: 'Report an adverse event' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Severity'), { target: { value: 'moderate' } });
    fireEvent.change(screen.getByLabelText('Day it started'), { target: { value: '2025-03-10' } });
    fireEvent.change(screen.getByLabelText('What happened'), { target: { value: 'Fever and a sore arm the same evening.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the report' }));

    expect(await screen.findByRole('heading', { name: 'Adverse event reported' })).toBeTruthy();
    const report = calls.find((c) => c.url.endsWith('/adverse-events'));
    expect(JSON.parse(String(report?.init?.body))).toEqual({ severity: 'moderate', onsetDate: '2025-03-10', description: 'Fever and a sore arm the same evening.' });
  });
});

describe('the center’s day', () => {
  it('lists today’s appointments in the center’s time zone, and checks a booked person in from the list', async () => {
    const today = dayIn('Europe/Paris');
    const item = (id: string, code: string, status: string, name: string) => ({
      id,
      code,
      registrantId: PERSON_ID,
      slotId: '01900000-0000-7000-8000-0000000000d1',
      startsAt: `${today}T08:00:00.000Z`,
      endsAt: `${today}T08:30:00.000Z`,
      status,
      doseNumber: 1,
      vaccineId: VACCINE_ID,
      vaccineName: 'Jabvax',
      walkIn: false,
      name,
      nameMasked: false,
    });
    const calls = stubFetch((url, init) => {
      if (url === `/api/registration/v1/centers/${CENTER_ID}`) return json(200, center);
      if (url.startsWith(`/api/registration/v1/centers/${CENTER_ID}/appointments`))
        return json(200, {
          centerId: CENTER_ID,
          date: today,
          timeZone: 'Europe/Paris',
          items: [item(APPOINTMENT_ID, 'K7MZ3QHP', 'booked', 'Zoë Ångström'), item('01900000-0000-7000-8000-0000000000b2', 'P2R4T6V8', 'checked_in', 'José Martínez')],
          nextCursor: null,
        });
      if (url === '/api/registration/v1/check-ins' && init?.method === 'POST') return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'The appointment is checked in.' }, 'application/problem+json');
      return json(404, {});
    });
    await renderWithApp(<StaffArea />, { staff: session, path: '/today' });

    expect(await screen.findByText('2 appointments.')).toBeTruthy();
    const list = new URL(calls.find((c) => c.url.includes('/appointments'))?.url ?? '', 'http://x');
    expect(list.searchParams.get('date')).toBe(today);
    const zoe = screen.getByRole('row', { name: /Zoë Ångström/ });
    // 08:00 UTC is 09:00 or 10:00 in Paris, depending on the season.
    expect(within(zoe).getByRole('rowheader').textContent).toMatch(/^(9|10):00\s?AM$/);
    expect(within(screen.getByRole('row', { name: /José Martínez/ })).getByRole('link', { name: 'Record the dose for P2R4T6V8' }).getAttribute('href')).toBe('/visits/01900000-0000-7000-8000-0000000000b2');

    fireEvent.click(within(zoe).getByRole('button', { name: 'Check in K7MZ3QHP' }));
    expect(await within(zoe).findByText('The appointment is checked in.')).toBeTruthy();
    expect(JSON.parse(String(calls.find((c) => c.url.endsWith('/check-ins'))?.init?.body))).toEqual({ appointmentCode: 'K7MZ3QHP' });
  });
});

describe('walk-in', () => {
  it('offers only today’s open slots with walk-in seats, and registers the person against the quota', async () => {
    const now = Date.now();
    const slot = (id: string, startOffsetMin: number, walkIn: number) => ({
      id,
      vaccineId: VACCINE_ID,
      startsAt: new Date(now + startOffsetMin * 60_000).toISOString(),
      endsAt: new Date(now + (startOffsetMin + 30) * 60_000).toISOString(),
      remaining: { dose1: 3, laterDoses: 2, walkIn },
    });
    const slots = [
      slot('01900000-0000-7000-8000-0000000005a1', -120, 2),
      slot('01900000-0000-7000-8000-0000000005a2', 30, 0),
      slot('01900000-0000-7000-8000-0000000005a3', 60, 1),
    ];
    const calls = stubFetch((url, init) => {
      if (url === `/api/registration/v1/centers/${CENTER_ID}`) return json(200, center);
      if (url.startsWith(`/api/registration/v1/centers/${CENTER_ID}/availability`)) return json(200, { centerId: CENTER_ID, date: dayIn('Europe/Paris'), timeZone: 'Europe/Paris', slots });
      if (url === '/api/registration/v1/vaccines') return json(200, { items: [vaccine] });
      if (url === '/api/registration/v1/walk-ins' && init?.method === 'POST')
        return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'The walk-in quota of this slot is used up.', errors: [{ path: 'body.slotId', message: 'has no walk-in seat left' }] }, 'application/problem+json');
      return json(404, {});
    });
    await renderWithApp(<StaffArea />, { staff: session, path: `/people/${PERSON_ID}/walk-in` });

    const radios = await screen.findAllByRole('radio');
    expect(radios).toHaveLength(1);
    expect(screen.getByRole('radio', { name: /Jabvax: 1 walk-in seat left/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Register and check in' }));

    expect(await screen.findByText('has no walk-in seat left')).toBeTruthy();
    expect(screen.getByText('The walk-in quota of this slot is used up.')).toBeTruthy();
    const post = calls.find((c) => c.url.endsWith('/walk-ins'));
    expect(JSON.parse(String(post?.init?.body))).toEqual({ registrantId: PERSON_ID, slotId: '01900000-0000-7000-8000-0000000005a3', doseNumber: 1 });
  });
});
