import { screen, within } from '@testing-library/react';
import { testI18n, json, renderWithApp, stubFetch } from '../testing/render';
import { CitizenArea } from './citizen-area';
import { CENTER, TOKENS, VACCINE, ZOE, appointment, availability, problem } from './test-fixtures';

const REG = '/api/registration/v1';
const BOOKED = appointment();

function services(url: string) {
  const path = url.split('?')[0];
  if (path === `${REG}/appointments/${BOOKED.id}`) return json(200, BOOKED);
  if (path === `${REG}/centers/${CENTER.id}`) return json(200, CENTER);
  if (path === `${REG}/vaccines`) return json(200, { items: [VACCINE] });
  if (path === `${REG}/registrants`) return json(200, { items: [ZOE] });
  if (path === `${REG}/centers/${CENTER.id}/availability`) return json(200, availability(new URL(url, 'http://x').searchParams.get('date') ?? ''));
  return json(404, problem(404, 'Not Found'));
}

describe('the portal in Arabic', { timeout: 20_000 }, () => {
  it('is laid out right to left', async () => {
    expect((await testI18n('ar')).dir()).toBe('rtl');
  });

  it('shows an appointment in Arabic, keeping codes and foreign names isolated and marked', async () => {
    stubFetch(services);
    await renderWithApp(<CitizenArea />, { path: `/appointments/${BOOKED.id}`, citizen: TOKENS, language: 'ar' });
    expect(await screen.findByRole('heading', { level: 1, name: 'موعدك' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'بوابة المواطن' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'المواعيد' }).getAttribute('aria-current')).toBe('page');

    // A Latin code inside Arabic text keeps its own direction.
    const code = screen.getByTestId('appointment-code');
    expect(code.querySelector('bdi')?.textContent).toBe(BOOKED.code);
    // The center has no Arabic name: its English one is announced as English.
    const center = screen.getByText(CENTER.names['en'] ?? '');
    expect(center.getAttribute('lang')).toBe('en');
    expect(screen.getByText('محجوز')).toBeTruthy();
    expect(screen.getByText('Jabvax، الجرعة 1')).toBeTruthy();
    expect(screen.getByText('بالتوقيت المحلي للمركز (Europe/Paris)')).toBeTruthy();
  });

  it('uses Arabic plural forms for the places left', async () => {
    stubFetch(services);
    await renderWithApp(<CitizenArea />, { path: `/centers/${CENTER.id}`, citizen: TOKENS, language: 'ar' });
    const times = await screen.findByRole('group', { name: 'الوقت' });
    // 10 is a "few" in Arabic; 5 later-dose seats would be too.
    expect(within(times).getAllByText('تبقّت 10 أماكن')).toHaveLength(2);
    expect(screen.getByRole('button', { name: 'احجز هذا الموعد' })).toBeTruthy();
  });
});
