import type { StaffSessionResponse } from '@jab/contracts';
import { act, configure, fireEvent, screen, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch } from '../testing/render';
import { AdminArea } from './admin-area';
import { ReportsScreen } from './reports';

// These screens render many fields and tables in jsdom: on a busy machine that takes seconds, not a broken screen.
configure({ asyncUtilTimeout: 10_000 });
vi.setConfig({ testTimeout: 30_000 });

const b64url = (value: object) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
function adminSession(role = 'national-admin'): StaffSessionResponse {
  return { accessToken: `${b64url({ alg: 'ES256' })}.${b64url({ sub: '01900000-0000-7000-8000-00000000ad01', role, exp: 4_102_444_800 })}.c2ln`, role };
}
const session = adminSession();
const VACCINE_ID = '01900000-0000-7000-8000-00000000d001';
const CENTER_ID = '01900000-0000-7000-8000-00000000d003';
const vaccine = { id: VACCINE_ID, name: 'Jabvax', manufacturer: 'Jab Demo', seriesDoses: 2, minIntervalDays: 21, minAgeYears: 12, maxAgeYears: null, cvxCode: null };
const problem = (status: number, detail: string, errors: { path: string; message: string }[] = []) =>
  json(status, { type: 'about:blank', title: 'Bad Request', status, detail, errors }, 'application/problem+json');

function analytics(url: string): Response | undefined {
  const path = url.split('?')[0];
  if (path === '/api/analytics/v1/summary')
    return json(200, {
      registrations: 1234,
      bookings: 80,
      cancellations: 4,
      noShows: 7,
      doses: 52,
      aefiReports: 1,
      coverage: { population: 10_000, atLeastOneDose: 50, fullSeries: 2, atLeastOneDoseRate: 0.005, fullSeriesRate: 0.0002 },
    });
  if (path === '/api/analytics/v1/timeseries')
    return json(200, {
      interval: 'day',
      items: [
        { period: '2025-03-09', registrations: 3, bookings: 30, cancellations: 1, noShows: 2, doses: 21 },
        { period: '2025-03-10', registrations: 5, bookings: 50, cancellations: 3, noShows: 5, doses: 31 },
      ],
    });
  if (path === '/api/analytics/v1/coverage')
    return json(200, {
      items: [{ region: 'FR-IDF', ageBand: '28-37', population: 10_000, atLeastOneDose: 50, fullSeries: 2, atLeastOneDoseRate: 0.005, fullSeriesRate: 0.0002 }],
      totals: { population: 10_000, atLeastOneDose: 50, fullSeries: 2, atLeastOneDoseRate: 0.005, fullSeriesRate: 0.0002 },
    });
  if (path === '/api/analytics/v1/utilization')
    return json(200, {
      items: [{ day: '2025-03-10', centerId: CENTER_ID, name: 'Paris Hôtel de Ville', region: 'FR-IDF', scheduled: 40, administered: 31, attendanceRate: 0.775, capacity: 50, bookedRate: 0.8 }],
    });
  if (path === '/api/analytics/v1/registrations/daily') return json(200, { items: [{ day: '2025-03-10', count: 1234 }], total: 1234 });
  if (path === '/api/registration/v1/vaccines') return json(200, { items: [vaccine] });
  return undefined;
}

const rowOf = (table: HTMLElement, header: string) => within(table).getByRole('row', { name: new RegExp(`^${header}`) });

