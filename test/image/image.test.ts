// The image, built from the Dockerfile by scripts/image/build-image.sh (buildah, no daemon; base
// images assembled from Debian packages and this machine's node) and run with podman the way the
// chart runs it: as its own non-root user, read-only root filesystem, every capability dropped, no
// privilege escalation, config mounted read-only. Slow (a first build takes several minutes), so it
// runs with `make image-test`, not `make test`.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { freePorts } from '../harness/ports.js';
import { clusterResource, groupResource, REPO_ROOT } from '../harness/proxy.js';
import { runQuery } from '../harness/trino-http.js';
import { eventually } from '../harness/wait.js';

const TAG = 'localhost/junction:image-test';
const CACHE = join(process.env['JUNCTION_CACHE'] || join(homedir(), '.cache', 'junction'), 'image');
const STORAGE = ['--root', join(CACHE, 'storage'), '--runroot', join(CACHE, 'run'), '--storage-driver', 'vfs'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** This machine's open-files limit: podman otherwise asks for more than a sandbox may grant. */
const openFiles = spawnSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
/** `podman run` as the chart's securityContext has it (runAsNonRoot with the image's user). */
const RUN = [
  'run',
  '--runtime',
  'runc',
  '--network',
  'host',
  '--read-only',
  '--cap-drop=ALL',
  '--security-opt',
  'no-new-privileges',
  '--ulimit',
  `nofile=${openFiles}:${openFiles}`,
  '--ulimit',
  'nproc=4096:4096',
];
const podman = (args: string[], timeoutMs?: number) => run('podman', [...STORAGE, ...args], timeoutMs);
const node = (code: string, extra: string[] = []) => podman([...RUN, '--rm', ...extra, TAG, '-e', code]);

let config: string;
let sim: SimTrino;

beforeAll(async () => {
  // JUNCTION_IMAGE_REUSE=1 tests the image already built under TAG (while working on this file).
  const reuse =
    process.env['JUNCTION_IMAGE_REUSE'] === '1' && (await run('buildah', [...STORAGE, 'inspect', TAG])).code === 0;
  if (!reuse) {
    const built = await run('bash', [join(REPO_ROOT, 'scripts/image/build-image.sh'), TAG], 1_500_000);
    if (built.code !== 0) throw new Error(`image build failed (${built.code}):\n${built.stderr.slice(-4000)}`);
  }
  sim = await SimTrino.start({ name: 'blue' });
  config = mkdtempSync(join(tmpdir(), 'junction-image-'));
  chmodSync(config, 0o755);
}, 1_600_000);

afterAll(async () => {
  await sim?.close();
  if (config) rmSync(config, { recursive: true, force: true });
});

it('runs as uid/gid 65532 with node as the entry point, production dependencies only, no shell', async () => {
  const inspected = await run('buildah', [...STORAGE, 'inspect', '--type', 'image', TAG]);
  const image = JSON.parse(inspected.stdout).OCIv1.config as { User: string; Entrypoint: string[]; Cmd: string[] };
  expect(image.User).toBe('65532:65532');
  expect(image.Entrypoint).toEqual(['/nodejs/bin/node']);
  expect(image.Cmd).toEqual(['proxy/dist/main.js', '--config', '/etc/junction/gateway.yaml']);

  // One container for every probe: with vfs storage each container start copies the image.
  const probe = await node(`const absent = (m) => { try { require.resolve(m); return false; } catch { return true; } };
    console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), node: process.version,
      devDependencies: ['typescript', 'jest', '@biomejs/biome', 'fast-check'].filter((m) => !absent(m)) }));`);
  expect(JSON.parse(probe.stdout)).toMatchObject({ uid: 65532, gid: 65532, devDependencies: [] });
  const shell = await podman([...RUN, '--rm', '--entrypoint', '/bin/sh', TAG, '-c', 'true']);
  expect(shell.code).not.toBe(0);
}, 120_000);

it('cannot write to its root filesystem or its own code; /tmp is the only writable place', async () => {
  const probe = `const fs = require('fs');
    const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'written'; } catch (e) { return e.code; } };
    console.log(JSON.stringify({ root: tryWrite('/x'), app: tryWrite('/app/proxy/dist/main.js'), tmp: tryWrite('/tmp/x') }));`;
  expect(JSON.parse((await node(probe)).stdout)).toEqual({ root: 'EROFS', app: 'EROFS', tmp: 'written' });
  // Even with a writable root the code is root's and read-only to the program's user.
  const writable = RUN.filter((flag) => flag !== '--read-only');
  const owned = await podman([...writable, '--rm', TAG, '-e', probe]);
  expect(JSON.parse(owned.stdout)).toMatchObject({ app: 'EACCES' });
}, 120_000);

it('the proxy from the image serves a query end to end and SIGTERM stops it with exit 0', async () => {
  const [port, adminPort] = await freePorts(2);
  writeFileSync(
    join(config, 'resources.yaml'),
    [
      clusterResource('blue', { url: sim.url, labels: { pool: 'adhoc' } }),
      groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
    ]
      .map((r) => JSON.stringify(r))
      .join('\n---\n'),
    { mode: 0o644 },
  );
  writeFileSync(
    join(config, 'gateway.yaml'),
    JSON.stringify({
      server: { host: '127.0.0.1', port, drainTimeout: '30s' },
      admin: { host: '127.0.0.1', port: adminPort },
      resources: { files: ['/etc/junction/resources.yaml'] },
    }),
    { mode: 0o644 },
  );
  const name = `junction-image-test-${process.pid}`;
  try {
    const started = await podman([...RUN, '-d', '--name', name, '-v', `${config}:/etc/junction:ro`, TAG]);
    expect([started.code, started.stderr]).toEqual([0, '']);
    await eventually(
      async () => {
        try {
          return (await request(`http://127.0.0.1:${adminPort}/readyz`)).statusCode === 200;
        } catch {
          return false;
        }
      },
      30_000,
      200,
    );
    const query = await runQuery(`http://127.0.0.1:${port}`, 'SELECT 1');
    expect(query.state).toBe('FINISHED');
    expect(sim.queryIds()).toContain(query.id);

    const stoppedAt = Date.now();
    expect((await podman(['stop', '--time', '30', name])).code).toBe(0);
    const tookMs = Date.now() - stoppedAt;
    const state = JSON.parse((await podman(['inspect', name])).stdout)[0].State as { ExitCode: number };
    expect(state.ExitCode).toBe(0);
    process.stdout.write(`image: proxy served a query; SIGTERM → exit 0 in ${tookMs} ms\n`);
    expect(tookMs).toBeLessThan(10_000);
  } finally {
    await podman(['rm', '--force', name]);
  }
}, 90_000);

it('the operator from the image explains itself and names a bad configuration key', async () => {
  const help = await podman([...RUN, '--rm', TAG, 'operator/dist/main.js', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: junction-operator --config <operator.yaml>/);
  writeFileSync(
    join(config, 'operator.yaml'),
    'kubernetes: { namespace: j }\nredis: { url: "redis://127.0.0.1:1" }\nbogus: 1\n',
    {
      mode: 0o644,
    },
  );
  const bad = await podman([
    ...RUN,
    '--rm',
    '-v',
    `${config}:/etc/junction:ro`,
    TAG,
    'operator/dist/main.js',
    '--config',
    '/etc/junction/operator.yaml',
  ]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('bogus: unknown key');
}, 120_000);
