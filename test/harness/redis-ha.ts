// Throwaway highly available Redis for tests, from Debian's redis-server and redis-sentinel: a primary, a
// replica and three sentinels; or a three-primary Redis Cluster. Own processes on random loopback ports in
// temp dirs, no persistence, like test/harness/redis.ts; each start resolves only once the topology is whole.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisClientConfig,
  type RedisNodeAddress,
} from '../../shared/src/adapters/redis-client.js';
import { freePort, freePorts } from './ports.js';
import { NO_PERSISTENCE, spawnRedisProcess, terminate } from './redis.js';
import { eventually } from './wait.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;

type Node = { host: string; port: number };

/** A `redis` section for the topology: a RedisClientConfig, and valid gateway config input as well. */
export interface TopologyConfig extends RedisClientConfig {
  sentinel?: { masterName: string; nodes: Node[]; password?: string };
  cluster?: { nodes: Node[] };
}

export interface RedisTopology {
  readonly mode: 'sentinel' | 'cluster';
  /** A client config for this topology (as a gateway config's `redis` section would parse). */
  config(keyPrefix: string, commandTimeout: number): TopologyConfig;
  stop(): Promise<void>;
}

export interface RedisSentinelSet extends RedisTopology {
  readonly mode: 'sentinel';
  readonly masterName: string;
  readonly sentinels: readonly RedisNodeAddress[];
  /** The port the sentinels currently name as primary (asked of the first sentinel that answers). */
  primaryPort(): Promise<number>;
  /** SIGKILLs the current primary: no shutdown, no last replication, as a crashed machine. */
  killPrimary(): Promise<number>;
}

export interface RedisClusterSet extends RedisTopology {
  readonly mode: 'cluster';
  readonly nodes: readonly RedisNodeAddress[];
  /** SIGKILLs the primary on `port`; with no replicas its slots are down until `restartNode`. */
  killNode(port: number): Promise<void>;
  /** Starts it again: same node id and slots (its nodes.conf), no data; resolves once the cluster is ok. */
  restartNode(port: number): Promise<void>;
}

/** Runs `command` on a short-lived plain connection to one server (a sentinel or a data node). */
async function ask(port: number, password: string | undefined, ...command: string[]): Promise<unknown> {
  const auth = password === undefined ? '' : `default:${encodeURIComponent(password)}@`;
  const client = createRedisClient({ url: `redis://${auth}${HOST}:${port}`, keyPrefix: '', commandTimeout: 2000 });
  try {
    const [name, ...args] = command as [string, ...string[]];
    return await client.call(name, ...args);
  } finally {
    await closeRedisClient(client);
  }
}

/** Like `ask`, but a refused connection or error is `undefined` (for polling while servers come and go). */
const tryAsk = (port: number, ...command: string[]) => ask(port, undefined, ...command).catch(() => undefined);
const tryAskWith =
  (password: string | undefined) =>
  (port: number, ...command: string[]) =>
    ask(port, password, ...command).catch(() => undefined);

class Processes {
  readonly #children = new Map<number, ChildProcess>();
  readonly #commands = new Map<number, { args: string[]; binary: string | undefined }>();

  async start(port: number, args: string[], binary?: string): Promise<void> {
    this.#commands.set(port, { args, binary });
    this.#children.set(port, await spawnRedisProcess(port, args, binary));
  }

  /** Starts a killed process again with the same arguments (and so the same config files). */
  async restart(port: number): Promise<void> {
    const command = this.#commands.get(port);
    if (command === undefined) throw new Error(`no process was started on port ${port}`);
    await this.start(port, command.args, command.binary);
  }

  kill(port: number): Promise<void> {
    const child = this.#children.get(port);
    this.#children.delete(port);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    return exited;
  }

