export * from './service.js';
export * from './queue-depth.js';
