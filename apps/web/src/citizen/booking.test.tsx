import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch, type FetchRoute } from '../testing/render';
import { CitizenArea } from './citizen-area';
import { CENTER, LEO, TOKENS, VACCINE, ZOE, appointment, availability, problem } from './test-fixtures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const REG = '/api/registration/v1';

/** The services a booking screen talks to; `book` answers the POSTs. */
function services(book: FetchRoute): FetchRoute {
  return (url, init) => {
    const path = url.split('?')[0];
    if (path === `${REG}/centers/${CENTER.id}`) return json(200, CENTER);
    if (path === `${REG}/vaccines`) return json(200, { items: [VACCINE] });
    if (path === `${REG}/registrants`) return json(200, { items: [ZOE, LEO] });
    if (path === `${REG}/centers/${CENTER.id}/availability`) return json(200, availability(new URL(url, 'http://x').searchParams.get('date') ?? ''));
    if (path === `${REG}/appointments` && init?.method === 'POST') return book(url, init);
    return json(404, problem(404, 'Not Found'));
  };
}

const posts = (calls: { url: string; init: RequestInit | undefined }[]) => calls.filter((c) => c.init?.method === 'POST');
const keyOf = (call: { init: RequestInit | undefined } | undefined) => new Headers(call?.init?.headers).get('idempotency-key');

async function chooseSlot(index: number) {
  const times = await screen.findByRole('group', { name: 'Time' });
  fireEvent.click(within(times).getAllByRole('radio')[index] as HTMLElement);
}

describe('booking a slot', { timeout: 20_000 }, () => {
  it('books with an Idempotency-Key and shows the code, center, address and the center’s local time', async () => {
    const booked = appointment({ registrantId: LEO.id });
    const calls = stubFetch(services(() => json(201, booked)));
    const { history } = await renderWithApp(<CitizenArea />, { path: `/centers/${CENTER.id}`, citizen: TOKENS });

    expect(await screen.findByRole('heading', { level: 1, name: CENTER.names['en'] })).toBeTruthy();
    fireEvent.change(await screen.findByLabelText('Person'), { target: { value: LEO.id } });
    await chooseSlot(1);
    fireEvent.click(screen.getByRole('button', { name: 'Book this appointment' }));

    expect(await screen.findByRole('heading', { name: 'Your appointment is booked' })).toBeTruthy();
    expect(history.at(-1)).toBe(`/appointments/${booked.id}`);
    const [post] = posts(calls);
    expect(keyOf(post)).toMatch(UUID);
    expect(JSON.parse(String(post?.init?.body))).toEqual({ registrantId: LEO.id, slotId: availability('x').slots[1]?.id, doseNumber: 1 });
    expect(new Headers(post?.init?.headers).get('authorization')).toBe(`Bearer ${TOKENS.accessToken}`);

    expect(screen.getByTestId('appointment-code').textContent).toBe('K7M2QX9P');
    expect(screen.getByText(CENTER.address)).toBeTruthy();
    expect(screen.getByText(LEO.fullName)).toBeTruthy();
    // 07:30 UTC is 09:30 in Paris, where the center is.
    const when = screen.getByText((_, el) => el?.tagName === 'TIME' && el.getAttribute('datetime') === booked.startsAt);
    expect(when.textContent).toMatch(/9:30/);
    expect(screen.getByText('Local time at the center (Europe/Paris)')).toBeTruthy();
  });

  it('keeps the person on the times when the slot filled up first (409), and books another with a new key', async () => {
    let attempt = 0;
    const calls = stubFetch(
      services(() =>
        ++attempt === 1
          ? json(409, problem(409, 'This slot is full.', [{ path: 'body.slotId', message: 'has no seat left for this dose' }]), 'application/problem+json')
          : json(201, appointment()),
      ),
    );
    await renderWithApp(<CitizenArea />, { path: `/centers/${CENTER.id}`, citizen: TOKENS });
    await chooseSlot(0);
    const availabilityCalls = () => calls.filter((c) => c.url.includes('/availability')).length;
    const before = availabilityCalls();
    fireEvent.click(screen.getByRole('button', { name: 'Book this appointment' }));

    const alert = await screen.findByText('Someone has just taken the last place at this time. Please choose another time.');
    expect(alert.closest('[role="alert"]')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Your appointment is booked' })).toBeNull();
    await waitFor(() => expect(availabilityCalls()).toBeGreaterThan(before));
    const times = await screen.findByRole('group', { name: 'Time' });
    expect(within(times).getAllByRole('radio').some((r) => (r as HTMLInputElement).checked)).toBe(false);

    await chooseSlot(1);
    fireEvent.click(screen.getByRole('button', { name: 'Book this appointment' }));
    expect(await screen.findByRole('heading', { name: 'Your appointment is booked' })).toBeTruthy();
    const [first, second] = posts(calls);
    expect(keyOf(second)).toMatch(UUID);
    expect(keyOf(second)).not.toBe(keyOf(first));
  });

  it('shows why the person is not eligible (422) next to the fields', async () => {
    stubFetch(
      services(() =>
        json(
          422,
          problem(422, 'This person cannot take this slot for this dose.', [{ path: 'body.registrantId', message: "is 12 on 2030-05-14, outside the campaign's target ages" }]),
          'application/problem+json',
        ),
      ),
    );
    await renderWithApp(<CitizenArea />, { path: `/centers/${CENTER.id}`, citizen: TOKENS });
    await chooseSlot(0);
    fireEvent.click(screen.getByRole('button', { name: 'Book this appointment' }));

    const error = await screen.findByText("is 12 on 2030-05-14, outside the campaign's target ages");
    expect(error.id).toBe('book-person-error');
    expect(screen.getByLabelText('Person').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('This booking is not possible:')).toBeTruthy();
    expect(screen.getByText('This person cannot take this slot for this dose.')).toBeTruthy();
  });

  it('retries the same choice with the same key after a lost answer, so it is never booked twice', async () => {
    let attempt = 0;
    const calls = stubFetch(
      services(() => {
        if (++attempt === 1) throw new TypeError('Failed to fetch');
        return json(201, appointment());
      }),
    );
    await renderWithApp(<CitizenArea />, { path: `/centers/${CENTER.id}`, citizen: TOKENS });
    await chooseSlot(0);
    fireEvent.click(screen.getByRole('button', { name: 'Book this appointment' }));
    expect(await screen.findByText('The service could not be reached. Check your connection and try again.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Book this appointment' }));
    expect(await screen.findByRole('heading', { name: 'Your appointment is booked' })).toBeTruthy();
    const [first, second] = posts(calls);
    expect(keyOf(first)).toMatch(UUID);
    expect(keyOf(second)).toBe(keyOf(first));
  });

  it('lets a signed-out visitor see the times and asks them to sign in to book', async () => {
    stubFetch(services(() => json(500, {})));
    await renderWithApp(<CitizenArea />, { path: `/centers/${CENTER.id}` });
    const times = await screen.findByRole('group', { name: 'Time' });
    expect(within(times).getAllByText('10 places left')).toHaveLength(2);
    expect(screen.getByRole('heading', { name: 'Sign in with a one-time code' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Book this appointment' })).toBeNull();
  });
});