  async stopAll(): Promise<void> {
    const children = [...this.#children.values()];
    this.#children.clear();
    await Promise.all(children.map(terminate));
  }
}

/** A primary, one replica and three sentinels (quorum 2) watching them; fails over ~1 s after the primary dies. */
export interface SentinelOptions {
  masterName?: string;
  /** requirepass (and masterauth) of the primary and replica; the sentinels get it as auth-pass. */
  password?: string;
  /** requirepass of the sentinels themselves. */
  sentinelPassword?: string;
}

export async function startRedisSentinel(options: SentinelOptions = {}): Promise<RedisSentinelSet> {
  const masterName = options.masterName ?? 'junction';
  const { password, sentinelPassword } = options;
  const askData = tryAskWith(password);
  const askSentinel = tryAskWith(sentinelPassword);
  const dir = await mkdtemp(join(tmpdir(), 'junction-redis-sentinel-'));
  const processes = new Processes();
  try {
    const [primary, replica, ...sentinelPorts] = (await freePorts(5)) as [number, number, ...number[]];
    const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
    const server = (port: number) => ['--port', String(port), '--bind', HOST, ...NO_PERSISTENCE, '--dir', dir, ...auth];
    await processes.start(primary, server(primary));
    await processes.start(replica, [...server(replica), '--replicaof', HOST, String(primary)]);
    await eventually(
      async () => String(await askData(replica, 'INFO', 'replication')).includes('master_link_status:up'),
      READY_TIMEOUT_MS,
    );
    for (const port of sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its config file as it learns the topology, so each needs its own, writable.
      await writeFile(
        file,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          `sentinel monitor ${masterName} ${HOST} ${primary} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel parallel-syncs ${masterName} 1`,
          ...(password === undefined ? [] : [`sentinel auth-pass ${masterName} ${password}`]),
          // Sentinels authenticate to each other with sentinel-pass once they require a password.
          ...(sentinelPassword === undefined
            ? []
            : [`requirepass ${sentinelPassword}`, `sentinel sentinel-pass ${sentinelPassword}`]),
          '',
        ].join('\n'),
      );
      await processes.start(port, [file], 'redis-sentinel');
    }
    // Whole once every sentinel knows the replica and the two other sentinels: only then can it fail over.
    await eventually(async () => {
      for (const port of sentinelPorts) {
        const replicas = (await askSentinel(port, 'SENTINEL', 'REPLICAS', masterName)) as unknown[] | undefined;
        const peers = (await askSentinel(port, 'SENTINEL', 'SENTINELS', masterName)) as unknown[] | undefined;
        if (replicas?.length !== 1 || peers?.length !== sentinelPorts.length - 1) return false;
      }
      return true;
    }, READY_TIMEOUT_MS);
    const sentinels = sentinelPorts.map((port) => ({ host: HOST, port }));
    const primaryPort = async (): Promise<number> => {
      for (const { port } of sentinels) {
        const address = (await askSentinel(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as
          | string[]
          | undefined;
        if (address?.[1] !== undefined) return Number(address[1]);
      }
      throw new Error('no sentinel answered GET-MASTER-ADDR-BY-NAME');
    };
    return {
      mode: 'sentinel',
      masterName,
      sentinels,
      config: (keyPrefix, commandTimeout) => ({
        sentinel: {
          masterName,
          nodes: sentinels,
          ...(sentinelPassword === undefined ? {} : { password: sentinelPassword }),
        },
        ...(password === undefined ? {} : { password }),
        keyPrefix,
        commandTimeout,
      }),
      primaryPort,
      async killPrimary() {
        const port = await primaryPort();
        await processes.kill(port);
        return port;
      },
      async stop() {
        await processes.stopAll();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await processes.stopAll();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A port whose cluster bus port (port + 10000) was free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.has(port)) continue;
    if (await portIsFree(port + 10_000)) return port;
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** Three primaries, no replicas, the 16384 slots split by `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisClusterSet> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-redis-cluster-'));
  const processes = new Processes();
  try {
    const taken = new Set<number>();
    for (let i = 0; i < 3; i++) taken.add(await clusterPort(taken));
    const ports = [...taken];
    for (const port of ports) {
      await processes.start(port, [
        '--port',
        String(port),
        '--bind',
        HOST,
        ...NO_PERSISTENCE,
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
      ]);
    }
    await createCluster(ports);
    await eventually(() => clusterOk(ports), READY_TIMEOUT_MS);
    const nodes = ports.map((port) => ({ host: HOST, port }));
    return {
      mode: 'cluster',
      nodes,
      config: (keyPrefix, commandTimeout) => ({
        cluster: { nodes: nodes.map((node) => ({ ...node })) },
        keyPrefix,
        commandTimeout,
      }),
      killNode: (port) => processes.kill(port),
      async restartNode(port) {
        await processes.restart(port);
        await eventually(() => clusterOk(ports), READY_TIMEOUT_MS);
      },
      async stop() {
        await processes.stopAll();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await processes.stopAll();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function clusterOk(ports: readonly number[]): Promise<boolean> {
  for (const port of ports) {
    if (!String(await tryAsk(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
  }
  return true;
}

function createCluster(ports: number[]): Promise<void> {
  const args = [
    '--cluster',
    'create',
    ...ports.map((port) => `${HOST}:${port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ];
  const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`redis-cli --cluster create exited with ${code}:\n${output}`));
    });
  });
}

/** Starts either topology by name (for suites that run once per mode). */
export function startRedisTopology(mode: 'sentinel' | 'cluster'): Promise<RedisTopology> {
  return mode === 'sentinel' ? startRedisSentinel() : startRedisCluster();
}

/** A client on the topology for checks a store would not make (reads of raw keys, PUBSUB). */
export function topologyClient(topology: RedisTopology, keyPrefix = ''): RedisClient {
  return createRedisClient(topology.config(keyPrefix, 2000), { name: 'test-admin' });
}
