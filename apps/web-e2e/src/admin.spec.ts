import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { demoPassword, expectAccessible, finalScreen, randomLetters, signIn } from './support.js';

/**
 * The national admin's journey, in a real browser against the running platform: a dose
 * is given (through the APIs, as the staff console would), the admin sees it on the
 * dashboard's charts and tables, creates a center with a slot schedule, requests a
 * report, follows its progress bar and downloads the CSV with that dose in it.
 */
test.describe.configure({ mode: 'serial' });

const REG = '/api/registration/v1';
const ADMIN = 'admin@demo.jab.local';

interface Center {
  id: string;
  region: string;
  timeZone: string;
  vaccineIds: string[];
}
interface Slot {
  id: string;
  vaccineId: string;
  endsAt: string;
  remaining: { dose1: number };
}
interface Lot {
  lotNumber: string;
  expiresOn: string;
  recalled: boolean;
}

function dayIn(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

async function ok<T>(response: Awaited<ReturnType<APIRequestContext['get']>>, what: string): Promise<T> {
  expect(response.ok(), `${what}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

/**
 * A person registered, booked, checked in and vaccinated at a demo center today, all
 * through the APIs (a national admin may work at any center).
 */
async function doseGivenToday(request: APIRequestContext, suffix: string): Promise<{ doseId: string }> {
  const session = await ok<{ accessToken: string }>(await request.post(`${REG}/staff-sessions`, { data: { email: ADMIN, password: demoPassword() } }), 'admin sign-in');
  const admin = { authorization: `Bearer ${session.accessToken}` };
  const { items: centers } = await ok<{ items: Center[] }>(await request.get(`${REG}/centers`), 'centers');
  const soon = Date.now() + 10 * 60_000;

  for (const center of centers.filter((c) => c.vaccineIds.length > 0)) {
    // Today or the next days: the dose is recorded now whatever the slot's day.
    for (let d = 0; d < 7; d++) {
      const date = dayIn(center.timeZone, new Date(Date.now() + d * 86_400_000));
      const day = await ok<{ slots: Slot[] }>(await request.get(`${REG}/centers/${center.id}/availability`, { params: { date } }), 'availability');
      const slot = day.slots.find((s) => s.remaining.dose1 > 0 && Date.parse(s.endsAt) > soon);
      if (!slot) continue;
      const { items: lots } = await ok<{ items: Lot[] }>(await request.get(`${REG}/lots`, { params: { vaccineId: slot.vaccineId }, headers: admin }), 'lots');
      const today = dayIn(center.timeZone, new Date());
      const lot = lots.find((l) => !l.recalled && l.expiresOn >= today);
      if (!lot) continue;

      const person = {
        fullName: `Admin Journey ${suffix}`,
        birthDate: '1985-06-01',
        region: center.region,
        preferredLanguage: 'en',
        contact: { channel: 'email', address: `admin.journey.${suffix.toLowerCase()}@example.org` },
      };
      const created = await ok<{ registrant: { id: string }; accessToken: string }>(await request.post(`${REG}/registrants`, { data: person }), 'registration');
      const appointment = await ok<{ id: string; code: string }>(
        await request.post(`${REG}/appointments`, {
          data: { registrantId: created.registrant.id, slotId: slot.id, doseNumber: 1 },
          headers: { authorization: `Bearer ${created.accessToken}` },
        }),
        'booking',
      );
      await ok(await request.post(`${REG}/check-ins`, { data: { appointmentCode: appointment.code }, headers: admin }), 'check-in');
      const dose = await ok<{ id: string }>(
        await request.post(`${REG}/doses`, {
          data: {
            registrantId: created.registrant.id,
            appointmentId: appointment.id,
            vaccineId: slot.vaccineId,
            lotNumber: lot.lotNumber,
            doseNumber: 1,
            site: 'right-arm',
            administeredAt: new Date().toISOString(),
          },
          headers: admin,
        }),
        'dose',
      );
      return { doseId: dose.id };
    }
  }
  throw new Error('no center with a free first-dose slot and a usable lot in the next 7 days');
}

/** Today as the dashboard writes it: UTC calendar day, in the reader's language (English here). */
const todayLabel = () => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date());
const count = (text: string | null) => Number((text ?? '').replace(/\D/g, ''));

async function noSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'nothing overflows sideways').toBeLessThanOrEqual(0);
}

const suffix = randomLetters(8);
let given: { doseId: string } | undefined;

test.beforeAll(async ({ request }) => {
  given = await doseGivenToday(request, suffix);
});

test('a national admin sees today’s dose on the dashboard, in charts and in numbers', async ({ page }, testInfo) => {
  expect(given, 'a dose was given for the journey').toBeDefined();
  await page.goto('/#/admin');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page, testInfo, 'admin-sign-in');
  await signIn(page, ADMIN);

  // Rolled up asynchronously from the events: refresh until today's dose is counted, bounded.
  const doses = page.getByRole('table', { name: 'Doses given per day' });
  const todayRow = doses.getByRole('row').filter({ has: page.getByRole('rowheader', { name: todayLabel(), exact: true }) });
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    expect(count(await todayRow.getByRole('cell').first().textContent({ timeout: 2_000 }))).toBeGreaterThanOrEqual(1);
  }).toPass({ timeout: 90_000, intervals: [1_000, 2_000, 3_000] });

  expect(count(await page.getByTestId('summary-doses').textContent())).toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('heading', { name: 'Registrations', exact: true })).toBeVisible();
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    expect(count(await page.getByTestId('registrations-total').textContent({ timeout: 2_000 }))).toBeGreaterThanOrEqual(1);
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 3_000] });
  await expect(page.getByRole('table', { name: 'Coverage per region and age band' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Appointments scheduled and doses given per center and day' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'No-shows, bookings and cancellations per day' })).toBeVisible();
  // The charts are drawn (recharts' SVG), beside the tables that carry their numbers.
  await expect(page.locator('.chart svg.recharts-surface').first()).toBeVisible();
  expect(await page.locator('.chart svg.recharts-surface').count()).toBeGreaterThanOrEqual(3);
  await expectAccessible(page, testInfo, 'admin-dashboard');

  await page.setViewportSize({ width: 360, height: 800 });
  await expect(doses).toBeVisible();
  await noSidewaysScroll(page);
  await expectAccessible(page, testInfo, 'admin-dashboard-phone');
});

test('a national admin creates a center with a slot schedule', async ({ page }, testInfo) => {
  await page.goto('/#/admin/centers');
  await signIn(page, ADMIN);
  await expect(page.getByRole('heading', { name: 'Create a center' })).toBeVisible();
  await expectAccessible(page, testInfo, 'admin-center-form');

  // Sent empty first: the contract's own rules, next to the fields.
  await page.getByRole('button', { name: 'Create the center' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Please correct the highlighted fields.' })).toBeVisible();
  await expect(page.getByLabel('Name in English')).toHaveAttribute('aria-invalid', 'true');

  const name = `E2E center ${suffix}`;
  await page.getByLabel('Name in English').fill(name);
  await page.getByLabel('Name in French').fill(`Centre E2E ${suffix}`);
  await page.getByLabel('Address').fill('1 place de la République, 75003 Paris');
  await page.getByLabel(/^Region/).fill('FR-IDF');
  await page.getByLabel(/^Time zone/).fill('Europe/Paris');
  await page.getByLabel('Latitude').fill('48.8674');
  await page.getByLabel('Longitude').fill('2.3636');
  await page.getByRole('group', { name: 'Languages spoken at the center' }).getByRole('checkbox', { name: 'French' }).check();
  await page.getByRole('group', { name: 'Languages spoken at the center' }).getByRole('checkbox', { name: 'English' }).check();
  await page.getByRole('group', { name: 'Vaccines offered' }).getByRole('checkbox').first().check();
  await page.getByRole('checkbox', { name: 'Saturday' }).check();
  await page.getByRole('button', { name: 'Create the center' }).click();

  await expect(page.getByRole('heading', { name: 'Center created' })).toBeVisible();
  await expect(page.getByTestId('center-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await expectAccessible(page, testInfo, 'admin-center-created');

  await page.getByRole('link', { name: 'Add slot schedules for it' }).click();
  await expect(page.getByRole('heading', { name: 'Slot schedules' })).toBeVisible();
  await expect(page.getByLabel('Center', { exact: true }).locator('option:checked')).toHaveText(new RegExp(name));
  const tomorrow = dayIn('Europe/Paris', new Date(Date.now() + 86_400_000));
  await page.getByLabel('First day').fill(tomorrow);
  await page.getByLabel('Number of days').fill('2');
  await expectAccessible(page, testInfo, 'admin-session-form');
  await page.getByRole('button', { name: 'Create the schedule' }).click();
  await expect(page.getByRole('status').filter({ hasText: '2 of 2 days created.' })).toBeVisible();
  await expectAccessible(page, testInfo, 'admin-session-created');
});

test('a national admin recalls a lot, only after confirming why', async ({ page, request }, testInfo) => {
  // A lot of its own (the demo lot stays usable for the other journeys).
  const session = await ok<{ accessToken: string }>(await request.post(`${REG}/staff-sessions`, { data: { email: ADMIN, password: demoPassword() } }), 'admin sign-in');
  const { items: vaccines } = await ok<{ items: { id: string }[] }>(await request.get(`${REG}/vaccines`), 'vaccines');
  const lotNumber = `E2E-${suffix.toUpperCase()}`;
  const expiresOn = dayIn('UTC', new Date(Date.now() + 180 * 86_400_000));
  await ok(
    await request.post(`${REG}/lots`, { data: { vaccineId: vaccines[0]?.id, lotNumber, expiresOn }, headers: { authorization: `Bearer ${session.accessToken}` } }),
    'lot',
  );

  await page.goto('/#/admin/lots');
  await signIn(page, ADMIN);
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: lotNumber, exact: true }) });
  await expect(row).toContainText('In use');
  await expectAccessible(page, testInfo, 'admin-lots');

  await row.getByRole('button', { name: `Recall ${lotNumber}` }).click();
  await expect(page.getByRole('heading', { name: `Recall lot ${lotNumber}?` })).toBeFocused();
  await page.getByRole('button', { name: `Recall lot ${lotNumber}` }).click();
  await expect(page.getByLabel('Reason for the recall')).toHaveAttribute('aria-invalid', 'true');
  await expect(row).toContainText('In use');
  await expectAccessible(page, testInfo, 'admin-lot-confirm');

  await page.getByLabel('Reason for the recall').fill('Cold chain broken during transport');
  await page.getByRole('button', { name: `Recall lot ${lotNumber}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Lot ${lotNumber} is recalled.` })).toBeVisible();
  await expect(row).toContainText('Recalled on');
  await expect(row).toContainText('Cold chain broken during transport');
  await expect(row.getByRole('button')).toHaveCount(0);
  await expectAccessible(page, testInfo, 'admin-lot-recalled');
});

test('a national admin requests a report, follows its progress and downloads it', async ({ page }, testInfo) => {
  expect(given, 'a dose was given for the journey').toBeDefined();
  await page.goto('/#/admin/reports');
  await signIn(page, ADMIN);
  await expect(page.getByRole('heading', { name: 'Reports', exact: true })).toBeVisible();
  await expectAccessible(page, testInfo, 'admin-reports');

  await page.getByRole('radio', { name: 'Doses, one line per dose' }).check();
  await page.getByRole('button', { name: 'Request the report' }).click();
  const bar = page.getByRole('progressbar', { name: 'Progress of the report “Doses, one line per dose”' });
  await expect(bar).toBeVisible();
  const link = page.getByRole('link', { name: 'Download the report “Doses, one line per dose” (CSV)' });
  await expect(link).toBeVisible({ timeout: 120_000 });
  await expect(bar).toHaveAttribute('value', '100');
  await expect(page.getByTestId('report-status')).toHaveText(/^Done: [\d,]+ rows?\.$/);
  await expectAccessible(page, testInfo, 'admin-report-done');

  const downloading = page.waitForEvent('download');
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^report-doses-line-list-.+\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv.split('\n')[0]).toContain('dose_id');
  expect(csv).toContain(given?.doseId ?? 'a dose id');
  await finalScreen(page, testInfo, 'admin-final');
});
