// Public surface of @junction/shared: the pure contract (contract/) and the adapters that give it
// sockets, files, timers and logs (adapters/). Consumers import everything from here.
export * from './adapters/admin-server.js';
export * from './adapters/cli.js';
export * from './adapters/config-files.js';
export * from './adapters/health-monitor.js';
export * from './adapters/logging.js';
export * from './adapters/memory-registry-store.js';
export * from './adapters/prober.js';
export * from './adapters/redis-client.js';
export * from './adapters/redis-registry-store.js';
export * from './adapters/resource-files.js';
export * from './contract/config.js';
export * from './contract/duration.js';
export * from './contract/errors.js';
export * from './contract/manifests.js';
export * from './contract/model.js';
export * from './contract/registry.js';
export * from './contract/registry-store.js';
export * from './contract/resource-kinds.js';
export * from './contract/rules.js';
export * from './contract/schemas/common.js';
export * from './contract/schemas/gateway-config.js';
export * from './contract/schemas/operator-config.js';
export * from './contract/schemas/resources.js';
export * from './contract/selector.js';
export * from './contract/yaml-env.js';
export * from './contract/zod-errors.js';
