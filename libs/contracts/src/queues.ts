import type { RegistrationEventType } from './events.js';

/**
 * Queue names: `<consumer>.<source>`, one per consuming service. Never rename one:
 * jobs waiting in a renamed queue would be stranded.
 */
export const QUEUES = {
  notificationsFromRegistration: 'notifications.registration',
  searchFromRegistration: 'search.registration',
  analyticsFromRegistration: 'analytics.registration',
  notificationsDelivery: 'notifications.delivery',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

const { notificationsFromRegistration: n, searchFromRegistration: s, analyticsFromRegistration: a } = QUEUES;

/**
 * Which queues receive each registration event (the outbox relay's routing): every
 * consumer gets what it acts on, and nothing else.
 */
export const REGISTRATION_EVENT_ROUTES: Record<RegistrationEventType, readonly QueueName[]> = {
  'registrant.registered': [n, s, a],
  'registrant.updated': [n, s, a],
  'appointment.booked': [n, a],
  'appointment.cancelled': [n, a],
  'appointment.rescheduled': [n, a],
  'appointment.checked_in': [a],
  'dose.administered': [n, a],
  'aefi.reported': [a],
  'lot.recalled': [n, a],
  'otp.requested': [n],
  'certificate.issued': [n],
  'center.saved': [s],
  'session.scheduled': [a],
};
