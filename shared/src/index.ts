// Public surface of @junction/shared: the pure contract (contract/, also `@junction/shared/contract`) and
// the adapters that give it sockets, files, timers and logs (adapters/). Consumers import everything from here.
export * from './adapters/admin-auth.js';
export * from './adapters/admin-server.js';
export * from './adapters/cli.js';
export * from './adapters/config-files.js';
export * from './adapters/health-monitor.js';
export * from './adapters/history/memory-history-store.js';
export * from './adapters/history/postgres-history-store.js';
export * from './adapters/history/redis-history-store.js';
export * from './adapters/logging.js';
export * from './adapters/memory-registry-store.js';
export * from './adapters/prober.js';
export * from './adapters/queue/memory-queue-store.js';
export * from './adapters/queue/queue-rules.js';
export * from './adapters/queue/redis-queue-store.js';
export * from './adapters/redis-client.js';
export * from './adapters/redis-registry-store.js';
export * from './adapters/resource-files.js';
export * from './adapters/server-drain.js';
export * from './contract/index.js';
