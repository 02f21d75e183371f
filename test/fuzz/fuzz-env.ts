// The world the fuzzer attacks: an in-process proxy (cookies on, a routing rule, two groups) in front
// of two simulated Trino clusters, plus a canary listener that is in no registry and so must never
// see a connection. Every request a cluster receives is checked against the clusters its case allows.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { GatewayConfig } from '@junction/shared';
import { request } from 'undici';
import winston from 'winston';
import { type RunningProxy, startProxy } from '../../proxy/src/app.js';
import { CookieCodec } from '../../proxy/src/sticky/cookies.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, groupResource, Workspace } from '../harness/proxy.js';
import type { ClusterName, FuzzContext } from './client-requests.js';

const SECRET = 'fuzz-cookie-signing-secret';
const LIFETIME_MS = 600_000;

export class FuzzEnvironment {
  /** Which clusters may receive the request carrying each marker. */
  readonly #allowed = new Map<string, { allowed: ReadonlySet<string>; family: string }>();
  /** Markers some cluster has received. */
  readonly #forwarded = new Set<string>();
  #canaryConnections = 0;
  #marker = 0;

  private constructor(
    readonly ctx: FuzzContext,
    readonly proxy: RunningProxy,
    readonly sims: Record<ClusterName, SimTrino>,
    readonly canary: Server,
    readonly logs: string[],
    readonly workspace: Workspace,
  ) {
    canary.on('connection', (socket: Socket) => {
      this.#canaryConnections++;
      socket.destroy();
    });
  }

  static async start(): Promise<FuzzEnvironment> {
    const sims = { blue: await SimTrino.start({ name: 'blue' }), green: await SimTrino.start({ name: 'green' }) };
    const canary = createServer();
    canary.listen(0, '127.0.0.1');
    await once(canary, 'listening');
    const workspace = new Workspace();
    workspace.writeResources([
      clusterResource('blue', { url: sims.blue.url, labels: { pool: 'adhoc' } }),
      clusterResource('green', { url: sims.green.url, labels: { pool: 'etl' } }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
      groupResource('etl', {
        matchLabels: { pool: 'etl' },
        rules: [{ name: 'etl', condition: 'request.source == "etl"' }],
      }),
    ]);
    const logs: string[] = [];
    const logger = winston.createLogger({
      level: 'warn',
      format: winston.format.json(),
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write(chunk, _encoding, done) {
              logs.push(String(chunk).trim());
              done();
            },
          }),
        }),
      ],
    });
    const config = GatewayConfig.parse(
      workspace.config({
        gatewayCookieConfiguration: { enabled: true, cookieSigningSecret: SECRET },
        oauth2GatewayCookieConfiguration: { lifetime: `${LIFETIME_MS}ms` },
      }),
    );
    const proxy = await startProxy(config, logger);
    await proxy.health.firstRound;
    const proxyHost = new URL(proxy.url).host;
    const canaryHost = `127.0.0.1:${(canary.address() as { port: number }).port}`;

    const ids = {
      blue: await createQuery(proxy.url, {}),
      green: await createQuery(proxy.url, { 'x-trino-routing-group': 'etl' }),
      none: '20200101_000000_00000_nobdy',
    };
    if (!sims.blue.queryIds().includes(ids.blue) || !sims.green.queryIds().includes(ids.green)) {
      throw new Error('the known queries did not start where their groups point');
    }
    const codec = (secret: string, now?: () => number) =>
      CookieCodec.create({
        secrets: [secret],
        lifetimeMs: LIFETIME_MS,
        routingPaths: ['/oauth2'],
        deletePaths: ['/logout'],
        ...(now === undefined ? {} : { now }),
      });
    const valid = await codec(SECRET);
    const expired = await codec(SECRET, () => Date.now() - 2 * LIFETIME_MS);
    const foreign = await codec('another-secret');
    const pair = async (made: Promise<string>) => (await made).split(';')[0] as string;
    const cookies = {
      blue: await pair(valid.issue('blue', false)),
      green: await pair(valid.issue('green', false)),
      unregistered: await pair(valid.issue(canaryHost, false)),
      expiredBlue: await pair(expired.issue('blue', false)),
      expiredGreen: await pair(expired.issue('green', false)),
      forged: await pair(foreign.issue('green', false)),
    };
    const ctx: FuzzContext = { proxy: proxyHost, canary: canaryHost, ids, cookies };
    for (const sim of Object.values(sims)) sim.records.length = 0;
    return new FuzzEnvironment(ctx, proxy, sims, canary, logs, workspace);
  }

  get canaryConnections(): number {
    return this.#canaryConnections;
  }

  /** A fresh marker for a request that may reach only `allowed`. */
  register(allowed: readonly string[], family: string): string {
    const marker = `f${++this.#marker}`;
    this.#allowed.set(marker, { allowed: new Set(allowed), family });
    return marker;
  }

  wasForwarded(marker: string): boolean {
    return this.#forwarded.has(marker);
  }

  /**
   * Checks every request the clusters received since the last sweep (each exactly once, whenever it
   * arrived, so a late one from an aborted case is still checked) and forgets them. Returns leaks.
   */
  sweep(): string[] {
    const problems: string[] = [];
    for (const sim of Object.values(this.sims)) {
      for (const record of sim.records) {
        const marker = record.headers['x-fuzz-case'];
        if (marker === undefined) {
          // The proxy's own traffic: health probes and owner lookups of query ids.
          const own = record.method === 'GET' && (record.path === '/v1/info' || record.path.startsWith('/v1/query/'));
          if (!own) problems.push(`${sim.name} received an unmarked ${record.method} ${record.path}${record.search}`);
          continue;
        }
        // Each request names its marker twice (first and last header); Node joins repeats with ", ".
        const keys = new Set([marker].flat().flatMap((value) => value.split(/,\s*/)));
        for (const key of keys) {
          const expected = this.#allowed.get(key);
          this.#forwarded.add(key);
          if (expected === undefined || !expected.allowed.has(sim.name)) {
            problems.push(
              `${sim.name} received request ${key} (${expected?.family ?? 'unknown marker'}; allowed: ` +
                `${[...(expected?.allowed ?? [])].join(', ') || 'none'}): ${record.method} ${record.path}${record.search}`,
            );
          }
        }
      }
      sim.records.length = 0;
    }
    return problems;
  }

  /** Error-level log lines (an unexpected error inside the proxy), cleared. */
  takeErrors(): string[] {
    const errors = this.logs.filter((line) => line.includes('"level":"error"'));
    this.logs.length = 0;
    return errors;
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await Promise.all(Object.values(this.sims).map((sim) => sim.close()));
    this.canary.close();
    this.workspace.remove();
  }
}

/** Submits `SELECT 1` through the proxy and returns the query id (the proxy now knows its owner). */
export async function createQuery(proxyUrl: string, headers: Record<string, string>): Promise<string> {
  const response = await request(`${proxyUrl}/v1/statement`, {
    method: 'POST',
    headers: { 'x-trino-user': 'fuzz', ...headers },
    body: 'SELECT 1',
  });
  const body = (await response.body.json()) as { id?: string };
  if (response.statusCode !== 200 || typeof body.id !== 'string') {
    throw new Error(`submit answered ${response.statusCode}: ${JSON.stringify(body)}`);
  }
  return body.id;
}
