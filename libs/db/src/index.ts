export type { EventEnvelope } from '@jab/queue';
export * from './migrate.js';
export * from './outbox.js';
export * from './pool.js';
export * from './relay.js';
export * from './batcher.js';
