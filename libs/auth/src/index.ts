export * from './keys.js';
export * from './middleware.js';
export * from './roles.js';
export * from './signer.js';
export * from './verifier.js';
export * from './sealed.js';
export * from './access-reason.js';