describe('admin dashboard', () => {
  it('shows each chart’s numbers in a table, from the analytics answers', async () => {
    const calls = stubFetch((url) => analytics(url) ?? json(404, {}));
    await renderWithApp(<AdminArea />, { staff: session });

    expect(await screen.findByTestId('registrations-total')).toHaveProperty('textContent', '1,234');
    expect((await screen.findByTestId('summary-doses')).textContent).toBe('52');
    expect(screen.getByTestId('summary-noShows').textContent).toBe('7');

    const doses = await screen.findByRole('table', { name: 'Doses given per day' });
    expect(within(rowOf(doses, 'Mar 10, 2025')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['31']);
    expect(within(rowOf(doses, 'Mar 9, 2025')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['21']);

    const noShows = screen.getByRole('table', { name: 'No-shows, bookings and cancellations per day' });
    expect(within(rowOf(noShows, 'Mar 10, 2025')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['5', '50', '3']);

    const coverage = screen.getByRole('table', { name: 'Coverage per region and age band' });
    expect(within(rowOf(coverage, 'FR-IDF')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['28-37', '10,000', '50 (0.5%)', '2 (0%)']);

    const utilization = screen.getByRole('table', { name: 'Appointments scheduled and doses given per center and day' });
    expect(within(rowOf(utilization, 'Paris Hôtel de Ville')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Mar 10, 2025', '40', '31', '77.5%', '50', '80%']);

    const registrations = screen.getByRole('table', { name: 'New registrations per day' });
    expect(within(rowOf(registrations, 'Mar 10, 2025')).getAllByRole('cell')[0]?.textContent).toBe('1,234');
    expect(screen.getByRole('heading', { name: 'Registrations' })).toBeTruthy();

    const summary = calls.find((c) => c.url.startsWith('/api/analytics/v1/summary'));
    expect((summary?.init?.headers as Record<string, string>)['authorization']).toBe(`Bearer ${session.accessToken}`);
    expect(new URL(summary?.url ?? '', 'http://x').searchParams.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('asks again with the filters chosen, and refuses a range that ends before it starts', async () => {
    const calls = stubFetch((url) => analytics(url) ?? json(404, {}));
    await renderWithApp(<AdminArea />, { staff: session });
    await screen.findByTestId('registrations-total');
    await screen.findByRole('option', { name: 'Jabvax' });

    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-03-10' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-03-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText('from must not be after to')).toBeTruthy();

    const before = calls.length;
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-03-31' } });
    fireEvent.change(screen.getByLabelText(/^Region/), { target: { value: 'fr-idf' } });
    fireEvent.change(screen.getByLabelText('Vaccine'), { target: { value: VACCINE_ID } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    await vi.waitFor(() => expect(calls.slice(before).some((c) => c.url.startsWith('/api/analytics/v1/timeseries'))).toBe(true), { timeout: 10_000 });
    const series = new URL(calls.slice(before).find((c) => c.url.startsWith('/api/analytics/v1/timeseries'))?.url ?? '', 'http://x').searchParams;
    expect(Object.fromEntries(series)).toEqual({ from: '2025-03-10', to: '2025-03-31', region: 'FR-IDF', vaccine: VACCINE_ID, interval: 'day' });
    const registrations = calls.slice(before).find((c) => c.url.startsWith('/api/analytics/v1/registrations/daily'));
    expect(new URL(registrations?.url ?? '', 'http://x').searchParams.has('vaccine')).toBe(false);
  });

  it('tells an admin whose session ended that they were signed out', async () => {
    stubFetch((url) => (url.startsWith('/api/analytics') ? problem(401, 'The token has expired.') : (analytics(url) ?? json(404, {}))));
    await renderWithApp(<AdminArea />, { staff: session });
    expect(await screen.findByText('Your session has ended, so you were signed out. Sign in again to continue.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });
});

describe('center creation', () => {
  it('shows the schema’s errors next to the fields before sending anything', async () => {
    const calls = stubFetch((url) => analytics(url) ?? json(500, {}));
    await renderWithApp(<AdminArea />, { staff: session, path: '/centers' });

    await screen.findByRole('checkbox', { name: 'Jabvax' });
    fireEvent.change(screen.getByLabelText('Name in French'), { target: { value: 'Centre de test' } });
    fireEvent.change(screen.getByLabelText(/^Region/), { target: { value: 'Paris' } });
    fireEvent.change(screen.getByLabelText('Friday: closes'), { target: { value: '08:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create the center' }));

    expect(await screen.findByText('Please correct the highlighted fields.')).toBeTruthy();
    expect(document.getElementById('center-name-en-error')?.textContent).toBe('is required');
    expect(document.getElementById('center-region-error')?.textContent).toBe('must be an ISO 3166-2 code such as IN-MH');
    expect(document.getElementById('center-languages-error')?.textContent).toBe('must name at least one language');
    expect(document.getElementById('center-closes-fri-error')?.textContent).toBe('must be after opens');
    expect(screen.getByLabelText('Friday: closes').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Thursday: closes').getAttribute('aria-invalid')).toBe('false');
    expect(calls.some((c) => c.init?.method === 'POST')).toBe(false);
  });

  it('sends the center and shows the service’s field errors next to the same fields', async () => {
    const calls = stubFetch((url, init) =>
      url === '/api/registration/v1/centers' && init?.method === 'POST'
        ? problem(400, 'The request is invalid.', [{ path: 'body.timeZone', message: 'must be an IANA time zone such as Asia/Kolkata' }])
        : (analytics(url) ?? json(404, {})),
    );
    await renderWithApp(<AdminArea />, { staff: session, path: '/centers' });

    fireEvent.click(await screen.findByRole('checkbox', { name: 'Jabvax' }));
    fireEvent.change(screen.getByLabelText('Name in English'), { target: { value: 'Lyon Part-Dieu center' } });
    fireEvent.change(screen.getByLabelText('Name in Arabic'), { target: { value: 'مركز ليون' } });
    fireEvent.change(screen.getByLabelText('Address'), { target: { value: '1 rue de la Gare, Lyon' } });
    fireEvent.change(screen.getByLabelText(/^Region/), { target: { value: 'fr-ara' } });
    fireEvent.change(screen.getByLabelText('Latitude'), { target: { value: '45,76' } });
    fireEvent.change(screen.getByLabelText('Longitude'), { target: { value: '4.86' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'French' }));
    fireEvent.change(screen.getByLabelText(/^Time zone/), { target: { value: 'Europe/Paris' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Saturday' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create the center' }));

    expect(await screen.findByText('must be an IANA time zone such as Asia/Kolkata')).toBeTruthy();
    expect(document.getElementById('center-time-zone-error')?.textContent).toBe('must be an IANA time zone such as Asia/Kolkata');
    expect(screen.getByText('The request is invalid.')).toBeTruthy();

    const post = calls.find((c) => c.init?.method === 'POST');
    const body = JSON.parse(String(post?.init?.body)) as Record<string, unknown>;
    expect(body).toMatchObject({
      names: { en: 'Lyon Part-Dieu center', ar: 'مركز ليون' },
      address: '1 rue de la Gare, Lyon',
      region: 'FR-ARA',
      latitude: 45.76,
      longitude: 4.86,
      languages: ['fr'],
      vaccineIds: [VACCINE_ID],
      timeZone: 'Europe/Paris',
    });
    expect(body['openingHours']).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, opens: '09:00', closes: '17:00' })));
  });
});

describe('lot recall', () => {
  it('recalls a lot only after the admin confirms with a reason', async () => {
    const lot = { id: '01900000-0000-7000-8000-0000000000e1', vaccineId: VACCINE_ID, lotNumber: 'JBX-DEMO-001', expiresOn: '2999-01-01', recalled: false, recallReason: null, recalledAt: null };
    let recalled = false;
    const calls = stubFetch((url, init) => {
      if (url === `/api/registration/v1/lots/${lot.id}/recall`) {
        recalled = true;
        return json(200, { ...lot, recalled: true, recallReason: 'Cold chain broken', recalledAt: '2025-03-10T10:00:00.000Z' });
      }
      if (url === '/api/registration/v1/lots') return json(200, { items: [recalled ? { ...lot, recalled: true, recallReason: 'Cold chain broken', recalledAt: '2025-03-10T10:00:00.000Z' } : lot] });
      return analytics(url) ?? json(404, { init });
    });
    await renderWithApp(<AdminArea />, { staff: session, path: '/lots' });

    fireEvent.click(await screen.findByRole('button', { name: 'Recall JBX-DEMO-001' }));
    expect(screen.getByRole('heading', { name: 'Recall lot JBX-DEMO-001?' })).toBeTruthy();
    expect(calls.some((c) => c.url.endsWith('/recall'))).toBe(false);

    fireEvent.change(screen.getByLabelText('Reason for the recall'), { target: { value: 'Cold chain broken' } });
    fireEvent.click(screen.getByRole('button', { name: 'Recall lot JBX-DEMO-001' }));

    expect(await screen.findByText('Lot JBX-DEMO-001 is recalled.')).toBeTruthy();
    expect(JSON.parse(String(calls.find((c) => c.url.endsWith('/recall'))?.init?.body))).toEqual({ reason: 'Cold chain broken' });
    expect(await screen.findByText(/Recalled on/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Recall JBX-DEMO-001' })).toBeNull();
  });
});

describe('reports', () => {
  it('follows a report’s progress until it becomes a download of the CSV', async () => {
    const id = '01900000-0000-7000-8000-0000000000aa';
    const view = { id, kind: 'doses-line-list', format: 'csv', filters: {}, rows: null, createdAt: '2025-03-10T10:00:00.000Z', finishedAt: null, downloadUrl: null, error: null };
    const answers = [
      { ...view, status: 'running', progress: 40 },
      { ...view, status: 'running', progress: 80 },
      { ...view, status: 'done', progress: 100, rows: 1500, finishedAt: '2025-03-10T10:01:00.000Z', downloadUrl: `/api/analytics/v1/reports/${id}/download` },
    ];
    const calls = stubFetch((url, init) => {
      if (url === '/api/analytics/v1/reports' && init?.method === 'POST') return json(202, { ...view, status: 'queued', progress: 0 });
      if (url === `/api/analytics/v1/reports/${id}`) return json(200, answers.shift() ?? answers.at(-1));
      if (url === `/api/analytics/v1/reports/${id}/download`) return new Response('dose_id,region\n', { status: 200, headers: { 'content-type': 'text/csv' } });
      return analytics(url) ?? json(404, {});
    });
    // jsdom has no object URLs: give it some for this test only.
    const objectUrl = vi.fn(() => 'blob:report');
    const urls = URL as unknown as Record<string, unknown>;
    Object.assign(urls, { createObjectURL: objectUrl, revokeObjectURL: vi.fn() });
    onTestFinished(() => {
      delete urls['createObjectURL'];
      delete urls['revokeObjectURL'];
    });
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await renderWithApp(<ReportsScreen pollMs={5} />, { staff: session });

    fireEvent.click(screen.getByRole('radio', { name: 'Doses, one line per dose' }));
    fireEvent.click(screen.getByRole('button', { name: 'Request the report' }));

    const bar = await screen.findByRole('progressbar', { name: 'Progress of the report “Doses, one line per dose”' });
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')?.init?.body))).toMatchObject({ kind: 'doses-line-list', format: 'csv' });
    const link = await screen.findByRole('link', { name: 'Download the report “Doses, one line per dose” (CSV)' });
    expect((bar as HTMLProgressElement).value).toBe(100);
    expect(screen.getByTestId('report-status').textContent).toBe('Done: 1,500 rows.');
    expect(link.getAttribute('href')).toBe(`/api/analytics/v1/reports/${id}/download`);

    await act(async () => {
      fireEvent.click(link);
    });
    await vi.waitFor(() => expect(clicked).toHaveBeenCalled(), { timeout: 10_000 });
    const download = calls.find((c) => c.url.endsWith('/download'));
    expect((download?.init?.headers as Record<string, string>)['authorization']).toBe(`Bearer ${session.accessToken}`);
    expect(objectUrl).toHaveBeenCalled();
  });

  it('says when a report failed, with the reason, and offers no download', async () => {
    const id = '01900000-0000-7000-8000-0000000000ab';
    const view = { id, kind: 'aefi', format: 'csv', filters: {}, rows: null, createdAt: '2025-03-10T10:00:00.000Z', finishedAt: null, downloadUrl: null, error: null };
    stubFetch((url, init) => {
      if (url === '/api/analytics/v1/reports' && init?.method === 'POST') return json(202, { ...view, status: 'queued', progress: 0 });
      if (url === `/api/analytics/v1/reports/${id}`) return json(200, { ...view, status: 'failed', progress: 30, error: 'The report task stopped with exit code 3.' });
      return analytics(url) ?? json(404, {});
    });
    await renderWithApp(<ReportsScreen pollMs={5} />, { staff: session });

    fireEvent.click(screen.getByRole('radio', { name: 'Adverse events' }));
    fireEvent.click(screen.getByRole('button', { name: 'Request the report' }));

    expect(await screen.findByText('The report failed: The report task stopped with exit code 3.')).toBeTruthy();
    expect(screen.queryByRole('link', { name: /Download/ })).toBeNull();
  });
});
