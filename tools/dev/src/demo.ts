/** Demo accounts of a local stack; their password comes from JAB_DEMO_PASSWORD or is generated. */
export const DEMO_STAFF = [
  // Works at the Paris demo center (registration's seed-demo: DEMO_IDS.parisCenterId).
  { email: 'vaccinator@demo.jab.local', role: 'staff', region: 'FR-IDF', center: '01900000-0000-7000-8000-00000000d003' },
  { email: 'admin@demo.jab.local', role: 'national-admin' },
] as const;

/** A few people in several scripts, so search and the dashboard have something to show. */
export const DEMO_PEOPLE = [
  { fullName: 'Amélie Dubois', birthDate: '1984-03-12', region: 'FR-IDF', preferredLanguage: 'fr', contact: { channel: 'email', address: 'amelie.dubois@demo.jab.local' } },
  { fullName: 'José Martínez', birthDate: '1971-09-30', region: 'ES-MD', preferredLanguage: 'es', contact: { channel: 'sms', address: '+34600111222' } },
  { fullName: 'प्रिया शर्मा', birthDate: '1995-01-05', region: 'IN-MH', preferredLanguage: 'hi', contact: { channel: 'sms', address: '+919812345678' } },
  { fullName: 'فاطمة الزهراء', birthDate: '1988-07-21', region: 'MA-04', preferredLanguage: 'ar', contact: { channel: 'email', address: 'fatima@demo.jab.local' } },
  { fullName: 'Grace Okafor', birthDate: '2001-11-02', region: 'NG-LA', preferredLanguage: 'en', contact: { channel: 'email', address: 'grace.okafor@demo.jab.local' } },
] as const;
