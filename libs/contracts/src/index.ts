export * from './common.js';
export * from './events.js';
export * from './queues.js';
export * from './api.js';
