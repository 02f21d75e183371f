// The pure contract of @junction/shared (`@junction/shared/contract`): schemas, model, registry builder,
// rules, selectors, CRD generation and the RegistryStore and QueueStore interfaces. No sockets, files or timers.
export * from './config.js';
export * from './crd.js';
export * from './duration.js';
export * from './errors.js';
export * from './history.js';
export * from './manifests.js';
export * from './model.js';
export * from './queue-store.js';
export * from './queueing.js';
export * from './registry.js';
export * from './registry-store.js';
export * from './resource-kinds.js';
export * from './rules.js';
export * from './schemas/admin.js';
export * from './schemas/common.js';
export * from './schemas/gateway-config.js';
export * from './schemas/group-queue.js';
export * from './schemas/operator-config.js';
export * from './schemas/resources.js';
export * from './schemas/tracing.js';
export * from './selector.js';
export * from './yaml-env.js';
export * from './zod-errors.js';
