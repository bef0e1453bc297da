import { fireEvent, screen, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch, type FetchRoute } from '../testing/render';
import { CitizenArea } from './citizen-area';
import type { Slot } from './citizen.api';
import { CENTER, TOKENS, VACCINE, ZOE, appointment, availability, problem } from './test-fixtures';

const REG = '/api/registration/v1';
const BOOKED = appointment();

function services(actions: FetchRoute): FetchRoute {
  return (url, init) => {
    const path = url.split('?')[0];
    if (init?.method === 'POST') return actions(url, init);
    if (path === `${REG}/appointments`) return json(200, { items: [BOOKED, appointment({ id: '01900000-0000-7000-8000-0000000a0002', code: 'ABCDEFGH', status: 'cancelled' })] });
    if (path === `${REG}/appointments/${BOOKED.id}`) return json(200, BOOKED);
    if (path === `${REG}/centers/${CENTER.id}`) return json(200, CENTER);
    if (path === `${REG}/vaccines`) return json(200, { items: [VACCINE] });
    if (path === `${REG}/registrants`) return json(200, { items: [ZOE] });
    if (path === `${REG}/centers/${CENTER.id}/availability`) return json(200, availability(new URL(url, 'http://x').searchParams.get('date') ?? ''));
    return json(404, problem(404, 'Not Found'));
  };
}

describe('my appointments', { timeout: 20_000 }, () => {
  it('lists the household’s appointments, the coming ones first, with their codes and status', async () => {
    stubFetch(services(() => json(500, {})));
    await renderWithApp(<CitizenArea />, { path: '/appointments', citizen: TOKENS });
    const list = await screen.findByRole('list', { name: 'Your appointments' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('K7M2QX9P');
    expect(items[0]?.textContent).toContain('Booked');
    expect(items[0]?.textContent).toContain(CENTER.names['en']);
    expect(items[1]?.textContent).toContain('Cancelled');
  });

  it('cancels only after the person confirms', async () => {
    const calls = stubFetch(services((url) => (url.endsWith('/cancel') ? json(200, { ...BOOKED, status: 'cancelled' }) : json(500, {}))));
    await renderWithApp(<CitizenArea />, { path: `/appointments/${BOOKED.id}`, citizen: TOKENS });

    fireEvent.click(await screen.findByRole('button', { name: 'Cancel the appointment' }));
    expect(screen.getByRole('heading', { name: 'Cancel this appointment?' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'No, keep it' }));
    expect(calls.filter((c) => c.init?.method === 'POST')).toHaveLength(0);
    expect(screen.queryByRole('heading', { name: 'Cancel this appointment?' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Cancel the appointment' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel it' }));
    expect(await screen.findByRole('heading', { name: 'Appointment cancelled' })).toBeTruthy();
    expect(screen.getByText('Your appointment was cancelled.').getAttribute('role')).toBe('status');
    expect(screen.getByText('Cancelled')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel the appointment' })).toBeNull();
    expect(calls.filter((c) => c.init?.method === 'POST').map((c) => c.url)).toEqual([`${REG}/appointments/${BOOKED.id}/cancel`]);
  });

  it('says so when the appointment can no longer be cancelled (409)', async () => {
    stubFetch(services(() => json(409, problem(409, 'The appointment is checked in.'), 'application/problem+json')));
    await renderWithApp(<CitizenArea />, { path: `/appointments/${BOOKED.id}`, citizen: TOKENS });
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel the appointment' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel it' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('The appointment is checked in.')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Your appointment' })).toBeTruthy();
  });

  it('moves the appointment to another time and says so', async () => {
    const [, target] = availability('x').slots as [Slot, Slot];
    const calls = stubFetch(
      services((url) => (url.endsWith('/reschedule') ? json(200, { ...BOOKED, slotId: target.id, startsAt: target.startsAt, endsAt: target.endsAt }) : json(500, {}))),
    );
    const { history } = await renderWithApp(<CitizenArea />, { path: `/appointments/${BOOKED.id}/reschedule`, citizen: TOKENS });
    const times = await screen.findByRole('group', { name: 'Time' });
    fireEvent.click(within(times).getAllByRole('radio')[1] as HTMLElement);
    fireEvent.click(screen.getByRole('button', { name: 'Move my appointment' }));

    expect(await screen.findByRole('heading', { name: 'Your appointment was moved' })).toBeTruthy();
    expect(history.at(-1)).toBe(`/appointments/${BOOKED.id}`);
    const post = calls.find((c) => c.url.endsWith('/reschedule'));
    expect(JSON.parse(String(post?.init?.body))).toEqual({ slotId: target.id });
    expect(screen.getByTestId('appointment-code').textContent).toBe(BOOKED.code);
  });

  it('keeps the old time and asks for another when the new one is full (409)', async () => {
    stubFetch(
      services(() => json(409, problem(409, 'The new slot is full.', [{ path: 'body.slotId', message: 'has no seat left for this dose' }]), 'application/problem+json')),
    );
    await renderWithApp(<CitizenArea />, { path: `/appointments/${BOOKED.id}/reschedule`, citizen: TOKENS });
    const times = await screen.findByRole('group', { name: 'Time' });
    fireEvent.click(within(times).getAllByRole('radio')[1] as HTMLElement);
    fireEvent.click(screen.getByRole('button', { name: 'Move my appointment' }));
    expect(await screen.findByText('Someone has just taken the last place at this time. Please choose another time.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Choose a new time' })).toBeTruthy();
  });
});
