import type { Slot } from './citizen.api';

/** A center's name in the reader's language when it has one, else English, else any; with its language. */
export function centerName(names: Record<string, string>, language: string): { text: string; lang: string } {
  const base = language.split('-')[0] ?? language;
  for (const lang of [base, 'en', ...Object.keys(names)]) {
    const text = names[lang];
    if (text) return { text, lang };
  }
  return { text: '', lang: base };
}

/** Today's calendar day (YYYY-MM-DD) in a time zone, e.g. the center's. */
export function localToday(timeZone?: string, now = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Seats a slot has left for a dose: first doses and later doses have separate quotas. */
export function seatsFor(slot: Slot, doseNumber: number): number {
  return doseNumber === 1 ? slot.remaining.dose1 : slot.remaining.laterDoses;
}

/** A slot a person can still book: not started, with a seat for either kind of dose. */
export function isOpen(slot: Slot, now = Date.now()): boolean {
  return Date.parse(slot.startsAt) > now && slot.remaining.dose1 + slot.remaining.laterDoses > 0;
}

/** A fresh Idempotency-Key for one booking attempt. */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Older browsers without randomUUID (outside secure contexts) still get 122 random bits.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
