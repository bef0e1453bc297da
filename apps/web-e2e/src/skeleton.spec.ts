import { expect, test } from '@playwright/test';
import { expectAccessible, finalScreen, randomLetters } from './support.js';

/**
 * The walking skeleton, end to end in a real browser against the running platform:
 * registration → outbox → queues → notifications, search and analytics workers → the three areas.
 * The journeys share one citizen, so they run in order and stop at the first failure.
 */
test.describe.configure({ mode: 'serial' });

const suffix = randomLetters(8);
const citizen = {
  fullName: `Zoë Ångström-${suffix}`,
  // What a vaccinator types at a desk: no accents.
  typedName: `Zoe Angstrom-${suffix}`,
  birthDate: '1990-04-12',
  region: 'IN-MH',
  email: `zoe.${suffix.toLowerCase()}@example.org`,
};
let registrantId = '';

test('a citizen registers and receives the welcome message', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Register for vaccination' })).toBeVisible();
  await expectAccessible(page, testInfo, 'citizen-form');

  await page.getByLabel('Full name').fill(citizen.fullName);
  await page.getByLabel('Date of birth').fill(citizen.birthDate);
  await page.getByLabel('Region').fill(citizen.region);
  await page.getByLabel('Preferred language').selectOption('en');
  await page.getByRole('radio', { name: 'Email' }).check();
  await page.getByLabel('Email address').fill(citizen.email);
  await page.getByRole('button', { name: 'Register' }).click();

  await expect(page.getByRole('heading', { name: 'You are registered' })).toBeVisible();
  registrantId = (await page.getByTestId('registrant-id').textContent())?.trim() ?? '';
  expect(registrantId).not.toBe('');

  // Delivered asynchronously (outbox → queue → worker); the page polls, bounded.
  const welcome = page
    .getByRole('list', { name: 'Your messages' })
    .getByRole('listitem')
    .filter({ hasText: 'Welcome message' });
  await expect(welcome).toContainText(/:\s*sent\b/, { timeout: 90_000 });
  await expect(page.getByRole('status').filter({ hasText: 'welcome message has been sent' })).toBeVisible();

  // Usable on a small phone: nothing overflows sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expectAccessible(page, testInfo, 'citizen-confirmation');
  await finalScreen(page, testInfo, 'citizen-final');
});

// The staff and admin journeys live in staff.spec.ts and admin.spec.ts (each makes its own person through the APIs).
