import { expect, test, type APIRequestContext } from '@playwright/test';
import { demoPassword, randomLetters } from './support.js';

/**
 * Live seats: two people on the same center-day in two browsers. One takes the last seat
 * of a time; the other's picker shows it gone, and lets go of it, without a reload (the
 * availability stream, decision 0010). A national admin opens a one-seat session through
 * the API for it, at the Mumbai demo center, on a day no other journey books.
 */
const REG = '/api/registration/v1';
const MUMBAI = { name: 'Mumbai Central Health Post', timeZone: 'Asia/Kolkata' };

async function ok<T>(response: Awaited<ReturnType<APIRequestContext['get']>>, what: string): Promise<T> {
  expect(response.ok(), `${what}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

function dayIn(timeZone: string, daysAhead: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + daysAhead * 86_400_000));
}

test('a seat taken in one browser leaves the picker of another without a reload', async ({ browser, request }) => {
  const suffix = randomLetters(8);
  const day = dayIn(MUMBAI.timeZone, 4);
  const admin = await ok<{ accessToken: string }>(
    await request.post(`${REG}/staff-sessions`, { data: { email: 'admin@demo.jab.local', password: demoPassword() } }),
    'admin sign-in',
  );
  const { items: centers } = await ok<{ items: { id: string; names: { en: string }; vaccineIds: string[] }[] }>(await request.get(`${REG}/centers`), 'centers');
  const mumbai = centers.find((c) => c.names.en === MUMBAI.name);
  if (!mumbai) throw new Error('the Mumbai demo center is missing');
  await ok(
    await request.post(`${REG}/centers/${mumbai.id}/sessions`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
      data: {
        vaccineId: mumbai.vaccineIds[0],
        date: day,
        startTime: '19:00',
        endTime: '19:30',
        slotMinutes: 30,
        capacityDose1: 1,
        capacityLaterDoses: 0,
        walkInQuota: 0,
      },
    }),
    'one-seat session',
  );

  // Someone looking, not signed in: the center's page with its free times for that day.
  const watcherContext = await browser.newContext();
  const booker = await browser.newContext();
  try {
    const watcher = await watcherContext.newPage();
    await watcher.goto(`/#/centers/${mumbai.id}`);
    await expect(watcher.getByRole('heading', { level: 1, name: MUMBAI.name })).toBeVisible();
    await watcher.getByLabel('Day', { exact: true }).fill(day);
    const watched = watcher.getByRole('group', { name: 'Time' }).getByRole('radio', { name: /7:00\s?PM|19:00/ });
    await expect(watched).toBeEnabled();
    await watched.check();

    // Someone else registers and books that seat in another browser.
    const page = await booker.newPage();
    await page.goto('/');
    await page.getByLabel('Full name').fill(`Ravi Menon-${suffix}`);
    await page.getByLabel('Date of birth').fill('1979-04-02');
    await page.getByLabel('Region').fill('IN-MH');
    await page.getByLabel('Preferred language').selectOption('en');
    await page.getByRole('radio', { name: 'Email' }).check();
    await page.getByLabel('Email address').fill(`ravi.${suffix.toLowerCase()}@example.org`);
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'You are registered' })).toBeVisible();
    await page.goto(`/#/centers/${mumbai.id}`);
    await page.getByLabel('Dose', { exact: true }).selectOption('1');
    await page.getByLabel('Day', { exact: true }).fill(day);
    await page.getByRole('group', { name: 'Time' }).getByRole('radio', { name: /7:00\s?PM|19:00/ }).check();
    await page.getByRole('button', { name: 'Book this appointment' }).click();
    await expect(page.getByRole('heading', { name: 'Your appointment is booked' })).toBeVisible();

    // The first browser was never reloaded: the time is full there, no longer chosen, and it says why.
    await expect(watched).toBeDisabled({ timeout: 5_000 });
    await expect(watched).not.toBeChecked();
    await expect(watcher.getByText('The time you chose was just taken by someone else. Please choose another.')).toBeVisible();
    await expect(watcher.getByRole('group', { name: 'Time' }).getByText('Full')).toBeVisible();
  } finally {
    await watcherContext.close();
    await booker.close();
  }
});
