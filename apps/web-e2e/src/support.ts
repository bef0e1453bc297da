import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Password of the seeded demo accounts, shared with the stack by playwright.config.ts. */
export function demoPassword(): string {
  const password = process.env['JAB_DEMO_PASSWORD'];
  if (!password) throw new Error('JAB_DEMO_PASSWORD is not set (playwright.config.ts sets it)');
  return password;
}

/** Letters only, so search tokenizers keep the suffix as part of the name. */
export function randomLetters(length: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const chars = Array.from({ length }, () => letters[Math.floor(Math.random() * letters.length)]);
  return chars.join('').replace(/^./, (c) => c.toUpperCase());
}

/** Today as the analytics API names days (UTC) and as the local calendar does, near midnight. */
export function todayCandidates(now = new Date()): string[] {
  const utc = now.toISOString().slice(0, 10);
  const local = [now.getFullYear(), now.getMonth() + 1, now.getDate()]
    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0'))
    .join('-');
  return [...new Set([utc, local])];
}

/** axe-core over the whole page; fails on serious or critical WCAG 2.x A/AA violations. */
export async function expectAccessible(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  await testInfo.attach(`axe-${name}.json`, {
    body: JSON.stringify(results.violations, null, 2),
    contentType: 'application/json',
  });
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(blocking, `axe violations on ${name}`).toEqual([]);
}

/** Writes the journey's final screen to the test output and attaches it to the report. */
export async function finalScreen(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${name}.png`, { path: file, contentType: 'image/png' });
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(demoPassword());
  await page.getByRole('button', { name: 'Sign in' }).click();
}

interface SinkLine {
  template: string;
  to: { channel: string; address: string };
  subject: string;
  body: string;
  sentAt: string;
}

/** Messages the local stack "sent" (its notifications sink), newest last. */
export function sentMessages(): SinkLine[] {
  const dir = process.env['JAB_STATE_DIR'];
  if (!dir) throw new Error('JAB_STATE_DIR is not set (playwright.config.ts sets it)');
  const file = path.join(dir, 'outbox', 'outbox.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SinkLine);
}

/**
 * The newest one-time code sent to `address` after `since`, as the citizen reads it in
 * their message; waits for delivery (outbox → queue → worker), bounded.
 */
export async function codeSentTo(address: string, since: Date): Promise<string> {
  let code: string | undefined;
  await expect
    .poll(
      () => {
        const message = sentMessages()
          .filter((m) => m.to.address === address && new Date(m.sentAt) >= since && /\b\d{6}\b/.test(m.body))
          .at(-1);
        code = message?.body.match(/\b(\d{6})\b/)?.[1];
        return code;
      },
      { timeout: 60_000, intervals: [500, 1_000] },
    )
    .toBeDefined();
  return code!;
}
