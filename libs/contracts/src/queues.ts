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

/** Which queues receive each registration event (the outbox relay's routing). */
export const REGISTRATION_EVENT_ROUTES: Record<string, readonly QueueName[]> = {
  'registrant.registered': [
    QUEUES.notificationsFromRegistration,
    QUEUES.searchFromRegistration,
    QUEUES.analyticsFromRegistration,
  ],
};
