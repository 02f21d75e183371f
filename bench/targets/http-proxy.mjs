// Starts bench/targets/http-proxy-server.mjs (http-proxy + keep-alive agent, round-robin).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnPinned } from '../lib/procs.mjs';

export const httpProxyTarget = {
  name: 'http-proxy',
  describe: 'node:http + http-proxy 1.18 with a keep-alive Agent (maxSockets 256), round-robin',
  async start(ctx) {
    const script = join(ctx.repoRoot, 'bench/targets/http-proxy-server.mjs');
    const target = ctx.backendPorts
      .slice(0, 1)
      .map((p) => `http://127.0.0.1:${p}`)
      .join(',');
    const proc = await spawnPinned(
      'http-proxy',
      ctx.core,
      process.execPath,
      [script, '--port', '0', '--target', target],
      {
        ready: (out) => /listening on (\d+)/.exec(out)?.[1],
        cwd: ctx.repoRoot,
      },
    );
    const version = JSON.parse(
      readFileSync(join(ctx.repoRoot, 'node_modules/http-proxy/package.json'), 'utf8'),
    ).version;
    return {
      port: Number(proc.readyValue),
      pids: () => [proc.pid],
      version: `http-proxy ${version}`,
      stop: () => proc.stop(),
    };
  },
};
