import { expect, test, type Page } from '@playwright/test';
import { codeSentTo, expectAccessible, finalScreen, randomLetters, sentMessages } from './support.js';

/**
 * The citizen's whole journey on a phone, in a real browser against the running platform:
 * register → add a household member → find a demo center → book a slot → the confirmation
 * and its message → Arabic, right to left → sign in again by one-time code → move, then
 * cancel the appointment → certificates and the access log. Demo data (tools/dev seeds it,
 * apps/registration/src/catalogue/demo.ts): the Mumbai center (Asia/Kolkata) with slots
 * every 30 minutes, 09:00–17:00, for the next seven days, and a campaign for ages 12+ in IN-MH.
 */
const MUMBAI = {
  name: 'Mumbai Central Health Post',
  address: 'Dr Anandrao Nair Road, Mumbai Central, Mumbai 400008',
  timeZone: 'Asia/Kolkata',
};

const suffix = randomLetters(8);
const citizen = {
  fullName: `Amara Okafor-${suffix}`,
  birthDate: '1985-09-30',
  region: 'IN-MH',
  email: `amara.${suffix.toLowerCase()}@example.org`,
};
const member = { fullName: `Kofi Okafor-${suffix}`, birthDate: '2010-03-15', region: 'IN-MH' };

/**
 * The day after tomorrow on the center's calendar: today's times may all have begun, and an
 * appointment more than a day ahead gets no reminder while the journey runs (a reminder's
 * body, with the center's 6-digit postcode, must not pass for the one-time code).
 */
