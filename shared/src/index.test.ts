// The package's two entry points: '@junction/shared' offers everything, '@junction/shared/contract' only
// the pure contract (the mapping in jest.config.js and tsconfig.json mirrors package.json's exports).

import * as shared from '@junction/shared';
import * as contract from '@junction/shared/contract';

test('the root entry point re-exports the whole contract', () => {
  for (const [name, value] of Object.entries(contract)) expect(shared).toHaveProperty([name], value);
});

test('the contract entry point carries no adapter', () => {
  for (const adapter of [
    'createRedisClient',
    'RedisRegistryStore',
    'HealthMonitor',
    'createAdminServer',
    'createLogger',
  ]) {
    expect(shared).toHaveProperty([adapter]);
    expect(contract).not.toHaveProperty([adapter]);
  }
  expect(contract).toHaveProperty(['TrinoCluster']);
  expect(contract).toHaveProperty(['RESOURCE_KINDS']);
});
