// The model's one decision: when two healths are the same.
import { type ClusterHealth, PENDING_HEALTH, sameHealth } from './model.js';

const healthy: ClusterHealth = {
  ...PENDING_HEALTH,
  phase: 'Healthy',
  runningQueries: 2,
  probedAt: 1_000,
  message: 'ok',
};

test('sameHealth compares every field, probedAt included', () => {
  expect(sameHealth(healthy, { ...healthy })).toBe(true);
  expect(sameHealth(healthy, { ...healthy, probedAt: 2_000 })).toBe(false);
  expect(sameHealth(healthy, { ...healthy, phase: 'Unhealthy' })).toBe(false);
  expect(sameHealth(healthy, { ...healthy, runningQueries: 3 })).toBe(false);
  expect(sameHealth(healthy, { ...healthy, queuedQueries: 1 })).toBe(false);
  expect(sameHealth(healthy, { ...healthy, activeNodes: 4 })).toBe(false);
  expect(sameHealth(healthy, { ...healthy, message: 'ok (no health check)' })).toBe(false);
});
