/**
 * The demo staff accounts registration's `seed-demo` makes (apps/registration/src/catalogue/demo.ts),
 * as the banner of `npm start` names them.
 */
export const DEMO_STAFF_EMAILS = ['vaccinator@demo.jab.local (staff at the Paris demo center)', 'admin@demo.jab.local (national admin)'] as const;

/** A few people in several scripts, so search and the dashboard have something to show. */
export const DEMO_PEOPLE = [
  { fullName: 'Amélie Dubois', birthDate: '1984-03-12', region: 'FR-IDF', preferredLanguage: 'fr', contact: { channel: 'email', address: 'amelie.dubois@demo.jab.local' } },
  { fullName: 'José Martínez', birthDate: '1971-09-30', region: 'ES-MD', preferredLanguage: 'es', contact: { channel: 'sms', address: '+34600111222' } },
  { fullName: 'प्रिया शर्मा', birthDate: '1995-01-05', region: 'IN-MH', preferredLanguage: 'hi', contact: { channel: 'sms', address: '+919812345678' } },
  { fullName: 'فاطمة الزهراء', birthDate: '1988-07-21', region: 'MA-04', preferredLanguage: 'ar', contact: { channel: 'email', address: 'fatima@demo.jab.local' } },
  { fullName: 'Grace Okafor', birthDate: '2001-11-02', region: 'NG-LA', preferredLanguage: 'en', contact: { channel: 'email', address: 'grace.okafor@demo.jab.local' } },
] as const;
