export * from './errors.js';
export * from './grants.js';
