export * from './app.js';
export * from './errors.js';
export * from './health.js';
export * from './openapi.js';
export { REQUEST_ID_HEADER, setRoutePattern } from './request-context.js';
export * from './server.js';
export * from './shutdown.js';
export * from './validate.js';
