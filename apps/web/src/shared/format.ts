/** Dates and times through Intl in the reader's language; appointments in the center's zone. */

export function formatDate(iso: string, language: string, timeZone?: string): string {
  // A bare YYYY-MM-DD is a calendar day: show it as such, whatever the device's zone.
  const date = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00Z`) : new Date(iso);
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: timeZone ?? (iso.length === 10 ? 'UTC' : undefined) }).format(date);
}

export function formatDateTime(iso: string, language: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function formatTime(iso: string, language: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(language, { timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function formatNumber(value: number, language: string, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(language, options).format(value);
}
