export * from './database.js';
export * from './redis.js';
export * from './tcp-proxy.js';
export * from './wait-for.js';
