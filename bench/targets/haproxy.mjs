// HAProxy from Debian's packages: one thread, keep-alive to clients and to the backend
// (`http-reuse always`), round-robin over the backend servers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnPinned, versionOf, waitForPort } from '../lib/procs.mjs';

export const haproxy = {
  name: 'haproxy',
  describe: 'HAProxy (Debian), nbthread 1, option http-keep-alive, http-reuse always, balance roundrobin',
  async start(ctx) {
    const port = await freePort();
    const servers = ctx.backendPorts
      .slice(0, 1)
      .map((p, i) => `  server s${i} 127.0.0.1:${p} maxconn 512`)
      .join('\n');
    const config = `global
  nbthread 1
  maxconn 8000
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend trino
  bind 127.0.0.1:${port}
  default_backend clusters
backend clusters
  balance roundrobin
${servers}
`;
    const file = join(ctx.dir, 'haproxy.cfg');
    writeFileSync(file, config);
    const proc = await spawnPinned('haproxy', ctx.core, 'haproxy', ['-db', '-f', file], { ready: () => true });
    await waitForPort(port);
    return {
      port,
      pids: () => [proc.pid],
      version: versionOf('haproxy', ['-v']),
      stop: () => proc.stop(),
    };
  },
};
