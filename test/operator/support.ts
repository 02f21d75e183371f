// Shared set-up for the operator tests: a real control plane with Junction's CRDs, a real Redis, and
// small helpers to apply resources and read what the operator wrote.
import { join, resolve } from 'node:path';
import type { RedisClient } from '@junction/shared';
import {
  closeRedisClient,
  createRedisClient,
  type OperatorConfigInput,
  RedisRegistryStore,
  type RegistrySnapshot,
} from '@junction/shared';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';
import { type RedisServer, startRedis } from '../harness/redis.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const NAMESPACE = 'junction';

export interface Environment {
  cp: ControlPlane;
  redis: RedisServer;
  client: RedisClient;
  /** Reads what the operator published, as a proxy would. */
  store: RedisRegistryStore;
  keyPrefix: string;
  stop(): Promise<void>;
}

export async function startEnvironment(keyPrefix = 'junction-test:'): Promise<Environment> {
  const [cp, redis] = await Promise.all([startControlPlane({ namespace: NAMESPACE }), startRedis()]);
  const client = createRedisClient({ url: redis.url, keyPrefix, commandTimeout: 2000 }, { name: 'test-reader' });
  const store = new RedisRegistryStore(client, keyPrefix);
  const env: Environment = {
    cp,
    redis,
    client,
    store,
    keyPrefix,
    async stop() {
      await store.close();
      await closeRedisClient(client);
      await Promise.all([cp.stop(), redis.stop()]);
    },
  };
  try {
    await kubectlOk(env, ['apply', '-f', join(REPO_ROOT, 'crds')]);
    await kubectlOk(env, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  } catch (error) {
    await env.stop();
    throw error;
  }
  return env;
}

export async function kubectlOk(env: Pick<Environment, 'cp'>, args: string[], input?: string): Promise<string> {
  const result = await env.cp.kubectl(args, input);
  if (result.code !== 0)
    throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

export async function apply(env: Pick<Environment, 'cp'>, ...objects: object[]): Promise<void> {
  await kubectlOk(env, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
}

export interface KubeJson {
  metadata: { name: string; generation: number; resourceVersion: string; uid: string };
  spec: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Array<Record<string, unknown>> };
}

export async function getJson(env: Pick<Environment, 'cp'>, kind: string, name: string): Promise<KubeJson> {
  return JSON.parse(await kubectlOk(env, ['get', kind, name, '-o', 'json'])) as KubeJson;
}

export interface EventJson {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
  source?: { component?: string };
}

export async function events(env: Pick<Environment, 'cp'>, kind: string, name: string): Promise<EventJson[]> {
  const selector = `involvedObject.kind=${kind},involvedObject.name=${name}`;
  const list = JSON.parse(await kubectlOk(env, ['get', 'events', '--field-selector', selector, '-o', 'json'])) as {
    items: EventJson[];
  };
  return list.items;
}

export function trinoCluster(
  name: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = { pool: 'adhoc' },
): object {
  return {
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'TrinoCluster',
    metadata: { name, namespace: NAMESPACE, labels },
    spec: { healthCheck: { type: 'Info', intervalSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 }, ...spec },
  };
}

export function routingGroup(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'junction.dev/v1alpha1', kind: 'RoutingGroup', metadata: { name, namespace: NAMESPACE }, spec };
}

export function operatorConfig(env: Environment, overrides: Partial<OperatorConfigInput> = {}): OperatorConfigInput {
  return {
    kubernetes: { kubeconfig: env.cp.kubeconfig, namespace: NAMESPACE },
    redis: { url: env.redis.url, keyPrefix: env.keyPrefix, commandTimeout: 2000 },
    leaderElection: { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 },
    admin: { host: '127.0.0.1', port: 0 },
    logging: { level: 'warn' },
    ...overrides,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value other than undefined/false; the last error or value explains a timeout. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${String(last)})`);
    await sleep(50);
  }
}

export async function snapshot(env: Environment): Promise<RegistrySnapshot | undefined> {
  return env.store.read();
}
