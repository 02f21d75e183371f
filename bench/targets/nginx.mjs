// nginx from Debian's packages: one worker, HTTP/1.1 keep-alive to the backend (`keepalive` in the
// upstream, `Connection ""`), responses buffered in memory only (no temp files), round-robin.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnPinned, versionOf, waitForPort, withChildren } from '../lib/procs.mjs';

export const nginx = {
  name: 'nginx',
  describe: 'nginx (Debian), 1 worker, upstream keepalive 256, proxy_http_version 1.1, in-memory buffering',
  async start(ctx) {
    const port = await freePort();
    const prefix = join(ctx.dir, 'nginx');
    mkdirSync(join(prefix, 'tmp'), { recursive: true });
    const servers = ctx.backendPorts
      .slice(0, 1)
      .map((p) => `    server 127.0.0.1:${p};`)
      .join('\n');
    const config = `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  upstream trino {
${servers}
    keepalive 256;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://trino;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering on;
      proxy_buffers 8 64k;
      proxy_busy_buffers_size 128k;
      proxy_max_temp_file_size 0;
    }
  }
}
`;
    const file = join(prefix, 'nginx.conf');
    writeFileSync(file, config);
    const proc = await spawnPinned('nginx', ctx.core, 'nginx', ['-p', prefix, '-c', file], { ready: () => true });
    await waitForPort(port);
    return {
      port,
      pids: () => withChildren(proc.pid),
      version: versionOf('nginx', ['-v']),
      stop: () => proc.stop('SIGQUIT'),
    };
  },
};
