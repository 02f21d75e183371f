// A throwaway redis-server for the Junction-with-Redis target: our own process on a free loopback
// port, pinned beside the load generator, no persistence. Read with redis-cli between load windows.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnPinned } from './procs.mjs';

export async function startRedis(core, dir) {
  const port = await freePort();
  const data = join(dir, 'redis');
  mkdirSync(data, { recursive: true });
  const proc = await spawnPinned(
    'redis-server',
    core,
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', data],
    { ready: (out) => /Ready to accept connections/i.test(out) },
  );
  const cli = (...args) => {
    const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  return {
    url: `redis://127.0.0.1:${port}/0`,
    pid: proc.pid,
    info() {
      const fields = {};
      for (const line of cli('INFO', 'memory').split('\n').concat(cli('INFO', 'server').split('\n'))) {
        const [key, value] = line.trim().split(':');
        if (value !== undefined) fields[key] = /^\d+$/.test(value) ? Number(value) : value;
      }
      return fields;
    },
    dbsize: () => Number(cli('DBSIZE')),
    randomKey(pattern) {
      // SCAN answers the next cursor on the first line, then the keys it found.
      for (let cursor = '0', rounds = 0; rounds < 100; rounds++) {
        const [next, ...keys] = cli('SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000').split('\n').filter(Boolean);
        if (keys.length > 0) return keys[0];
        if (next === '0') return undefined;
        cursor = next;
      }
      return undefined;
    },
    memoryUsage: (key) => Number(cli('MEMORY', 'USAGE', key)),
    stop: () => proc.stop(),
  };
}
