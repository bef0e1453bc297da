import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { demoPassword, expectAccessible, finalScreen, randomLetters, signIn } from './support.js';

/**
 * The vaccinator's day, in a real browser against the running platform: find a person
 * typed without accents, open their record, check them in by the code of the appointment
 * they booked, record the dose and report an adverse event after it.
 *
 * The person and their booking are made through the APIs, as the citizen portal would:
 * this journey is about the staff console, and needs no sign-in code.
 */
test.describe.configure({ mode: 'serial' });

const REG = '/api/registration/v1';
const VACCINATOR = 'vaccinator@demo.jab.local';

interface Claims {
  role: string;
  centerId?: string;
  region?: string;
}
interface Slot {
  id: string;
  startsAt: string;
  endsAt: string;
  remaining: { dose1: number };
}

function claimsOf(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims;
}

/** A calendar day (YYYY-MM-DD) in a time zone. */
function dayIn(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

async function ok<T>(response: Awaited<ReturnType<APIRequestContext['get']>>, what: string): Promise<T> {
  expect(response.ok(), `${what}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

/** Registers a person anonymously (a new household) and books the first free first-dose slot at the center. */
async function personWithAppointment(request: APIRequestContext, centerId: string, suffix: string) {
  const center = await ok<{ region: string; timeZone: string }>(await request.get(`${REG}/centers/${centerId}`), 'center');
  const person = {
    fullName: `Zoë Ångström-${suffix}`,
    birthDate: '1990-04-12',
    region: center.region,
    preferredLanguage: 'en',
    contact: { channel: 'email', address: `zoe.${suffix.toLowerCase()}@example.org` },
  };
  const created = await ok<{ registrant: { id: string }; accessToken: string }>(await request.post(`${REG}/registrants`, { data: person }), 'registration');

  const soon = Date.now() + 10 * 60_000;
  for (let d = 0; d < 7; d++) {
    const date = dayIn(center.timeZone, new Date(Date.now() + d * 86_400_000));
    const day = await ok<{ slots: Slot[] }>(await request.get(`${REG}/centers/${centerId}/availability`, { params: { date } }), 'availability');
    const slot = day.slots.find((s) => s.remaining.dose1 > 0 && Date.parse(s.endsAt) > soon);
    if (!slot) continue;
    const appointment = await ok<{ id: string; code: string }>(
      await request.post(`${REG}/appointments`, {
        data: { registrantId: created.registrant.id, slotId: slot.id, doseNumber: 1 },
        headers: { authorization: `Bearer ${created.accessToken}`, 'idempotency-key': `e2e-staff-${suffix}` },
      }),
      'booking',
    );
    return { person, registrantId: created.registrant.id, appointment };
  }
  throw new Error(`no free first-dose slot in the next 7 days at center ${centerId}`);
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'nothing overflows sideways').toBeLessThanOrEqual(0);
}

const suffix = randomLetters(8);
let visit: Awaited<ReturnType<typeof personWithAppointment>> | undefined;
function booked() {
  if (!visit) throw new Error('no appointment was booked for the journey');
  return visit;
}

test.beforeAll(async ({ request }) => {
  const session = await ok<{ accessToken: string }>(
    await request.post(`${REG}/staff-sessions`, { data: { email: VACCINATOR, password: demoPassword() } }),
    'vaccinator sign-in',
  );
  const claims = claimsOf(session.accessToken);
  expect(claims.centerId, `${VACCINATOR} must work at a demo center (create-staff --center … --region …)`).toBeTruthy();
  visit = await personWithAppointment(request, claims.centerId ?? '', suffix);
});

test('a vaccinator finds a person typed without accents, checks them in, records the dose and reports an adverse event', async ({ page }, testInfo) => {
  const { person, registrantId, appointment } = booked();

  await page.goto('/#/staff');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page, testInfo, 'staff-sign-in');
  await signIn(page, VACCINATOR);

  // Find: what a vaccinator types at a desk, without accents; indexed asynchronously, so search again until found.
  const box = page.getByRole('searchbox', { name: 'Name' });
  await expect(box).toBeVisible();
  await box.fill(`Zoe Angstrom-${suffix}`);
  const found = page.getByRole('rowheader').getByRole('link', { name: person.fullName, exact: true });
  await expect(async () => {
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(found).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 90_000, intervals: [1_000, 2_000, 3_000] });
  const row = page.getByRole('row').filter({ has: found });
  await expect(row).toContainText('1990');
  await expect(row).toContainText(person.region);
  await expect(page.getByRole('status').filter({ hasText: 'found for' })).toBeVisible();
  await expectAccessible(page, testInfo, 'staff-results');

  // Open the record: the reason comes first, and is logged with the read.
  await found.click();
  await expect(page.getByRole('heading', { name: 'Why are you opening this record?' })).toBeVisible();
  await expectAccessible(page, testInfo, 'staff-reason');
  await page.getByLabel('Reason', { exact: true }).fill('Vaccination at the center');
  await page.getByRole('button', { name: 'Open the record' }).click();
  await expect(page.getByTestId('staff-record-id')).toHaveText(registrantId);
  await expect(page.getByText(person.fullName, { exact: true })).toBeVisible();
  await expectAccessible(page, testInfo, 'staff-record');

  // Check in by the code the person shows, on a phone-sized screen.
  await page.setViewportSize({ width: 360, height: 800 });
  await page.getByRole('link', { name: 'Today and check-in' }).click();
  await expect(page.getByRole('heading', { name: "Today's appointments" })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /appointment/ })).toBeVisible();
  await noSidewaysScroll(page);
  await expectAccessible(page, testInfo, 'staff-today');
  await page.getByRole('textbox', { name: 'Appointment code' }).fill(appointment.code.toLowerCase());
  await page.getByRole('button', { name: 'Check in', exact: true }).click();

  // Record the dose: the demo lot is in date and chosen first; pick the site.
  await expect(page.getByRole('heading', { name: 'Record the dose' })).toBeVisible();
  await expect(page.getByTestId('staff-visit-status')).toHaveText('Checked in');
  await expect(page.getByLabel('Lot')).toHaveValue(/.+/);
  await expect(page.getByText(/^Expires on /)).toBeVisible();
  await noSidewaysScroll(page);
  await expectAccessible(page, testInfo, 'staff-dose-form');
  await page.getByRole('radio', { name: 'Left arm' }).check();
  await page.getByRole('button', { name: 'Record the dose' }).click();
  await expect(page.getByRole('heading', { name: 'Dose recorded' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'The next dose can be given from' })).toBeVisible();
  await expect(page.getByTestId('staff-visit-status')).toHaveText('Vaccinated');
  await expectAccessible(page, testInfo, 'staff-dose-recorded');

  // Report an adverse event after this dose.
  await page.getByRole('link', { name: 'Report an adverse event' }).click();
  await expect(page.getByRole('heading', { name: 'Report an adverse event' })).toBeVisible();
  await expectAccessible(page, testInfo, 'staff-aefi-form');
  await page.getByLabel('Severity').selectOption('mild');
  await page.getByRole('textbox', { name: 'What happened' }).fill('Sore arm and mild fever the same evening.');
  await page.getByRole('button', { name: 'Send the report' }).click();
  await expect(page.getByRole('heading', { name: 'Adverse event reported' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Severity: Mild' })).toBeVisible();
  await noSidewaysScroll(page);
  await expectAccessible(page, testInfo, 'staff-aefi-reported');
  await finalScreen(page, testInfo, 'staff-final');
});

test('the same person’s record lists the dose, and a second check-in of the code is refused', async ({ page }, testInfo) => {
  const { person, registrantId, appointment } = booked();
  // A link to a record: after signing in, the console opens it (asking the reason first).
  await page.goto(`/#/staff/people/${registrantId}`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await signIn(page, VACCINATOR);
  await page.getByLabel('Reason', { exact: true }).fill('Checking a dose record');
  await page.getByRole('button', { name: 'Open the record' }).click();
  await expect(page.getByText(person.fullName, { exact: true })).toBeVisible();
  const doses = page.getByRole('table', { name: 'Doses given' });
  await expect(doses.getByRole('rowheader', { name: 'Dose 1' })).toBeVisible();
  await expect(doses.getByRole('link', { name: 'Report an adverse event after dose 1' })).toBeVisible();
  await expectAccessible(page, testInfo, 'staff-record-with-dose');

  await page.getByRole('link', { name: 'Today and check-in' }).click();
  await page.getByRole('textbox', { name: 'Appointment code' }).fill(appointment.code);
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The appointment is completed.' })).toBeVisible();
  await expectAccessible(page, testInfo, 'staff-check-in-refused');
});
