// The reference Trino Gateway (Java), only with BENCH_PEERS=1: its runnable jar from Maven Central
// (io.trino.gateway:gateway-ha:<version>:jar:jar-with-dependencies, fetched with `mvn dependency:get`),
// Java 25, and a throwaway PostgreSQL from Debian for its database (query history on: one INSERT
// per query, like a default installation). Configured like Junction's single-cluster targets: one
// backend in the default group "adhoc", no rules engine, NOOP health monitor.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnPinned, waitForHttp, waitForPort } from '../lib/procs.mjs';

const VERSION = process.env.BENCH_TRINO_GATEWAY_VERSION ?? '20';
const JAVA_HOME = process.env.BENCH_JAVA_HOME ?? '/usr/lib/jvm/temurin-25-jdk-amd64';
const JAVA = join(JAVA_HOME, 'bin/java');
const JAR = join(
  homedir(),
  `.m2/repository/io/trino/gateway/gateway-ha/${VERSION}/gateway-ha-${VERSION}-jar-with-dependencies.jar`,
);

function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(root, versions[0], 'bin');
}

export const trinoGateway = {
  name: 'trino-gateway',
  describe: `reference Trino Gateway ${VERSION} (gateway-ha jar, Java 25, PostgreSQL query history), 1 backend`,
  skipReason() {
    if (process.env.BENCH_PEERS !== '1') return 'runs only with BENCH_PEERS=1';
    if (!existsSync(JAVA)) return `Java 25 not found at ${JAVA} (set BENCH_JAVA_HOME)`;
    if (!existsSync(JAR) && spawnSync('sh', ['-c', 'command -v mvn'], { stdio: 'ignore' }).status !== 0) {
      return `gateway-ha ${VERSION} jar not in ~/.m2 and no mvn to fetch it`;
    }
    return undefined;
  },
  async start(ctx) {
    if (!existsSync(JAR)) {
      ctx.log(`fetching io.trino.gateway:gateway-ha:${VERSION}:jar:jar-with-dependencies from Maven Central (mvn)`);
      execFileSync(
        'mvn',
        [
          '-q',
          '-B',
          'dependency:get',
          `-Dartifact=io.trino.gateway:gateway-ha:${VERSION}:jar:jar-with-dependencies`,
          '-Dtransitive=false',
        ],
        { stdio: 'inherit' },
      );
    }
    let bin = postgresBin();
    if (bin === undefined) {
      ctx.log('installing Debian package postgresql (apt-get install -y postgresql)');
      execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'inherit' });
      bin = postgresBin();
    }
    const postgres = await startPostgres(ctx, bin);
    try {
      return await startGateway(ctx, postgres);
    } catch (error) {
      await postgres.stop();
      throw error;
    }
  },
};

/** PostgreSQL runs as the `postgres` user (it refuses root), in a fresh cluster, beside the load generator. */
async function startPostgres(ctx, bin) {
  const port = await freePort();
  const data = join(ctx.dir, 'pgdata');
  mkdirSync(data, { recursive: true });
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(ctx.dir, uid, gid);
  chownSync(data, uid, gid);
  const asPostgres = (command, args) =>
    execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { encoding: 'utf8' });
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const proc = await spawnPinned(
    'postgres',
    0,
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      join(bin, 'postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      data,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
    ],
    { ready: (out) => /ready to accept connections/.test(out), timeoutMs: 30_000 },
  );
  const psql = (sql, db = 'postgres') =>
    asPostgres('psql', ['-h', '127.0.0.1', '-p', String(port), '-d', db, '-c', sql]);
  psql("CREATE USER gateway PASSWORD 'gateway'");
  psql('CREATE DATABASE trino_gateway OWNER gateway');
  return {
    port,
    pid: proc.pid,
    async stop() {
      spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), 'stop', '-D', data, '-m', 'fast'], {
        stdio: 'ignore',
      });
      await proc.stop();
    },
  };
}

async function startGateway(ctx, postgres) {
  const port = await freePort();
  const config = `serverConfig:
  node.environment: bench
  http-server.http.port: ${port}
routingRules:
  rulesEngineEnabled: false
dataStore:
  jdbcUrl: jdbc:postgresql://127.0.0.1:${postgres.port}/trino_gateway
  user: gateway
  password: gateway
  driver: org.postgresql.Driver
  queryHistoryHoursRetention: 24
clusterStatsConfiguration:
  monitorType: NOOP
monitor:
  taskDelay: 1s
`;
  const file = join(ctx.dir, 'trino-gateway.yaml');
  writeFileSync(file, config);
  const proc = await spawnPinned(
    'trino-gateway',
    ctx.core,
    JAVA,
    ['-Xms512m', '-Xmx1g', '-XX:+UseG1GC', '-jar', JAR, file],
    { ready: () => true },
  );
  try {
    await Promise.race([
      waitForPort(port, 120_000),
      proc.exited.then(({ code }) => {
        throw new Error(`trino-gateway exited with ${code}`);
      }),
    ]);
    const backend = {
      name: 'c0',
      proxyTo: `http://127.0.0.1:${ctx.backendPorts[0]}`,
      externalUrl: `http://127.0.0.1:${ctx.backendPorts[0]}`,
      active: true,
      routingGroup: 'adhoc',
    };
    const added = await fetch(`http://127.0.0.1:${port}/entity?entityType=GATEWAY_BACKEND`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(backend),
    });
    if (!added.ok) throw new Error(`adding the backend answered ${added.status}: ${await added.text()}`);
    await waitForHttp(`http://127.0.0.1:${port}/trino-gateway/readyz`, 60_000);
    // The backend turns HEALTHY on the next monitor round (1 s); wait until a submission is routed.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/statement`, {
        method: 'POST',
        headers: { 'x-trino-user': 'bench' },
        body: 'SELECT 1',
      });
      const text = await response.text();
      if (response.ok && text.includes('"nextUri"') && !text.includes('FAILED')) break;
      if (Date.now() > deadline)
        throw new Error(`trino-gateway does not route: ${response.status} ${text.slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await proc.stop();
    throw new Error(`${error.message}\n${proc.output().slice(-3000)}`);
  }
  return {
    port,
    pids: () => [proc.pid],
    version: `trino-gateway ${VERSION} (${spawnSync(JAVA, ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0]})`,
    stop: async () => {
      await proc.stop('SIGTERM', 20_000);
      await postgres.stop();
    },
  };
}
