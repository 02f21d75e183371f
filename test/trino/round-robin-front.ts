// A round-robin HTTP front on loopback (Debian's haproxy), standing in for the Service in front of
// several Junction replicas: every request, even on a kept-alive client connection, goes to the next
// replica in turn, so one query's pages alternate between the replicas.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../harness/ports.js';
import { eventually } from '../harness/proxy.js';

export interface Front {
  url: string;
  stop(): Promise<void>;
}

export async function startRoundRobinFront(dir: string, backends: string[]): Promise<Front> {
  const port = await freePort();
  const config = [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 10m',
    '  timeout server 10m',
    'frontend junction',
    `  bind 127.0.0.1:${port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    // Pick a replica per request, not per client connection.
    '  option http-server-close',
    ...backends.map((url, i) => `  server replica${i} ${new URL(url).host}`),
    '',
  ].join('\n');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('haproxy not found; run scripts/trino/ensure-clients.sh') : error),
    );
    child.once('exit', (code) => reject(new Error(`haproxy exited with ${code}:\n${output}`)));
  });
  failed.catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    failed,
    eventually(
      async () => {
        try {
          const response = await fetch(`${url}/v1/info`);
          await response.arrayBuffer();
          return true;
        } catch {
          return false;
        }
      },
      10_000,
      100,
    ),
  ]);
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
