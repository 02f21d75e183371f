// Public surface of @junction/shared.
export * from './config.js';
export * from './duration.js';
export * from './errors.js';
export * from './health-monitor.js';
export * from './logging.js';
export * from './model.js';
export * from './prober.js';
export * from './registry.js';
export * from './registry-store.js';
export * from './resources.js';
export * from './rules.js';
export * from './schemas.js';
export * from './selector.js';
export * from './yaml-env.js';
export * from './zod-errors.js';
