import { fireEvent, screen, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch } from '../testing/render';
import { CitizenArea } from './citizen-area';
import { CENTER, VACCINE, availability, problem } from './test-fixtures';

const REG = '/api/registration/v1';
const MUMBAI = {
  ...CENTER,
  id: '01900000-0000-7000-8000-00000000d004',
  names: { en: 'Mumbai Central Health Post', hi: 'मुंबई सेंट्रल स्वास्थ्य केंद्र' },
  address: 'Dr Anandrao Nair Road, Mumbai Central, Mumbai 400008',
  region: 'IN-MH',
  languages: ['hi', 'en'] as const,
  timeZone: 'Asia/Kolkata',
};

describe('finding a center', { timeout: 20_000 }, () => {
  it('searches by words with the search service, with language and vaccine, and shows free times', async () => {
    const calls = stubFetch((url) => {
      const path = url.split('?')[0];
      if (path === `${REG}/vaccines`) return json(200, { items: [VACCINE] });
      if (path === '/api/search/v1/centers')
        return json(200, {
          items: [{ id: MUMBAI.id, names: MUMBAI.names, locality: 'Mumbai Central', region: 'IN-MH', languages: ['hi', 'en'], vaccines: [{ id: VACCINE.id, name: 'Jabvax' }] }],
          nextCursor: null,
        });
      if (path === `${REG}/centers`) return json(200, { items: [CENTER, MUMBAI] });
      if (path.endsWith('/availability')) return json(200, availability(new URL(url, 'http://x').searchParams.get('date') ?? ''));
      return json(404, problem(404, 'Not Found'));
    });
    await renderWithApp(<CitizenArea />, { path: '/centers', language: 'hi' });
    await screen.findByRole('option', { name: 'Jabvax' });
    fireEvent.change(screen.getByLabelText('नाम या स्थान'), { target: { value: 'mumbai' } });
    fireEvent.change(screen.getByLabelText('बोली जाने वाली भाषा'), { target: { value: 'hi' } });
    fireEvent.change(screen.getByLabelText('टीका'), { target: { value: VACCINE.id } });
    fireEvent.click(screen.getByRole('button', { name: 'खोजें' }));

    // The center's own Hindi name, marked as Hindi.
    const name = await screen.findByRole('heading', { name: 'मुंबई सेंट्रल स्वास्थ्य केंद्र' });
    expect(name.getAttribute('lang')).toBe('hi');
    const search = calls.find((c) => c.url.startsWith('/api/search/v1/centers'));
    const query = new URL(search?.url ?? '', 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({ q: 'mumbai', language: 'hi', vaccine: VACCINE.id, limit: '20' });
    const card = name.closest('li') as HTMLElement;
    expect(await within(card).findByText(/2 खाली समय/)).toBeTruthy();
    expect(within(card).getByRole('link').getAttribute('href')).toBe(`/centers/${MUMBAI.id}`);
  });

  it('falls back to the registration list, matched here, when search finds nothing', async () => {
    stubFetch((url) => {
      const path = url.split('?')[0];
      if (path === `${REG}/vaccines`) return json(200, { items: [VACCINE] });
      if (path === '/api/search/v1/centers') return json(200, { items: [], nextCursor: null });
      if (path === `${REG}/centers`) return json(200, { items: [CENTER, MUMBAI] });
      if (path.endsWith('/availability')) return json(200, { ...availability('x'), date: new URL(url, 'http://x').searchParams.get('date'), slots: [] });
      return json(404, problem(404, 'Not Found'));
    });
    await renderWithApp(<CitizenArea />, { path: '/centers' });
    expect(await screen.findByText('2 centers found.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Name or place'), { target: { value: 'hotel de ville' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('1 center found.')).toBeTruthy();
    const list = screen.getByRole('list', { name: 'Centers' });
    expect(within(list).getByRole('heading').textContent).toBe(CENTER.names['en']);
    expect(await within(list).findByText(/No free time on/)).toBeTruthy();
  });

  it('asks for two characters before searching', async () => {
    const calls = stubFetch((url) => (url.startsWith(`${REG}/vaccines`) ? json(200, { items: [] }) : json(200, { items: [] })));
    await renderWithApp(<CitizenArea />, { path: '/centers' });
    await screen.findByText('0 centers found.');
    const before = calls.length;
    fireEvent.change(screen.getByLabelText('Name or place'), { target: { value: 'm' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('Type at least 2 characters, or leave it empty to see every center.')).toBeTruthy();
    expect(calls.length).toBe(before);
  });

  it('shows an error with a retry when the centers cannot be loaded', async () => {
    stubFetch((url) => (url.startsWith(`${REG}/vaccines`) ? json(200, { items: [] }) : json(503, problem(503, 'Down'), 'application/problem+json')));
    await renderWithApp(<CitizenArea />, { path: '/centers' });
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Something went wrong on our side. Please try again.')).toBeTruthy();
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
