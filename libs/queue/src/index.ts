export { UnrecoverableError, type Job, type Queue, type Worker } from 'bullmq';
export * from './admin.js';
export * from './backoff.js';
export * from './envelope.js';
export * from './event-worker.js';
export * from './job-id.js';
export * from './queue.js';
export * from './redis.js';
export * from './worker.js';