function dayAfterTomorrowIn(timeZone: string): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
  const day = new Date(`${today}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 2);
  return day.toISOString().slice(0, 10);
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'page scrolls sideways').toBeLessThanOrEqual(0);
}

const portalNav = (page: Page) => page.getByRole('navigation', { name: 'Citizen portal' });

test('a citizen registers, books, follows the confirmation, then moves and cancels the appointment', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 800 });
  const day = dayAfterTomorrowIn(MUMBAI.timeZone);

  // ---- register, without an account ----
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Register for vaccination' })).toBeVisible();
  await page.getByLabel('Full name').fill(citizen.fullName);
  await page.getByLabel('Date of birth').fill(citizen.birthDate);
  await page.getByLabel('Region').fill(citizen.region);
  await page.getByLabel('Preferred language').selectOption('en');
  await page.getByRole('radio', { name: 'Email' }).check();
  await page.getByLabel('Email address').fill(citizen.email);
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'You are registered' })).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-registered');

  // ---- add a household member ----
  await page.getByRole('link', { name: 'Add someone of your household' }).click();
  await expect(page.getByRole('heading', { name: 'Add a person to your household' })).toBeVisible();
  await page.getByLabel('Full name').fill(member.fullName);
  await page.getByLabel('Date of birth').fill(member.birthDate);
  await page.getByLabel('Region').fill(member.region);
  await expectAccessible(page, testInfo, 'citizen-add-member');
  await page.getByRole('button', { name: 'Add to household' }).click();
  await expect(page.getByText(`${member.fullName} was added to your household.`)).toBeVisible();
  await expect(page.getByText('2 of 4 people registered.')).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-household');

  // ---- find a demo center ----
  await portalNav(page).getByRole('link', { name: 'Find a center' }).click();
  await expect(page.getByRole('heading', { name: 'Find a vaccination center' })).toBeVisible();
  await page.getByLabel('Name or place').fill('Mumbai');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: MUMBAI.name }) });
  await expect(card).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-centers');
  await expectNoSidewaysScroll(page);
  await card.getByRole('link', { name: /^Choose a time/ }).click();

  // ---- pick a day and a time, the person and the dose; confirm ----
  await expect(page.getByRole('heading', { level: 1, name: MUMBAI.name })).toBeVisible();
  await page.getByLabel('Person', { exact: true }).selectOption({ label: citizen.fullName });
  await page.getByLabel('Dose', { exact: true }).selectOption('1');
  await page.getByLabel('Day', { exact: true }).fill(day);
  const times = page.getByRole('group', { name: 'Time' });
  await times.getByRole('radio', { disabled: false }).first().check();
  await expectAccessible(page, testInfo, 'citizen-booking');
  await expectNoSidewaysScroll(page);
  await page.getByRole('button', { name: 'Book this appointment' }).click();

  await expect(page.getByRole('heading', { name: 'Your appointment is booked' })).toBeVisible();
  const code = (await page.getByTestId('appointment-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
  await expect(page.getByText(MUMBAI.address)).toBeVisible();
  await expect(page.getByText(`Local time at the center (${MUMBAI.timeZone})`)).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-booked');
  await expectNoSidewaysScroll(page);

  // ---- the booking confirmation in the message history (outbox → queue → worker), bounded ----
  await portalNav(page).getByRole('link', { name: 'Messages' }).click();
  const confirmation = page.getByRole('list', { name: 'Your messages' }).getByRole('listitem').filter({ hasText: 'Booking confirmation' });
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(confirmation).toContainText(/:\s*(sent|delivered)\b/, { timeout: 2_000 });
  }).toPass({ timeout: 90_000, intervals: [1_000, 2_000, 3_000] });
  // What the citizen received carries the same code.
  expect(sentMessages().some((m) => m.to.address === citizen.email && m.body.includes(code))).toBe(true);
  await expectAccessible(page, testInfo, 'citizen-messages');

  // ---- Arabic: right to left, translated ----
  const picker = page.locator('#language-picker');
  await picker.selectOption('ar');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByRole('heading', { level: 1, name: 'رسائلك' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'بوابة المواطن' })).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-messages-ar');
  await expectNoSidewaysScroll(page);
  await picker.selectOption('en');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');

  // ---- sign out, and back in with the one-time code the citizen receives ----
  await portalNav(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You are signed out.')).toBeVisible();
  await portalNav(page).getByRole('link', { name: 'Sign in' }).click();
  const since = new Date();
  await page.getByLabel('Email address').fill(citizen.email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  const codeField = page.getByLabel('6-digit code');
  await expect(codeField).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-code');
  await codeField.fill(await codeSentTo(citizen.email, since));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Your vaccination portal' })).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-home');

  // ---- move the appointment to another time, then cancel it ----
  await portalNav(page).getByRole('link', { name: 'Appointments' }).click();
  await page.getByRole('link', { name: new RegExp(`^Details of the appointment of ${citizen.fullName}`) }).click();
  await expect(page.getByTestId('appointment-code')).toHaveText(code);
  await page.getByRole('link', { name: 'Change the time' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a new time' })).toBeVisible();
  await page.getByLabel('Day', { exact: true }).fill(day);
  await page.getByRole('group', { name: 'Time' }).getByRole('radio', { disabled: false }).first().check();
  await expectAccessible(page, testInfo, 'citizen-reschedule');
  await page.getByRole('button', { name: 'Move my appointment' }).click();
  await expect(page.getByRole('heading', { name: 'Your appointment was moved' })).toBeVisible();
  await expect(page.getByTestId('appointment-code')).toHaveText(code);

  await page.getByRole('button', { name: 'Cancel the appointment' }).click();
  await expect(page.getByRole('heading', { name: 'Cancel this appointment?' })).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-cancel-confirm');
  await page.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(page.getByRole('heading', { name: 'Appointment cancelled' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Your appointment was cancelled.' })).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-cancelled');

  // ---- certificates (none before a dose) and who viewed the record ----
  await portalNav(page).getByRole('link', { name: 'Certificates' }).click();
  await expect(page.getByText('No certificates yet. You get one after each dose.')).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-certificates');
  await portalNav(page).getByRole('link', { name: 'Who viewed my record' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Who viewed my record' })).toBeVisible();
  // A citizen's own actions are not staff reads: nobody has opened the record yet.
  await expect(page.getByText(`Nobody from the vaccination service has opened the record of ${citizen.fullName}.`)).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-access-log');
  await expectNoSidewaysScroll(page);
  await finalScreen(page, testInfo, 'citizen-journey-final');
});
