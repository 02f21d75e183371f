// The chaos suite's installation: three real proxy processes on fixed loopback ports sharing one real
// Redis (the third reaches it through a relay that can drop traffic, standing in for a network
// partition) — or a Redis Sentinel set or Redis Cluster instead — three simulated Trino clusters, and
// the controls a scenario pulls: kill -9 or restart a replica, kill or pause Redis, kill a cluster,
// partition a replica from Redis, kill a Sentinel primary or a Cluster node.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { freePort, freePorts } from '../harness/ports.js';
import {
  clusterResource,
  eventually,
  groupResource,
  type ProxyProcess,
  spawnProxy,
  Workspace,
} from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { type RedisTopology, startRedisTopology } from '../harness/redis-ha.js';

export const CLUSTERS = ['east', 'west', 'north'];
/** How often clusters are probed: a dead cluster leaves routing within one interval (or at once). */
export const PROBE_INTERVAL_SECONDS = 1;

/** A TCP relay to Redis that can stop passing bytes both ways without closing anything (a partition). */
export class PartitionRelay {
  private constructor(
    readonly port: number,
    private readonly server: Server,
    private readonly state: { dropping: boolean; sockets: Set<Socket> },
  ) {}

  static async start(target: number): Promise<PartitionRelay> {
    const port = await freePort();
    const state = { dropping: false, sockets: new Set<Socket>() };
    const server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: target });
      for (const socket of [client, upstream]) {
        state.sockets.add(socket);
        socket.on('close', () => state.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk) => state.dropping || upstream.write(chunk));
      upstream.on('data', (chunk) => state.dropping || client.write(chunk));
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    return new PartitionRelay(port, server, state);
  }

  /** Bytes are dropped silently from now on, as by a firewall that discards packets. */
  partition(): void {
    this.state.dropping = true;
  }

  heal(): void {
    this.state.dropping = false;
  }

  async close(): Promise<void> {
    for (const socket of this.state.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

export class ChaosRig {
  readonly proxies: (ProxyProcess | undefined)[] = [];

  private constructor(
    private readonly plain: { redis: RedisServer; relay: PartitionRelay } | undefined,
    /** Set when the rig runs on Redis Sentinel or Redis Cluster. */
    readonly topology: RedisTopology | undefined,
    readonly sims: SimTrino[],
    readonly workspace: Workspace,
    readonly ports: number[],
    private readonly configFiles: string[],
  ) {}

  /** The plain Redis (and its relay); only in the default mode. */
  get redis(): RedisServer {
    if (this.plain === undefined) throw new Error('this rig runs on a Redis topology, not one server');
    return this.plain.redis;
  }

  get relay(): PartitionRelay {
    if (this.plain === undefined) throw new Error('this rig runs on a Redis topology, not one server');
    return this.plain.relay;
  }

  static async start(mode: 'plain' | 'sentinel' | 'cluster' = 'plain'): Promise<ChaosRig> {
    const topology = mode === 'plain' ? undefined : await startRedisTopology(mode);
    const redis = mode === 'plain' ? await startRedis() : undefined;
    const relay = redis === undefined ? undefined : await PartitionRelay.start(redis.port);
    const sims = await Promise.all(CLUSTERS.map((name) => SimTrino.start({ name })));
    const workspace = new Workspace();
    const healthCheck = { intervalSeconds: PROBE_INTERVAL_SECONDS, timeoutSeconds: 1, failureThreshold: 1 };
    workspace.writeResources([
      ...sims.map((sim) => clusterResource(sim.name, { url: sim.url, labels: { pool: 'adhoc' }, healthCheck })),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: 'RoundRobin' }),
    ]);
    const ports = await freePorts(6);
    const configFiles = [0, 1, 2].map((i) =>
      workspace.writeConfig(
        workspace.config({
          server: { host: '127.0.0.1', port: ports[i] as number, drainTimeout: '10s' },
          admin: { host: '127.0.0.1', port: ports[i + 3] as number },
          // The third replica reaches Redis through the relay, so it alone can be partitioned off.
          redis:
            topology?.config('chaos:', 500) ??
            ({ url: `redis://127.0.0.1:${i === 2 ? relay?.port : redis?.port}`, keyPrefix: 'chaos:' } as const),
          logging: { level: 'error' },
        }),
        `replica-${i}.yaml`,
      ),
    );
    const plain = redis === undefined || relay === undefined ? undefined : { redis, relay };
    const rig = new ChaosRig(plain, topology, sims, workspace, ports.slice(0, 3), configFiles);
    for (let i = 0; i < 3; i++) await rig.startReplica(i);
    return rig;
  }

  get replicaUrls(): string[] {
    return this.ports.map((port) => `http://127.0.0.1:${port}`);
  }

  /** Starts replica `i` on its fixed ports and waits until it is ready. */
  async startReplica(i: number): Promise<void> {
    const proxy = await spawnProxy(this.configFiles[i] as string, 30_000);
    this.proxies[i] = proxy;
    await eventually(
      async () => {
        const ready = await request(`${proxy.adminUrl}/readyz`).catch(() => undefined);
        await ready?.body.dump();
        return ready?.statusCode === 200;
      },
      30_000,
      50,
    );
  }

  async killReplica(i: number): Promise<void> {
    await this.proxies[i]?.stop('SIGKILL');
    this.proxies[i] = undefined;
  }

  /** SIGTERM (drain: in-flight requests finish, idle connections close), then start it again. */
  async restartReplica(i: number): Promise<number | null> {
    const code = (await this.proxies[i]?.stop('SIGTERM')) ?? null;
    await this.startReplica(i);
    return code;
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((proxy) => proxy?.stop('SIGKILL')));
    await Promise.all(this.sims.map((sim) => sim.close()));
    if (this.plain !== undefined) {
      this.plain.redis.signal('SIGCONT');
      await this.plain.relay.close();
      await this.plain.redis.stop();
    }
    await this.topology?.stop();
    this.workspace.remove();
  }
}
